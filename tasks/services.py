"""Writes for reminders: the sweep that claims ledger rows, the digest that sends them,
and the notice of a returned report. Celery tasks (``tasks.tasks``) and the
``send_reminders`` command call these; nothing here needs a broker."""

import datetime
import logging
import smtplib
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.models import Agency, ProgressReport
from plans.selectors import working_calendar_get
from tasks import selectors
from tasks.models import ReminderLog, SweepRun
from tasks.policy import DEFAULT_POLICY, ReminderDay

logger = logging.getLogger(__name__)


class ReminderSendDeferred(Exception):
    """A transient failure (SMTP 4xx, connection): the rows stay claimed under
    ``claim_token`` and the sender may try again."""

    def __init__(self, message, *, claim_token):
        super().__init__(message)
        self.claim_token = claim_token


def _new_token():
    return uuid.uuid4().hex


# --- the sweep -----------------------------------------------------------------------


@dataclass
class SweepResult:
    today: datetime.date
    is_working_day: bool
    # (agency id, kind) → number of deadlines due for a reminder today.
    planned: Counter = field(default_factory=Counter)
    claimed: int = 0
    # One claim per agency that gets a digest: (agency id, claim token).
    digests: list = field(default_factory=list)
    # Earlier working days whose missed sweep this one made up.
    late_days: list = field(default_factory=list)


def _planned_reminders(*, today, calendar=None):
    """(deadline id, agency id, kind) of every reminder that falls on ``today``."""
    day = ReminderDay(today=today, calendar=calendar or working_calendar_get())
    if not day.is_working_day:
        return day, []
    policies = selectors.reminder_policy_map()
    horizon = day.horizon([DEFAULT_POLICY, *policies.values()])
    planned = []
    lead_kinds, escalations = {}, {}
    for deadline in selectors.open_deadline_list_for_reminders(today=today, due_until=horizon):
        policy = policies.get(deadline.plan_id, DEFAULT_POLICY)
        key = (deadline.ends_on, policy)
        if key not in lead_kinds:
            lead_kinds[key] = day.lead_kind(deadline.ends_on, policy)
            escalations[key] = day.escalates(deadline.ends_on, policy)
        if lead_kinds[key] and deadline.lead_agency_active:
            planned.append((deadline.id, deadline.lead_agency_id, lead_kinds[key]))
        if escalations[key] and deadline.coordinating_agency_active:
            planned.append((deadline.id, deadline.coordinating_agency_id, ReminderLog.Kind.ESCALATION))
    return day, planned


def reminder_sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> SweepResult:
    """Claim the reminders of ``today``, and of every working day since the last completed
    sweep (``SweepRun``), in the ledger; return one claim per agency to send.

    Claims are INSERTs against the ledger's unique key: of two sweeps for the same day,
    running one after the other or at the same moment, each row is inserted by exactly
    one, and a sweep sends only the rows that carry its own token. So claiming a missed
    day again later is safe, and its reminders go out once, marked late. Rows claimed
    long ago and still not sent (their worker died) are claimed again. ``dry_run``
    computes today's and counts, and writes nothing. A fixed number of queries per day
    swept, whatever the number of deadlines.
    """
    today = today or timezone.localdate()
    calendar = working_calendar_get()
    if dry_run:
        day, planned = _planned_reminders(today=today, calendar=calendar)
        result = SweepResult(today=today, is_working_day=day.is_working_day)
        result.planned = Counter((agency_id, kind) for _deadline_id, agency_id, kind in planned)
        return result
    return _sweep_days(
        days=[*selectors.sweep_days_missed(before=today, calendar=calendar), today], today=today
    )


def reminder_catch_up(*, now: datetime.datetime | None = None) -> SweepResult:
    """The sweeps that fell due and did not run: every working day after the last completed
    one, today included once its sweep time (``REMINDER_SWEEP_AT``) has passed. Run by
    the retry sweep and at each worker's start; does nothing when nothing was missed."""
    now = timezone.localtime(now)
    today = now.date()
    calendar = working_calendar_get()
    days = selectors.sweep_days_missed(before=today, calendar=calendar)
    if now.time() >= selectors.sweep_time() and not SweepRun.objects.filter(day=today).exists():
        days.append(today)
    return _sweep_days(days=days, today=today, calendar=calendar)


