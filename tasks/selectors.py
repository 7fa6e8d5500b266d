"""Reads for reminders. Each function is a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Case, F, Max, Q, QuerySet, Value, When
from django.utils import timezone

from plans import permissions
from plans.models import Agency, Plan, ProgressReport
from plans.selectors import StatusDates, deadline_list_with_status, working_calendar_get
from plans.validators import split_email_list
from tasks.models import ReminderLog, ReminderPolicy, SweepRun
from tasks.policy import Policy


def reminder_policy_map() -> dict[int, Policy]:
    """Each plan's policy by plan id; plans that are not in it use ``DEFAULT_POLICY``."""
    return {
        row.plan_id: Policy(
            before_days=row.before_days,
            on_due_day=row.on_due_day,
            overdue_every=row.overdue_every_days,
            escalate_after=row.escalate_after_days,
        )
        for row in ReminderPolicy.objects.all()
    }


@dataclass(frozen=True)
class OpenDeadline:
    id: int
    # The real end (Civil Code Art. 148(5)): reminders count from it, not from the date
    # as written, so a deadline on a Saturday is "due today" on the Monday after.
    ends_on: datetime.date
    plan_id: int
    lead_agency_id: int
    lead_agency_active: bool
    coordinating_agency_id: int
    coordinating_agency_active: bool


def open_deadline_list_for_reminders(*, today: datetime.date, due_until: datetime.date) -> list[OpenDeadline]:
    """Deadlines of active plans that really end on or before ``due_until``, neither done
    (no accepted completion report, as ``plans.selectors`` defines it) nor waived. One
    query.

    The agency reminded is the one answerable for the deadline while it still exists;
    once a reorganisation has ended it, the task's lead today (its successor), which
    carries the open work it inherited."""
    dates = StatusDates(today=today, due_soon_until=today)
    # Before its end date an ended agency was still the one to remind (a sweep caught up
    # for a past day); an agency switched off by hand, or ended, is not.
    responsible_exists = Q(responsible_agency__ended_on__gt=today) | Q(
        responsible_agency__ended_on__isnull=True, responsible_agency__is_active=True
    )
    rows = (
        deadline_list_with_status(dates=dates)
        .filter(
            completed_on__isnull=True,
            waived_at__isnull=True,
            task__plan__status=Plan.Status.ACTIVE,
            ends_on__lte=due_until,
        )
        .annotate(
            reminded_agency_id=Case(
                When(responsible_exists, then=F("responsible_agency_id")), default=F("task__lead_agency_id")
            ),
            reminded_agency_active=Case(
                When(responsible_exists, then=Value(True)),
                default=F("task__lead_agency__is_active"),
                output_field=BooleanField(),
            ),
        )
        .values_list(
            "pk",
            "ends_on",
            "task__plan_id",
            "reminded_agency_id",
            "reminded_agency_active",
            "task__plan__coordinating_agency_id",
            "task__plan__coordinating_agency__is_active",
        )
    )
    return [OpenDeadline(*row) for row in rows.iterator(chunk_size=5000)]


def deadline_ids_done(*, deadline_ids) -> set[int]:
    """Which of these deadlines are done now (accepted completion report)."""
    today = timezone.localdate()
    dates = StatusDates(today=today, due_soon_until=today)
    done = deadline_list_with_status(dates=dates).filter(
        pk__in=list(deadline_ids), completed_on__isnull=False
    )
    return set(done.values_list("pk", flat=True))


def reminder_log_agencies_for_claim(*, claim_token: str) -> list[int]:
    return list(
        ReminderLog.objects.filter(claim_token=claim_token, state=ReminderLog.State.CLAIMED)
        .order_by("agency_id")
        .values_list("agency_id", flat=True)
        .distinct()
    )


def reminder_log_list_for_digest(*, claim_token: str) -> QuerySet[ReminderLog]:
    return (
        ReminderLog.objects.filter(claim_token=claim_token, state=ReminderLog.State.CLAIMED)
        .select_related("agency", "deadline__task__plan", "deadline__responsible_agency")
        .order_by("deadline__due_on", "deadline__task__plan__number", "deadline__task__code")
    )


