"""Fixtures for the reminder tests: the data they need, and the real services some tests use.

A test that needs a service this machine may lack (Redis, a Celery worker, PostgreSQL)
calls ``require(...)``: it skips with the reason, except when ``CI=true``, where a
missing service fails the test.
"""

import asyncio
import datetime
import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from plans.models import Deadline
from plans.tests.environment import require  # noqa: F401 (re-exported to the tests)
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, TaskFactory

BASE_DIR = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("REMINDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# A Wednesday with no holiday near it: the sweep day of most tests.
SWEEP_DAY = datetime.date(2026, 12, 2)


def redis_reachable(url=REDIS_URL):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


# A test's Celery worker: one process, no chatter with other workers on the broker.
WORKER_TEST_ARGS = [
    "--pool=solo",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
    "--loglevel=INFO",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


class RedisServer:
    """A redis-server on a free port, so that stopping or freezing it touches nothing else."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(answers, 10, message="the private redis-server")

    def client(self):
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def freeze(self):
        """Connections are still accepted (by the kernel), but nothing is ever answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def cleanup(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    require(shutil.which("redis-server"), "redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.cleanup()


# --- data ------------------------------------------------------------------------


def deadline_make(*, task=None, due_on, plan=None, lead_agency=None, label=None):
    if task is None:
        kwargs = {"due_on": due_on}
        if plan is not None:
            kwargs.update(area=ContentAreaFactory(plan=plan), plan=plan)
        if lead_agency is not None:
            kwargs["lead_agency"] = lead_agency
        task = TaskFactory(**kwargs)
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due_on,
        period_start=due_on - datetime.timedelta(days=90),
        period_label=label or f"Năm {due_on.year}",
    )


@pytest.fixture
def coordinator_agency():
    return AgencyFactory(
        code="so-ngoai-vu",
        name="Sở Ngoại vụ",
        short_name="Sở Ngoại vụ",
        reminder_emails="vanthu@songoaivu.dienbien.gov.vn",
    )


@pytest.fixture
def plan(coordinator_agency):
    return PlanFactory(number="139/KH-UBND", coordinating_agency=coordinator_agency)


@pytest.fixture
def agency():
    return AgencyFactory(
        code="so-tt-tt",
        name="Sở Thông tin và Truyền thông",
        short_name="Sở TT&TT",
        reminder_emails="vanthu@stttt.dienbien.gov.vn",
    )


# --- SMTP ------------------------------------------------------------------------


class SMTPRecorder:
    """An aiosmtpd handler that records every DATA and answers as the test says:
    451 to the first ``fail_first`` attempts, 550 always (``permanent``), 550 to the
    addresses in ``refuse`` only, or holds the answer while ``hold`` is set (a sender
    killed mid-send, a relay that never finishes)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.attempts = []
        self.delivered = []
        self.fail_first = 0
        self.permanent = False
        self.hold = False
        self.refuse = set()
        self.arrived = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts.append(time.monotonic())
        self.arrived.set()
        while self.hold:
            await asyncio.sleep(0.02)
        if self.permanent:
            return "550 5.1.1 Mailbox unavailable"
        if len(self.attempts) <= self.fail_first:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content)
        self.delivered.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": str(make_header(decode_header(message["Subject"]))),
                "message": message,
            }
        )
        return "250 2.0.0 OK"

    def subjects(self):
        return sorted(item["subject"] for item in self.delivered)


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.handler.reset()
    yield smtp_server.handler
    smtp_server.handler.reset()


# --- Redis and a Celery worker ---------------------------------------------------


@pytest.fixture
def redis_broker(settings):
    require(redis_reachable(), f"Redis is not reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.CELERY_BROKER_URL = REDIS_URL
    return REDIS_URL


def _database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery -A dien_bien_portal worker`` on the test database, the test's Redis
    database and the test's SMTP server."""

    def __init__(self, *, smtp_port, log_dir, broker_url=REDIS_URL, extra_env=None):
        self.smtp_port = smtp_port
        self.log_dir = log_dir
        self.broker_url = broker_url
        self.extra_env = extra_env or {}
        # A fixed node name: the same worker started again, as a service manager restarts it.
        self.name = None
        self.process = None
        self.log_path = None
        self.count = 0

    def start(self):
        self.count += 1
        self.log_path = self.log_dir / f"worker-{self.count}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.test",
            "DATABASE_URL": _database_url(),
            "TEST_CELERY_BROKER_URL": self.broker_url,
            "TEST_EMAIL_FROM_ENV": "1",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "EMAIL_TIMEOUT": "10",
            "REMINDER_RETRY_BASE_SECONDS": "0.5",
            "REMINDER_MAX_RETRIES": "3",
            **self.extra_env,
        }
        log = open(self.log_path, "w")  # noqa: SIM115 (kept open for the process)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dien_bien_portal",
                "worker",
                *WORKER_TEST_ARGS,
                "-n",
                self.name or f"reminders-test-{os.getpid()}-{self.count}@%h",
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, 30, 0.1, "worker")
        finally:
            log.close()
        assert self.process.poll() is None, f"the worker exited:\n{self.log()}"

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


_RECEIVED = re.compile(r"Task [\w.]+\[[0-9a-f-]+\] received")
_FINISHED = re.compile(r"Task [\w.]+\[[0-9a-f-]+\] (?:succeeded|failed|retry|raised)")


def worker_idle(worker, broker_url=REDIS_URL):
    """Nothing left to do: the queue is empty and every task the worker received has an
    outcome in its log (a retry held for later is received again and still open). A
    barrier for "nothing more will happen", instead of waiting a while."""
    log = worker.log()
    queued = redis.Redis.from_url(broker_url).llen("celery")
    return queued == 0 and len(_RECEIVED.findall(log)) == len(_FINISHED.findall(log))


@pytest.fixture
def worker(transactional_db, redis_broker, smtp_server, tmp_path):
    if connection.vendor != "postgresql":
        # Not a missing service: a worker belongs to the production set-up (PostgreSQL
        # and Redis); on the embedded SQLite default, work runs in-process and these
        # paths are tested without a worker. CI runs these in its PostgreSQL pass.
        pytest.skip(
            "a Celery worker runs against PostgreSQL (production set-up); on SQLite work runs "
            "in-process. CI runs these tests in its PostgreSQL pass"
        )
    worker = Worker(smtp_port=smtp_server.port, log_dir=tmp_path)
    worker.start()
    yield worker
    worker.stop()
    if os.environ.get("REMINDER_TEST_SHOW_WORKER_LOG"):
        print(worker.log())


class CeleryProcess:
    """``celery -A dien_bien_portal <command>`` with the test settings and the given broker."""

    def __init__(self, command, *, broker_url, log_path, extra_args=(), extra_env=None):
        self.command = command
        self.log_path = log_path
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.test",
            "TEST_CELERY_BROKER_URL": broker_url,
            # The heartbeat touches no database; a private file keeps any other row away.
            "DATABASE_URL": f"sqlite:///{log_path.parent / 'unused.sqlite3'}",
            **(extra_env or {}),
        }
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dien_bien_portal", command, *extra_args],
                env=env,
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, marker, timeout=60):
        wait_for(lambda: marker in self.log() or self.process.poll() is not None, timeout, 0.1, self.command)
        assert self.process.poll() is None, f"celery {self.command} exited:\n{self.log()}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
