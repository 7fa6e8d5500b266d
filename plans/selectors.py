"""Reads. Every query that joins, prefetches or aggregates lives here (DESIGN §4)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
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

# A deadline is done when a report that says "hoàn thành" has been accepted.
_ACCEPTED_COMPLETION = {
    "review_state": ProgressReport.ReviewState.ACCEPTED,
    "state": ProgressReport.State.DONE,
}


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


def _status_case(*, due_on: str, period_start: str, completed_on: str, dates: StatusDates) -> Case:
    """The classification of DESIGN §2 as one SQL expression over three columns, so that
    lists filter and count by status in the database."""
    done = Q(**{f"{completed_on}__isnull": False})
    return Case(
        When(done & Q(**{f"{completed_on}__lte": F(due_on)}), then=Value(DeadlineStatus.DONE_ON_TIME)),
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
    completion_condition = Q(**{f"reports__{key}": value for key, value in _ACCEPTED_COMPLETION.items()})
    return (
        Deadline.objects.annotate(completion=FilteredRelation("reports", condition=completion_condition))
        .annotate(completed_on=TruncDate("completion__submitted_at"))
        .annotate(
            status=_status_case(
                due_on="due_on", period_start="period_start", completed_on="completed_on", dates=dates
            )
        )
    )


def task_list_with_current_deadline(*, dates: StatusDates) -> QuerySet[Task]:
    """All tasks, each annotated with its current deadline (the earliest one not yet
    done; when all are done, the latest) and that deadline's ``current_status``."""
    completion = ProgressReport.objects.filter(deadline=OuterRef("pk"), **_ACCEPTED_COMPLETION)
    open_deadlines = (
        Deadline.objects.filter(task=OuterRef("pk")).exclude(Exists(completion)).order_by("due_on")
    )
    latest_deadline = Deadline.objects.filter(task=OuterRef("pk")).order_by("-due_on")
    current_completion = ProgressReport.objects.filter(
        deadline__task=OuterRef("pk"),
        deadline__due_on=OuterRef("current_due_on"),
        **_ACCEPTED_COMPLETION,
    )
    return (
        Task.objects.annotate(
            current_due_on=Coalesce(
                Subquery(open_deadlines.values("due_on")[:1]),
                Subquery(latest_deadline.values("due_on")[:1]),
            ),
            # Only read while the deadline is open: a done one's status ignores it.
            current_period_start=Subquery(open_deadlines.values("period_start")[:1]),
        )
        .annotate(current_completed_on=TruncDate(Subquery(current_completion.values("submitted_at")[:1])))
        .annotate(
            current_status=_status_case(
                due_on="current_due_on",
                period_start="current_period_start",
                completed_on="current_completed_on",
                dates=dates,
            )
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