def _users_seeing_all_agencies() -> Q:
    """Users whose role may see every agency (``plans.permissions.VIEW_ALL_AGENCIES``),
    through a group, their own permissions, or as superusers."""
    app_label, codename = permissions.VIEW_ALL_AGENCIES.split(".")
    holds = {"content_type__app_label": app_label, "codename": codename}
    return (
        Q(is_superuser=True)
        | Q(user_permissions__in=Permission.objects.filter(**holds))
        | Q(groups__permissions__in=Permission.objects.filter(**holds))
    )


def _agency_addresses(agency: Agency, *, reminders_only: bool, sees_all_only: bool = False) -> list[str]:
    """The agency's reminder addresses, then its active users' emails (only those who
    did not opt out, for reminders; only those who may see every agency, for a digest
    that lists other agencies' deadlines)."""
    users = get_user_model().objects.filter(agency=agency, is_active=True).exclude(email="")
    if reminders_only:
        users = users.filter(receives_reminders=True)
    if sees_all_only:
        users = users.filter(
            pk__in=get_user_model().objects.filter(_users_seeing_all_agencies()).values("pk")
        )
    return split_email_list(agency.reminder_emails) + list(
        users.order_by("pk").values_list("email", flat=True)
    )


def agency_reminder_recipients(*, agency: Agency, lists_other_agencies: bool = False) -> list[str]:
    """The agency's reminder addresses, then its active users with an email who have not
    opted out; each address once (case-insensitive), in that order. A digest that lists
    other agencies' deadlines (the coordinator's escalations) goes to the agency's own
    addresses and only to those of its users who may see every agency: an officer, who
    gets 404 on those deadlines in the portal, does not read them by email either."""
    return _unique(_agency_addresses(agency, reminders_only=True, sees_all_only=lists_other_agencies))


def report_returned_recipients(*, report: ProgressReport) -> list[str]:
    """The submitter, the lead agency's reminder addresses, its active users with an
    email (the opt-out is for reminders, not for a returned report)."""
    submitter = [report.submitted_by.email] if report.submitted_by and report.submitted_by.email else []
    agency = report.agency or report.deadline.responsible_agency
    return _unique(submitter + _agency_addresses(agency, reminders_only=False))


def report_get_for_notice(*, report_id: int) -> ProgressReport:
    return ProgressReport.objects.select_related(
        "deadline__task__plan", "deadline__responsible_agency", "agency", "submitted_by", "reviewed_by"
    ).get(pk=report_id)


def _unique(addresses):
    seen, result = set(), []
    for address in addresses:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(address.strip())
    return result


def sweep_time() -> datetime.time:
    """The time of day the daily sweep falls due (``REMINDER_SWEEP_AT``, local time)."""
    return datetime.time.fromisoformat(settings.REMINDER_SWEEP_AT)


def sweep_days_missed(*, before: datetime.date, calendar) -> list[datetime.date]:
    """Working days after the last completed sweep and before ``before``, oldest first, at
    most ``REMINDER_CATCH_UP_DAYS`` back. None before the first sweep ever: a new
    deployment does not send the reminders of days it never had."""
    last = SweepRun.objects.filter(day__lt=before).aggregate(last=Max("day"))["last"]
    if last is None:
        return []
    start = max(last, before - datetime.timedelta(days=settings.REMINDER_CATCH_UP_DAYS))
    days = (start + datetime.timedelta(days=n) for n in range(1, (before - start).days))
    return [day for day in days if calendar.is_working_day(day)]


def sweep_missed_since(*, now: datetime.datetime) -> datetime.date | None:
    """The first working day whose sweep fell due and has not run, or None (``/health/``).
    Today's is due from ``REMINDER_SWEEP_AT`` plus ``REMINDER_SWEEP_GRACE_MINUTES``."""
    now = timezone.localtime(now)
    calendar = working_calendar_get()
    missed = sweep_days_missed(before=now.date(), calendar=calendar)
    if missed:
        return missed[0]
    due_at = datetime.datetime.combine(now.date(), sweep_time()) + datetime.timedelta(
        minutes=settings.REMINDER_SWEEP_GRACE_MINUTES
    )
    today_due = calendar.is_working_day(now.date()) and now.replace(tzinfo=None) >= due_at
    if today_due and SweepRun.objects.exists() and not SweepRun.objects.filter(day=now.date()).exists():
        return now.date()
    return None
