"""/health/: status of the database, the broker's Redis and beat, on real services.

Failures are real ones: a database on a closed port, a redis-server stopped or frozen,
a heartbeat written long ago. The body must never carry the reason (exception text,
host, port); the log does.
"""

import datetime
import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dien_bien_portal.celery import app
from dien_bien_portal.tests.conftest import CeleryProcess
from plans.tests.fixtures import make_user
from tasks.heartbeat import HEARTBEAT_KEY, broker_redis, heartbeat_record
from tasks.tasks import beat_heartbeat
from tasks.tests.conftest import REDIS_URL, WORKER_TEST_ARGS, free_port, wait_for

pytestmark = pytest.mark.django_db

URL = "/health/"
DISABLED_BEAT = {"status": "disabled", "last_run": None, "age_seconds": None}
FAILED_BEAT = {"status": "fail", "last_run": None, "age_seconds": None}
DISABLED_SWEEP = {"status": "disabled", "missed_since": None}
SWEEP_OK = {"status": "ok", "missed_since": None}


def get_health(client):
    start = time.monotonic()
    response = client.get(URL)
    elapsed = time.monotonic() - start
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response, response.json(), elapsed


def assert_leaks_nothing(response, *secrets):
    body = response.content.decode()
    for secret in (
        "127.0.0.1",
        "localhost",
        "redis://",
        "postgres",
        "Error",
        "refused",
        "Traceback",
        *secrets,
    ):
        assert secret not in body, f"{secret!r} leaked into {body}"


def write_heartbeat(moment=None):
    with broker_redis(timeout=1) as client:
        return heartbeat_record(client=client, now=moment)


def test_route_is_health():
    assert reverse("health") == URL


def test_without_a_broker_redis_and_beat_are_disabled_and_do_not_fail(client):
    assert settings.CELERY_BROKER_URL == ""
    response, body, _ = get_health(client)
    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "redis": {"status": "disabled"},
            "beat": DISABLED_BEAT,
            "sweep": DISABLED_SWEEP,
        },
    }


def test_anonymous_answer_writes_no_session_and_runs_only_a_trivial_query(client, django_user_model):
    response, _, _ = get_health(client)
    assert response.status_code == 200  # no redirect to the login page
    assert not response.cookies and Session.objects.count() == 0

    client.force_login(make_user(django_user_model, "canbo", "officer"))
    session = Session.objects.get()
    with CaptureQueriesContext(connection) as queries:
        response, _, _ = get_health(client)
    assert response.status_code == 200 and not response.cookies
    assert Session.objects.get().expire_date == session.expire_date
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # A signed-in client's session is read (the idle-timeout check), never written; the
    # check itself runs one trivial query.
    others = ("SET LOCAL statement_timeout", 'SELECT "django_session"')
    own = [s for s in statements if not s.startswith(others)]
    assert own == ["SELECT 1"]
    assert not any(s.startswith(("UPDATE", "INSERT")) for s in statements)


def test_only_get_and_head(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_all_healthy_with_redis_and_a_heartbeat_the_worker_task_wrote(client, test_redis):
    before = timezone.now()
    written = beat_heartbeat()  # the task's own code, writing to the test's Redis database
    assert test_redis.get(HEARTBEAT_KEY).decode() == written

    response, body, elapsed = get_health(client)
    assert response.status_code == 200
    beat = body["checks"].pop("beat")
    assert body == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "redis": {"status": "ok"}, "sweep": SWEEP_OK},
    }
    assert beat["status"] == "ok" and 0 <= beat["age_seconds"] <= 5
    last_run = datetime.datetime.fromisoformat(beat["last_run"])
    assert last_run == datetime.datetime.fromisoformat(written)
    assert last_run >= before and last_run.utcoffset() == datetime.timedelta(hours=7)
    assert elapsed < 1


def test_missing_heartbeat_fails(client, test_redis, caplog):
    response, body, _ = get_health(client)
    assert response.status_code == 503
    assert body == {
        "status": "fail",
        "checks": {
            "database": {"status": "ok"},
            "redis": {"status": "ok"},
            "beat": FAILED_BEAT,
            "sweep": SWEEP_OK,
        },
    }
    assert "no beat heartbeat" in caplog.text


