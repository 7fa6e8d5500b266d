"""Real services for the health and outage tests: a redis-server of the test's own, and
``celery beat`` / ``celery worker`` processes.

Each missing tool skips with its reason, or fails with ``CI=true`` (``require``).
"""

import os
import subprocess
import sys

import pytest
import redis
from django.conf import settings

from plans.tests.environment import require

# private_redis: a redis-server of the test's own, shared with the reminder tests.
from tasks.tests.conftest import REDIS_URL, private_redis, redis_reachable, wait_for  # noqa: F401


@pytest.fixture
def test_redis(settings):
    """The machine's Redis, in the tests' own database (REMINDER_TEST_REDIS_URL), as the broker."""
    require(redis_reachable(), f"Redis is not reachable at {REDIS_URL}")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    settings.CELERY_BROKER_URL = REDIS_URL
    yield client
    client.flushdb()


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
                cwd=settings.BASE_DIR,
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
