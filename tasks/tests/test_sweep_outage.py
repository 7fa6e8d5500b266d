"""The broker down at the very moment the daily sweep falls due, with a real ``celery
beat``, a real worker and a real SMTP server: beat cannot queue the sweep and moves on;
once Redis is back, the retry sweep makes the day up, and each reminder goes out once.

A private redis-server stands in for the broker, so stopping it touches nothing else.
Runs in CI's PostgreSQL pass (the worker shares the test database).
"""

import datetime
import os
import time

import pytest
from django.db import connection
from django.utils import timezone

from plans.models import Holiday
from plans.working_days import WorkingCalendar
from tasks.models import ReminderLog, SweepRun
from tasks.tests.conftest import CeleryProcess, Worker, deadline_make, wait_for


def _sweep_moment():
    """The next whole minute at least 25 s away (local time): time to start beat first."""
    now = timezone.localtime()
    moment = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    if (moment - now).total_seconds() < 25:
        moment += datetime.timedelta(minutes=1)
    return moment


def _wait_until(moment):
    remaining = (moment - timezone.localtime()).total_seconds()
    if remaining > 0:
        time.sleep(remaining)  # a wall-clock moment to reach, not a proof of anything


def test_redis_down_as_the_sweep_falls_due_the_day_is_made_up_once(
    transactional_db, private_redis, smtp_server, smtp, plan, agency, tmp_path, settings
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "a Celery worker runs against PostgreSQL (production set-up); CI runs this test in its "
            "PostgreSQL pass"
        )
    moment = _sweep_moment()
    day = moment.date()
    if not WorkingCalendar().is_working_day(day):
        # The sweep sends nothing on a day off: make the test's day a worked one.
        Holiday.objects.create(date=day, kind=Holiday.Kind.WORKING_DAY, name="Ngày làm bù (kiểm thử)")
    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=day)
    env = {
        "REMINDER_SWEEP_AT": moment.strftime("%H:%M"),
        # The retry sweep every minute, all day, for the test.
        "REMINDER_RETRY_SWEEP_HOURS": "*",
        "REMINDER_RETRY_SWEEP_MINUTES": "*",
    }
    worker = Worker(smtp_port=smtp_server.port, log_dir=tmp_path, broker_url=private_redis.url, extra_env=env)
    worker.start()
    # Beat gives up on the broker after two tries instead of about 50 minutes of them:
    # the same loss as a longer outage, in seconds.
    beat_env = {**env, "CELERY_BROKER_CONNECTION_MAX_RETRIES": "2"}

    def start_beat(n):
        # Each start with a schedule file of its own, as a new container would: a beat
        # started again on its old file runs an entry it missed at once, which would hide
        # the loss this test is about (and does not happen when beat logs the failure and
        # carries on, or when its file is gone).
        schedule = str(tmp_path / f"beat-schedule-{n}")
        process = CeleryProcess(
            "beat",
            broker_url=private_redis.url,
            log_path=tmp_path / f"beat-{n}.log",
            extra_env=beat_env,
            extra_args=["-s", schedule, "--max-interval", "1", "--loglevel=INFO"],
        )
        process.wait_ready("beat: Starting")
        return process

    beat = start_beat(1)
    try:
        _wait_until(moment - datetime.timedelta(seconds=5))
        # Stopped, not paused: with a paused Redis the publish may already sit in the
        # server's socket buffer and be queued when it resumes, which loses nothing.
        private_redis.stop()
        # Beat could not queue the sweep: it logs so and goes on, or stops (out of tries)
        # and is started again, as its service manager would.
        wait_for(
            lambda: (
                "Couldn't apply scheduled task reminders-daily-sweep" in beat.log()
                or beat.process.poll() is not None
            ),
            60,
            0.2,
            "beat to fail to queue the daily sweep",
        )
        assert not SweepRun.objects.filter(day=day).exists()
        assert smtp.delivered == []

        private_redis.start()
        if beat.process.poll() is not None:
            beat = start_beat(2)
        wait_for(lambda: len(smtp.delivered) >= 1, 120, 0.2, "the day's digest after Redis came back")
        wait_for(
            lambda: not ReminderLog.objects.filter(state=ReminderLog.State.CLAIMED).exists(),
            30,
            0.2,
            "the ledger to settle",
        )
        assert [item["subject"] for item in smtp.delivered] == [
            "[Nhắc việc] Sở TT&TT: 1 nhiệm vụ đến hạn hôm nay"
        ]
        assert list(ReminderLog.objects.values_list("deadline_id", "remind_on", "state")) == [
            (deadline.pk, day, "sent")
        ]
        assert SweepRun.objects.get(day=day).claimed == 1
        # Made up by the retry sweep: beat never queued the daily sweep itself.
        assert "Task tasks.reminder_sweep[" not in worker.log()

        # Once: a restarted worker makes up what was missed first, and finds nothing.
        worker.stop()
        worker.start()
        wait_for(
            lambda: "reminder_stale_requeue" in worker.log() and "succeeded" in worker.log(),
            60,
            0.2,
            "the restarted worker's catch-up",
        )
        assert len(smtp.delivered) == 1
        assert ReminderLog.objects.count() == 1
    finally:
        beat.stop()
        worker.stop()
        if os.environ.get("REMINDER_TEST_SHOW_WORKER_LOG"):
            print(worker.log(), beat.log())  # noqa: T201