def test_stale_heartbeat_fails_after_beat_stale_seconds(client, test_redis, settings):
    assert settings.BEAT_STALE_SECONDS == 300  # the default
    write_heartbeat(timezone.now() - datetime.timedelta(seconds=400))

    response, body, _ = get_health(client)
    assert response.status_code == 503 and body["status"] == "fail"
    assert body["checks"]["redis"] == {"status": "ok"}
    assert body["checks"]["beat"]["status"] == "fail"
    assert 400 <= body["checks"]["beat"]["age_seconds"] <= 405

    settings.BEAT_STALE_SECONDS = 600
    response, body, _ = get_health(client)
    assert response.status_code == 200 and body["checks"]["beat"]["status"] == "ok"

    write_heartbeat(timezone.now() - datetime.timedelta(seconds=290))
    settings.BEAT_STALE_SECONDS = 300
    assert get_health(client)[0].status_code == 200


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_redis_down_answers_503_fast_and_logs_the_reason(client, private_redis, settings, caplog, outage):
    settings.CELERY_BROKER_URL = private_redis.url
    write_heartbeat()
    response, body, _ = get_health(client)
    assert response.status_code == 200 and body["checks"]["beat"]["status"] == "ok"

    getattr(private_redis, "stop" if outage == "stopped" else "freeze")()
    caplog.clear()
    response, body, elapsed = get_health(client)
    assert response.status_code == 503
    assert body == {
        "status": "fail",
        "checks": {
            "database": {"status": "ok"},
            "redis": {"status": "fail"},
            "beat": FAILED_BEAT,
            "sweep": SWEEP_OK,
        },
    }
    # Well within the 2 s budget: one HEALTH_CHECK_TIMEOUT (0.5 s) when frozen.
    assert elapsed < 1.5, f"{elapsed:.2f} s"
    assert_leaks_nothing(response, str(private_redis.port), "Timeout", "Connection")
    assert "the broker's Redis does not answer" in caplog.text
    assert str(private_redis.port) in caplog.text or "Timeout" in caplog.text


def test_database_unreachable_answers_503_without_the_reason(tmp_path):
    """A portal process whose database is a PostgreSQL address where nothing listens."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.test",
        "DATABASE_URL": f"postgres://portal:secret-word@127.0.0.1:{port}/portal_health_down",
        "TEST_CELERY_BROKER_URL": "",
    }
    program = (
        "import json, time, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "start = time.monotonic()\n"
        "response = Client().get('/health/')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.content.decode(),"
        " 'cache': response['Cache-Control'], 'elapsed': time.monotonic() - start}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert json.loads(answer["body"]) == {
        "status": "fail",
        "checks": {
            "database": {"status": "fail"},
            "redis": {"status": "disabled"},
            "beat": DISABLED_BEAT,
            "sweep": DISABLED_SWEEP,
        },
    }
    assert "no-store" in answer["cache"] and answer["elapsed"] < 2
    for secret in (str(port), "secret-word", "portal_health_down", "refused", "psycopg"):
        assert secret not in answer["body"]
    # …while the log says why.
    assert "the database (default) does not answer" in result.stderr
    assert str(port) in result.stderr


def test_beat_schedule_has_the_heartbeat_every_beat_heartbeat_seconds():
    entry = app.conf.beat_schedule["beat-heartbeat"]
    assert entry["task"] == "tasks.beat_heartbeat" and entry["task"] in app.tasks
    assert entry["schedule"] == settings.BEAT_HEARTBEAT_SECONDS == 60
    # Heartbeats queued while no worker ran expire instead of piling up.
    assert entry["options"]["expires"] <= settings.BEAT_STALE_SECONDS


def test_real_beat_and_worker_keep_the_heartbeat_fresh(client, test_redis, tmp_path):
    """``celery beat`` queues the heartbeat, ``celery worker`` runs it, /health/ sees it."""
    env = {"BEAT_HEARTBEAT_SECONDS": "1"}
    worker = CeleryProcess(
        "worker",
        broker_url=REDIS_URL,
        log_path=tmp_path / "worker.log",
        extra_env=env,
        extra_args=[*WORKER_TEST_ARGS, "-n", f"health-test-{os.getpid()}@%h"],
    )
    beat = CeleryProcess(
        "beat",
        broker_url=REDIS_URL,
        log_path=tmp_path / "beat.log",
        extra_env=env,
        extra_args=["--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule"), "--max-interval", "1"],
    )
    try:
        worker.wait_ready(" ready.")
        beat.wait_ready("beat: Starting")
        wait_for(lambda: test_redis.get(HEARTBEAT_KEY), 60, 0.2, "the first heartbeat")
        response, body, _ = get_health(client)
        assert response.status_code == 200, body
        assert body["checks"]["beat"]["status"] == "ok" and body["checks"]["beat"]["age_seconds"] <= 5
        first = body["checks"]["beat"]["last_run"]
        # It keeps beating.
        wait_for(
            lambda: get_health(client)[1]["checks"]["beat"]["last_run"] != first, 30, 0.5, "a later heartbeat"
        )
    finally:
        beat.stop()
        worker.stop()
    assert "Sending due task beat-heartbeat (tasks.beat_heartbeat)" in beat.log()
    assert "Task tasks.beat_heartbeat[" in worker.log()


@pytest.mark.parametrize(
    ("query", "expected"), [("", 5), ("?connect_timeout=2", 2)], ids=["default", "from the URL"]
)
def test_postgresql_connection_attempts_are_bounded(query, expected):
    """A database host that does not answer fails a request (and /health/) in seconds."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.test",
        "DATABASE_URL": f"postgres://portal@db.example:5432/portal{query}",
    }
    program = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['OPTIONS']['connect_timeout'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected)
