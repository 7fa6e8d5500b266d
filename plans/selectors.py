"""Reads. Every query that joins, prefetches or aggregates lives here (DESIGN §4)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from plans.models import (
    ContentArea,
    Deadline,
    DeadlineStatus,
    Holiday,
    Plan,
    ProgressReport,
    Task,
)
from plans.working_days import WorkingCalendar


def _completion(reports: str) -> Q:
    """A deadline is done when a report that says "hoàn thành" has been accepted."""
    return Q(
        **{
            f"{reports}__review_state": ProgressReport.ReviewState.ACCEPTED,
            f"{reports}__state": ProgressReport.State.DONE,
        }
    )


def working_calendar_get() -> WorkingCalendar:
    rows = list(Holiday.objects.values_list("date", "kind"))
    return WorkingCalendar(
        days_off=[day for day, kind in rows if kind == Holiday.Kind.DAY_OFF],
        working_days=[day for day, kind in rows if kind == Holiday.Kind.WORKING_DAY],
    )


@dataclass(frozen=True)
class StatusDates:
    """What a status depends on besides the deadline itself: today, and the last due
    date that still counts as "sắp đến hạn" (``DUE_SOON_WORKING_DAYS`` working days on)."""

    today: datetime.date
    due_soon_until: datetime.date


def status_dates_get(*, today: datetime.date | None = None) -> StatusDates:
    today = today or timezone.localdate()
    due_soon_until = working_calendar_get().add_working_days(today, settings.DUE_SOON_WORKING_DAYS)
    return StatusDates(today=today, due_soon_until=due_soon_until)


def _status_case(*, done_on_time: Q, done: Q, due_on: str, period_start: str, dates: StatusDates) -> Case:
    """The classification of DESIGN §2 as one SQL expression, so that lists filter and
    count by status in the database. ``due_on`` and ``period_start`` name the columns of
    the open deadline; ``done_on_time`` and ``done`` say when it is done."""
    return Case(
        When(done_on_time, then=Value(DeadlineStatus.DONE_ON_TIME)),
        When(done, then=Value(DeadlineStatus.DONE_LATE)),
        When(Q(**{f"{due_on}__lt": dates.today}), then=Value(DeadlineStatus.OVERDUE)),
        When(Q(**{f"{due_on}__lte": dates.due_soon_until}), then=Value(DeadlineStatus.DUE_SOON)),
        When(Q(**{f"{period_start}__gt": dates.today}), then=Value(DeadlineStatus.NOT_YET_DUE)),
        When(Q(**{f"{due_on}__isnull": False}), then=Value(DeadlineStatus.IN_PROGRESS)),
        default=Value(None),
        output_field=CharField(),
    )


def deadline_list_with_status(*, dates: StatusDates) -> QuerySet[Deadline]:
    """All deadlines, each annotated with ``completed_on`` (local date of the accepted
    completion report's submission, or None) and ``status``."""
    return (
        Deadline.objects.annotate(completion=FilteredRelation("reports", condition=_completion("reports")))
        .annotate(completed_on=TruncDate("completion__submitted_at"))
        .annotate(
            status=_status_case(
                done_on_time=Q(completed_on__lte=F("due_on")),
                done=Q(completed_on__isnull=False),
                due_on="due_on",
                period_start="period_start",
                dates=dates,
            )
        )
    )


def task_list_with_current_deadline(*, dates: StatusDates) -> QuerySet[Task]:
    """All tasks, each annotated with its current deadline ``current_due_on`` (the
    earliest one not yet done; when all are done, the latest) and ``current_status``.

    One grouped join over deadlines and their accepted completion reports, so that the
    cost grows with the rows once, not once per task and status branch. A task whose
    deadlines are all done counts as done late if any of them was.
    """
    open_deadline = Q(completion__isnull=True)
    return (
        Task.objects.annotate(
            completion=FilteredRelation("deadlines__reports", condition=_completion("deadlines__reports"))
        )
        .annotate(
            open_due_on=Min("deadlines__due_on", filter=open_deadline),
            # Later periods start later, so the earliest open period start is the open
            # deadline's own.
            open_period_start=Min("deadlines__period_start", filter=open_deadline),
            deadline_count=Count("deadlines"),
            late_count=Count(
                "deadlines", filter=Q(completion__submitted_at__date__gt=F("deadlines__due_on"))
            ),
            last_due_on=Max("deadlines__due_on"),
        )
        .annotate(
            current_due_on=Coalesce(F("open_due_on"), F("last_due_on")),
            current_status=_status_case(
                done_on_time=Q(open_due_on__isnull=True, deadline_count__gt=0, late_count=0),
                done=Q(open_due_on__isnull=True, deadline_count__gt=0),
                due_on="open_due_on",
                period_start="open_period_start",
                dates=dates,
            ),
        )
    )


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("coordinating_agency").annotate(
        area_count=Count("areas", distinct=True), task_count=Count("tasks", distinct=True)
    )


def plan_list_with_content() -> QuerySet[Plan]:
    """Plans with their documents, areas and tasks (agencies included) prefetched."""
    tasks = Task.objects.select_related("lead_agency").prefetch_related("cooperating_agencies")
    areas = ContentArea.objects.prefetch_related(Prefetch("tasks", queryset=tasks))
    return Plan.objects.select_related("coordinating_agency").prefetch_related(
        "documents", Prefetch("areas", queryset=areas)
    )


def agency_scope(*, user, agency_field: str) -> Q:
    """What a user may see: everything with ``plans.view_all_agencies`` (coordinators,
    leaders), otherwise only rows whose ``agency_field`` task leads or cooperates with
    the user's own agency. A user without an agency sees nothing."""
    if user.has_perm("plans.view_all_agencies"):
        return Q()
    if user.agency_id is None:
        return Q(pk__in=[])
    return Q(**{f"{agency_field}__lead_agency": user.agency_id}) | Q(
        **{f"{agency_field}__cooperating_agencies": user.agency_id}
    )


def deadline_list_visible_to(*, user, dates: StatusDates) -> QuerySet[Deadline]:
    """Deadlines the user may open, with status. Distinct ids come from a subquery so
    that the cooperating-agency join never duplicates a row."""
    visible = Deadline.objects.filter(agency_scope(user=user, agency_field="task")).values("pk")
    return deadline_list_with_status(dates=dates).filter(pk__in=visible)