def _sweep_days(*, days, today, calendar=None):
    calendar = calendar or working_calendar_get()
    result = SweepResult(today=today, is_working_day=calendar.is_working_day(today))
    token, now = _new_token(), timezone.now()
    with transaction.atomic():
        for day in days:
            sweep_day, planned = _planned_reminders(today=day, calendar=calendar)
            if not sweep_day.is_working_day:
                continue
            if day == today:
                result.planned = Counter((agency_id, kind) for _deadline_id, agency_id, kind in planned)
            else:
                result.late_days.append(day)
            # Generated rows, valid by construction: no full_clean(), which would cost a
            # uniqueness query per row; the unique key itself decides who claims what.
            ReminderLog.objects.bulk_create(
                [
                    ReminderLog(
                        deadline_id=deadline_id,
                        agency_id=agency_id,
                        kind=kind,
                        remind_on=day,
                        claim_token=token,
                        claimed_at=now,
                    )
                    for deadline_id, agency_id, kind in planned
                ],
                ignore_conflicts=True,
            )
            claimed = ReminderLog.objects.filter(claim_token=token, remind_on=day).count()
            SweepRun.objects.update_or_create(
                day=day, defaults={"completed_at": now, "claimed": claimed, "late": day < today}
            )
        _reclaim_stale(token=token, now=now)
    if result.late_days:
        logger.warning(
            "Reminder sweep caught up missed days: %s", ", ".join(day.isoformat() for day in result.late_days)
        )
    agencies = selectors.reminder_log_agencies_for_claim(claim_token=token)
    result.claimed = ReminderLog.objects.filter(claim_token=token).count()
    result.digests = [(agency_id, token) for agency_id in agencies]
    return result


def _reclaim_stale(*, token, now):
    cutoff = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_STALE_SECONDS)
    # One UPDATE: of two sweeps, the second finds the rows fresh again and leaves them.
    return ReminderLog.objects.filter(state=ReminderLog.State.CLAIMED, claimed_at__lt=cutoff).update(
        claim_token=token, claimed_at=now
    )


def reminder_dead_holder_reclaim(*, holder: str) -> list:
    """A worker named ``holder`` has just started: whatever a worker of that name held is
    not being sent by anyone (it was killed, or its host restarted), so it is claimed
    again now, not after REMINDER_CLAIM_STALE_SECONDS. One claim per agency."""
    if not holder:
        return []
    token = _new_token()
    with transaction.atomic():
        ReminderLog.objects.filter(state=ReminderLog.State.CLAIMED, held_by=holder).update(
            claim_token=token, claimed_at=timezone.now(), held_by=""
        )
    return [(agency_id, token) for agency_id in selectors.reminder_log_agencies_for_claim(claim_token=token)]


def reminder_stale_reclaim() -> list:
    """The retry sweep: claim again what a dead worker left, one claim per agency."""
    token = _new_token()
    with transaction.atomic():
        _reclaim_stale(token=token, now=timezone.now())
    return [(agency_id, token) for agency_id in selectors.reminder_log_agencies_for_claim(claim_token=token)]


@transaction.atomic
def reminder_log_resend_refused(*, log_ids) -> list:
    """Send again, to the refused addresses only, rows sent to the others; one claim per
    agency. Returns the claims, like the sweep."""
    token = _new_token()
    rows = ReminderLog.objects.filter(pk__in=list(log_ids), state=ReminderLog.State.SENT).exclude(refused="")
    by_refused = defaultdict(list)  # one UPDATE per distinct set of refused addresses
    for pk, refused in rows.values_list("pk", "refused"):
        by_refused[refused].append(pk)
    for refused, pks in by_refused.items():
        addresses = [line.split(":", 1)[0].strip() for line in refused.splitlines() if ":" in line]
        ReminderLog.objects.filter(pk__in=pks).update(
            state=ReminderLog.State.CLAIMED,
            claim_token=token,
            claimed_at=timezone.now(),
            resend_to=", ".join(addresses),
        )
    agencies = selectors.reminder_log_agencies_for_claim(claim_token=token)
    return [(agency_id, token) for agency_id in agencies]


@transaction.atomic
def reminder_log_resend(*, log_ids) -> list:
    """Put failed rows back in the queue (the admin's "Gửi lại"); one claim per agency."""
    token = _new_token()
    ReminderLog.objects.filter(pk__in=list(log_ids), state=ReminderLog.State.FAILED).update(
        state=ReminderLog.State.CLAIMED, claim_token=token, claimed_at=timezone.now(), last_error=""
    )
    agencies = selectors.reminder_log_agencies_for_claim(claim_token=token)
    return [(agency_id, token) for agency_id in agencies]


# --- the digest ----------------------------------------------------------------------


@dataclass
class DigestResult:
    state: str  # "nothing", "sent", "failed"
    count: int = 0
    recipients: list = field(default_factory=list)
    error: str = ""
    refused: str = ""


def _deadline_url(deadline):
    return settings.SITE_URL.rstrip("/") + reverse("deadline-detail", kwargs={"pk": deadline.pk})


