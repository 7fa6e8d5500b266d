"""Reminders through the real parts: Redis, a `celery worker` process and an SMTP server.

These run in CI's PostgreSQL pass (the worker shares the test database); elsewhere
they skip with the reason when a part is missing.
"""

import datetime
import os
import re
import socket
import threading

import pytest
from django.db import connection

from tasks import services
from tasks.models import ReminderLog
from tasks.queue import enqueue
from tasks.tasks import digests_enqueue, reminder_sweep
from tasks.tests.conftest import SWEEP_DAY, deadline_make, wait_for, worker_idle

D = SWEEP_DAY


@pytest.fixture
def due_today(plan, agency):
    """Two deadlines of the lead agency reminded today, one also escalated: two digests."""
    return [
        deadline_make(plan=plan, lead_agency=agency, due_on=D),
        deadline_make(plan=plan, lead_agency=agency, due_on=D - datetime.timedelta(days=14)),
    ]


def rows():
    return list(ReminderLog.objects.order_by("pk").values("state", "attempts", "last_error", "agency_id"))


def settled(expected_rows):
    return len(rows()) == expected_rows and all(row["state"] != "claimed" for row in rows())


def test_two_sweeps_one_after_the_other_deliver_each_reminder_once(worker, smtp, due_today):
    for _ in range(2):
        enqueue(reminder_sweep, today=D.isoformat())
    wait_for(lambda: settled(3) and len(smtp.delivered) >= 2, 30, message="two digests")
    wait_for(lambda: worker_idle(worker), 30, message="every queued task to finish")
    assert smtp.subjects() == [
        "[Nhắc việc] Sở Ngoại vụ: 1 nhiệm vụ quá hạn của 1 đơn vị cần đôn đốc",
        "[Nhắc việc] Sở TT&TT: 1 nhiệm vụ đến hạn hôm nay, 1 nhiệm vụ quá hạn",
    ]
    assert [(row["state"], row["attempts"]) for row in rows()] == [("sent", 1)] * 3


def test_two_sweeps_at_the_same_moment_deliver_each_reminder_once(worker, smtp, due_today):
    barrier = threading.Barrier(2)
    claimed = []

    def sweep():
        try:
            barrier.wait(5)
            result = services.reminder_sweep(today=D)
            claimed.append(result.claimed)
            digests_enqueue(result.digests, today=D)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed) == [0, 3]
    wait_for(lambda: settled(3) and len(smtp.delivered) >= 2, 30, message="two digests")
    wait_for(lambda: worker_idle(worker), 30, message="every queued task to finish")
    assert len(smtp.delivered) == 2
    assert [(row["state"], row["attempts"]) for row in rows()] == [("sent", 1)] * 3


def test_transient_smtp_failures_are_retried_with_growing_delays(worker, smtp, plan, agency):
    deadline_make(plan=plan, lead_agency=agency, due_on=D)
    smtp.fail_first = 3  # 451 to the first three attempts
    enqueue(reminder_sweep, today=D.isoformat())
    wait_for(lambda: settled(1), 30, message="the digest after retries")
    assert len(smtp.delivered) == 1 and len(smtp.attempts) == 4
    gaps = [later - earlier for earlier, later in zip(smtp.attempts, smtp.attempts[1:], strict=False)]
    # REMINDER_RETRY_BASE_SECONDS=0.5 in the worker: 0.5, 1 and 2 seconds.
    for gap, expected in zip(gaps, [0.5, 1.0, 2.0], strict=True):
        assert gap >= expected * 0.9, gaps
    assert gaps[0] < gaps[1] < gaps[2], gaps
    row = ReminderLog.objects.get()
    assert (row.state, row.attempts, row.last_error) == ("sent", 4, "")


def test_a_permanent_smtp_failure_marks_the_row_failed_with_the_answer_and_stops(worker, smtp, plan, agency):
    deadline_make(plan=plan, lead_agency=agency, due_on=D)
    smtp.permanent = True
    enqueue(reminder_sweep, today=D.isoformat())
    wait_for(lambda: settled(1), 30, message="the failed row")
    # A retry would keep the worker busy (received again, held for its delay): none comes.
    wait_for(lambda: worker_idle(worker), 30, message="every queued task to finish")
    assert not re.search(r"reminder_digest_send\[[0-9a-f-]+\] retry", worker.log())
    row = ReminderLog.objects.get()
    assert (row.state, row.attempts) == ("failed", 1)
    assert row.last_error == "550 5.1.1 Mailbox unavailable"
    assert len(smtp.attempts) == 1 and smtp.delivered == []


def test_transient_failures_that_never_end_stop_after_the_retries_and_mark_failed(worker, smtp, plan, agency):
    deadline_make(plan=plan, lead_agency=agency, due_on=D)
    smtp.fail_first = 1000
    enqueue(reminder_sweep, today=D.isoformat())
    wait_for(lambda: settled(1), 30, message="the failed row")
    row = ReminderLog.objects.get()
    # REMINDER_MAX_RETRIES=3 in the worker: the first attempt and three retries.
    assert (row.state, row.attempts) == ("failed", 4)
    assert "451 4.3.0 Try again later" in row.last_error and len(smtp.attempts) == 4


def test_a_worker_killed_after_the_claim_and_before_the_send_loses_nothing(
    worker, smtp, plan, agency, settings
):
    deadline_make(plan=plan, lead_agency=agency, due_on=D)
    smtp.hold = True  # the worker is in the middle of the SMTP conversation...
    enqueue(reminder_sweep, today=D.isoformat())
    assert smtp.arrived.wait(30), worker.log()
    worker.kill()  # ...when it is killed
    smtp.hold = False
    assert smtp.delivered == []
    assert [row["state"] for row in rows()] == ["claimed"]

    worker.start()
    settings.REMINDER_CLAIM_STALE_SECONDS = 0  # any claim not sent yet is stale
    result = services.reminder_sweep(today=D)  # the next sweep
    assert result.claimed == 1  # the stale claim, taken again
    digests_enqueue(result.digests, today=D)
    wait_for(lambda: len(smtp.delivered) == 1 and settled(1), 30, message="the digest")
    wait_for(lambda: worker_idle(worker), 30, message="every queued task to finish")
    assert len(smtp.delivered) == 1
    row = ReminderLog.objects.get()
    assert (row.state, row.attempts) == ("sent", 2)


def test_a_worker_killed_mid_send_is_known_dead_when_it_starts_again(worker, smtp, plan, agency):
    """No stale window to wait for: the restarted worker of the same name claims at once
    what its killed predecessor held (the worker's REMINDER_CLAIM_STALE_SECONDS is the
    default 45 minutes)."""
    worker.stop()
    worker.name = f"reminders-restart-{os.getpid()}@%h"
    worker.start()
    deadline_make(plan=plan, lead_agency=agency, due_on=D)
    smtp.hold = True
    enqueue(reminder_sweep, today=D.isoformat())
    assert smtp.arrived.wait(30), worker.log()
    worker.kill()
    smtp.hold = False
    row = ReminderLog.objects.get()
    assert (row.state, row.held_by) == ("claimed", worker.name.replace("%h", socket.gethostname()))

    worker.start()  # the same name, as systemd restarts it
    wait_for(lambda: len(smtp.delivered) == 1 and settled(1), 30, message="the digest after the restart")
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    # Once: the message of the killed attempt, redelivered or not, finds nothing to send.
    wait_for(lambda: worker_idle(worker), 30, message="every queued task to finish")
    assert len(smtp.delivered) == 1
