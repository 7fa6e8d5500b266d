"""Celery tasks: each takes ids, loads rows, calls one service and owns the retry policy."""

import datetime
import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from plans.models import Agency
from plans.selectors import evidence_orphan_list, evidence_problem_list
from tasks import heartbeat, selectors, services
from tasks.queue import enqueue

logger = logging.getLogger(__name__)


def _backoff(retries):
    """base, 2×base, 4×base… seconds (REMINDER_RETRY_BASE_SECONDS)."""
    return settings.REMINDER_RETRY_BASE_SECONDS * 2**retries


def digests_enqueue(digests, *, today) -> int:
    """Queue one digest per (agency, claim); returns how many went to the broker."""
    return sum(
        enqueue(reminder_digest_send, agency_id=agency_id, claim_token=token, today=today.isoformat())
        for agency_id, token in digests
    )


@shared_task(name="tasks.reminder_sweep")
def reminder_sweep(today=None):
    """Beat's daily sweep: claim today's reminders and queue one digest per agency."""
    day = datetime.date.fromisoformat(today) if today else None
    result = services.reminder_sweep(today=day)
    digests_enqueue(result.digests, today=result.today)
    return len(result.digests)


@shared_task(name="tasks.reminder_stale_requeue")
def reminder_stale_requeue(dead_holder=""):
    """Beat's retry sweep, and each worker's first job: a missed daily sweep is made up
    (late), and what a dead worker left claimed is sent again: at once for a worker
    known dead (``dead_holder``, the name of the worker that just started), after
    REMINDER_CLAIM_STALE_SECONDS for the rest."""
    caught_up = services.reminder_catch_up()
    digests_enqueue(caught_up.digests, today=caught_up.today)
    digests = services.reminder_dead_holder_reclaim(holder=dead_holder) + services.reminder_stale_reclaim()
    digests_enqueue(digests, today=timezone.localdate())
    return len(caught_up.digests) + len(digests)


reminder_stale_requeue.run_once = reminder_stale_requeue.run


@worker_ready.connect
def _catch_up_at_worker_start(sender, **kwargs):
    """A worker that starts after an outage (of itself, the broker or beat) first makes
    up what was missed, instead of waiting for the retry sweep."""
    enqueue(reminder_stale_requeue, dead_holder=sender.hostname)


def _digest_send_once(*, agency_id, claim_token, today):
    agency = Agency.objects.get(pk=agency_id)
    try:
        return services.reminder_digest_send(
            agency=agency, claim_token=claim_token, today=datetime.date.fromisoformat(today)
        )
    except services.ReminderSendDeferred:
        # Without a worker nothing retries now: the rows stay claimed and the next sweep
        # (or retry sweep) claims them again once they are stale.
        return None


@shared_task(
    bind=True,
    name="tasks.reminder_digest_send",
    max_retries=None,
    soft_time_limit=settings.REMINDER_SEND_SOFT_TIME_LIMIT,
    time_limit=settings.REMINDER_SEND_TIME_LIMIT,
)
def reminder_digest_send(self, *, agency_id, claim_token, today):
    agency = Agency.objects.get(pk=agency_id)
    try:
        services.reminder_digest_send(
            agency=agency,
            claim_token=claim_token,
            today=datetime.date.fromisoformat(today),
            holder=self.request.hostname or "",
        )
    except SoftTimeLimitExceeded:
        # The rows stay claimed; the retry sweep claims them again once they are stale.
        logger.error("Reminder digest for agency %s stopped at the time limit", agency_id)
    except services.ReminderSendDeferred as exc:
        if self.request.retries >= settings.REMINDER_MAX_RETRIES:
            services.reminder_log_fail(
                claim_token=exc.claim_token,
                error=f"Đã thử {self.request.retries + 1} lần, lần cuối: {exc}",
            )
            return
        raise self.retry(
            kwargs={"agency_id": agency_id, "claim_token": exc.claim_token, "today": today},
            countdown=_backoff(self.request.retries),
        ) from exc


reminder_digest_send.run_once = _digest_send_once


def _report_returned_notify_once(*, report_id):
    try:
        services.report_returned_notify(report=selectors.report_get_for_notice(report_id=report_id))
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not email the notice of returned report %s", report_id)


@shared_task(bind=True, name="tasks.report_returned_notify", max_retries=None)
def report_returned_notify(self, *, report_id):
    report = selectors.report_get_for_notice(report_id=report_id)
    try:
        services.report_returned_notify(report=report)
    except (smtplib.SMTPException, OSError) as exc:
        permanent, _answer = services.smtp_failure_classify(exc)
        if permanent or self.request.retries >= settings.REMINDER_MAX_RETRIES:
            logger.error("Notice of returned report %s not sent: %s", report_id, exc)
            return
        raise self.retry(countdown=_backoff(self.request.retries)) from exc


report_returned_notify.run_once = _report_returned_notify_once


@shared_task(name="tasks.beat_heartbeat")
def beat_heartbeat():
    """Beat queues this every BEAT_HEARTBEAT_SECONDS; the time the worker ran it is what
    /health/ reports as beat's last run."""
    with heartbeat.broker_redis(timeout=5.0) as client:
        return heartbeat.heartbeat_record(client=client).isoformat()


@shared_task(name="tasks.evidence_verify")
def evidence_verify():
    """Beat's weekly check that every evidence file is still the one uploaded (the same
    check as ``manage.py verify_evidence``): each missing or damaged file is logged as an
    error, each orphan file as a warning, for the operators' log monitoring."""
    problems = evidence_problem_list()
    for check in problems:
        logger.error("Evidence file #%s %s: %s", check.id, check.name, check.problem)
    # Files no report refers to (an upload whose transaction never committed); removed by
    # ``manage.py evidence_orphans --delete`` once someone has looked.
    for name in evidence_orphan_list(older_than=datetime.timedelta(days=1)):
        logger.warning("Evidence file %s belongs to no report (orphan)", name)
    return len(problems)