def _short_date(day):
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _due_text(deadline):
    """ "26/12/2026, hết hạn 28/12/2026" when the date falls on a day off."""
    if deadline.ends_on == deadline.due_on:
        return _short_date(deadline.due_on)
    return f"{_short_date(deadline.due_on)}, hết hạn {_short_date(deadline.ends_on)}"


def _digest_item(row, today):
    deadline = row.deadline
    days = (deadline.ends_on - today).days
    if days > 0:
        when = ngettext("còn %(n)d ngày", "còn %(n)d ngày", days) % {"n": days}
    elif days == 0:
        when = _("hạn hôm nay")
    else:
        when = ngettext("quá hạn %(n)d ngày", "quá hạn %(n)d ngày", -days) % {"n": -days}
    return {
        "plan": deadline.task.plan.number,
        "task_code": deadline.task.code,
        "task_title": deadline.task.title,
        "agency": str(deadline.responsible_agency),
        "period_label": deadline.cycle_label,  # "" for a one-off deadline: its date says it
        "due_on": _due_text(deadline),
        "when": when,
        "url": _deadline_url(deadline),
        # A missed sweep made up later: the reminder of an earlier day, sent late.
        "late_from": _short_date(row.remind_on) if row.remind_on < today else "",
    }


_SECTIONS = [
    (ReminderLog.Kind.BEFORE, "nhiệm vụ sắp đến hạn"),
    (ReminderLog.Kind.DUE, "nhiệm vụ đến hạn hôm nay"),
    (ReminderLog.Kind.OVERDUE, "nhiệm vụ quá hạn"),
    (ReminderLog.Kind.ESCALATION, "nhiệm vụ quá hạn của các đơn vị cần đôn đốc"),
]


def digest_message_build(*, agency: Agency, rows, recipients, today) -> EmailMultiAlternatives:
    """One email listing every row, grouped by kind (HTML and plain text, Vietnamese)."""
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(_digest_item(row, today))
    sections, counts = [], []
    for kind, label in _SECTIONS:
        items = by_kind.get(kind)
        if not items:
            continue
        if kind == ReminderLog.Kind.ESCALATION:
            agencies = len({item["agency"] for item in items})
            counts.append(
                _("%(n)d nhiệm vụ quá hạn của %(m)d đơn vị cần đôn đốc") % {"n": len(items), "m": agencies}
            )
        else:
            counts.append(f"{len(items)} {_(label)}")
        sections.append({"kind": kind, "title": ReminderLog.Kind(kind).label, "items": items})
    subject = _("[Nhắc việc] %(agency)s: %(counts)s") % {"agency": agency, "counts": ", ".join(counts)}
    late_days = sorted({row.remind_on for row in rows if row.remind_on < today})
    context = {
        "agency": agency,
        "late_days": ", ".join(_short_date(day) for day in late_days),
        "today": _short_date(today),
        "sections": sections,
        "summary": ", ".join(counts),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("tasks/email/reminder_digest.txt", context),
        to=recipients,
    )
    message.attach_alternative(render_to_string("tasks/email/reminder_digest.html", context), "text/html")
    return message


def smtp_failure_classify(exc):
    """(permanent?, the server's answer) for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPResponseException):
        answer = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return exc.smtp_code >= 500, f"{exc.smtp_code} {answer}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _answer in exc.recipients.values()]
        answers = "; ".join(
            f"{address}: {code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
            for address, (code, answer) in exc.recipients.items()
        )
        return all(code >= 500 for code in codes), answers
    return False, f"{type(exc).__name__}: {exc}"


def reminder_digest_send(
    *, agency: Agency, claim_token: str, today: datetime.date, holder: str = ""
) -> DigestResult:
    """Send the agency's digest of the rows claimed under ``claim_token``.

    The rows are first taken under a fresh token, with the attempt counted, in one
    UPDATE: a second delivery of the same queued message finds nothing left to send.
    Sent → ``sent``; a permanent SMTP answer (5xx) or no address → ``failed`` with the
    reason; a transient one raises ``ReminderSendDeferred`` with the new token.
    Not one transaction on purpose: the attempt is committed before the SMTP
    conversation, so that a worker killed during it leaves the count behind.
    """
    attempt_token = _new_token()
    with transaction.atomic():
        taken = ReminderLog.objects.filter(
            agency=agency, claim_token=claim_token, state=ReminderLog.State.CLAIMED
        ).update(
            claim_token=attempt_token, claimed_at=timezone.now(), attempts=F("attempts") + 1, held_by=holder
        )
    if not taken:
        return DigestResult(state="nothing")
    rows = list(selectors.reminder_log_list_for_digest(claim_token=attempt_token))
    mine = ReminderLog.objects.filter(claim_token=attempt_token, state=ReminderLog.State.CLAIMED)
    # A deadline completed since the claim (a retry, a stale claim) is no longer
    # reminded: its claim is withdrawn, so the ledger shows only what was sent or failed.
    done = selectors.deadline_ids_done(deadline_ids={row.deadline_id for row in rows})
    if done:
        mine.filter(deadline_id__in=done).delete()
        rows = [row for row in rows if row.deadline_id not in done]
        if not rows:
            return DigestResult(state="nothing")
    # Inherited work (an ended agency's deadline, now the task lead's) is the agency's own.
    others = any(
        agency.pk not in (row.deadline.responsible_agency_id, row.deadline.task.lead_agency_id)
        for row in rows
    )
    recipients = selectors.agency_reminder_recipients(agency=agency, lists_other_agencies=others)
    # "Gửi lại cho các địa chỉ bị từ chối": those addresses only, not the whole list again.
    resend_to = sorted({address for row in rows for address in _address_list(row.resend_to)})
    if resend_to:
        recipients = resend_to
    if not recipients:
        error = _("Đơn vị chưa có địa chỉ email nhận nhắc việc (email đơn vị hoặc người dùng).")
        mine.update(state=ReminderLog.State.FAILED, last_error=error)
        logger.warning("Reminder digest for %s not sent: no recipients", agency.code)
        return DigestResult(state="failed", count=len(rows), error=error)
    message = digest_message_build(agency=agency, rows=rows, recipients=recipients, today=today)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        permanent, answer = smtp_failure_classify(exc)
        if permanent:
            refused = answer if isinstance(exc, smtplib.SMTPRecipientsRefused) else ""
            mine.update(state=ReminderLog.State.FAILED, last_error=answer, refused=refused)
            logger.error("Reminder digest for %s refused: %s", agency.code, answer)
            return DigestResult(state="failed", count=len(rows), recipients=recipients, error=answer)
        mine.update(last_error=answer)
        logger.warning("Reminder digest for %s deferred: %s", agency.code, answer)
        raise ReminderSendDeferred(answer, claim_token=attempt_token) from exc
    refused = refused_recipients_text(message)
    if refused:
        logger.warning("Reminder digest for %s: some recipients refused: %s", agency.code, refused)
    mine.update(
        state=ReminderLog.State.SENT,
        sent_at=timezone.now(),
        recipients=", ".join(recipients),
        refused=refused,
        resend_to="",
        last_error="",
    )
    return DigestResult(state="sent", count=len(rows), recipients=recipients, refused=refused)


def _address_list(text):
    return [address.strip() for address in text.split(",") if address.strip()]


def refused_recipients_text(message) -> str:
    """The addresses the server refused while accepting others, with its answers, one
    per line ("a@b: 550 5.1.1 …"); recorded by ``tasks.mail.EmailBackend``, empty with
    other backends."""
    return "\n".join(
        f"{address}: {code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
        for address, (code, answer) in sorted(getattr(message, "refused_recipients", {}).items())
    )


def reminder_log_fail(*, claim_token: str, error: str) -> int:
    """Give up on rows whose transient failures outlasted the retries."""
    return ReminderLog.objects.filter(claim_token=claim_token, state=ReminderLog.State.CLAIMED).update(
        state=ReminderLog.State.FAILED, last_error=error
    )


# --- a returned report ---------------------------------------------------------------


def report_returned_notify(*, report: ProgressReport) -> list[str]:
    """Tell the lead agency that the coordinator returned its report for rework.
    Returns the recipients; SMTP errors propagate (the Celery task retries them)."""
    deadline = report.deadline
    task = deadline.task
    agency = report.agency or deadline.responsible_agency
    recipients = selectors.report_returned_recipients(report=report)
    if not recipients:
        logger.warning("Returned report %s: the agency has no email address", report.pk)
        return []
    context = {
        "report": report,
        "deadline": deadline,
        "task": task,
        "agency": agency,
        "due_on": _due_text(deadline),
        "reviewed_at": formats.date_format(timezone.localtime(report.reviewed_at), "SHORT_DATETIME_FORMAT")
        if report.reviewed_at
        else "",
        "url": _deadline_url(deadline),
    }
    subject = _("[Trả lại báo cáo] %(agency)s – %(code)s – %(period)s") % {
        "agency": agency,
        "code": task.code,
        "period": deadline.period_text,
    }
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("tasks/email/report_returned.txt", context), to=recipients
    )
    message.attach_alternative(render_to_string("tasks/email/report_returned.html", context), "text/html")
    message.send()
    refused = refused_recipients_text(message)
    if refused:
        logger.warning("Returned report %s: some recipients refused: %s", report.pk, refused)
    return recipients
