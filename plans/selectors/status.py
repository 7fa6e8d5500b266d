"""A deadline's status, as Vietnamese statistics classify it, computed in the database.

One SQL expression (``status_case``) classifies every deadline; lists, counts,
exports, the Word report, calendar feeds and reminders all read it from here."""

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
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from plans.models import (
    Deadline,
    DeadlineStatus,
    Holiday,
    Task,
    accepted_completion,
)
from plans.working_days import WorkingCalendar


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


def status_case(*, done_on_time: Q, done: Q, due_on: str, period_start: str, dates: StatusDates) -> Case:
    """The status classification (docs/architecture.md, Business rules) as one SQL
    expression, so that lists filter and count by status in the database. ``due_on`` and
    ``period_start`` name the columns of the open deadline; ``done_on_time`` and ``done``
    say when it is done."""
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
        Deadline.objects.annotate(
            completion=FilteredRelation("reports", condition=accepted_completion("reports"))
        )
        .annotate(completed_on=TruncDate("completion__submitted_at"))
        .annotate(
            status=status_case(
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
            completion=FilteredRelation(
                "deadlines__reports", condition=accepted_completion("deadlines__reports")
            )
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
            current_status=status_case(
                done_on_time=Q(open_due_on__isnull=True, deadline_count__gt=0, late_count=0),
                done=Q(open_due_on__isnull=True, deadline_count__gt=0),
                due_on="open_due_on",
                period_start="open_period_start",
                dates=dates,
            ),
        )
    )


# Statuses in the order dashboards show them, and the ones that count as open work.
STATUS_ORDER = [
    DeadlineStatus.OVERDUE,
    DeadlineStatus.DUE_SOON,
    DeadlineStatus.IN_PROGRESS,
    DeadlineStatus.DONE_LATE,
    DeadlineStatus.DONE_ON_TIME,
    DeadlineStatus.NOT_YET_DUE,
]


def status_counts(deadlines: QuerySet[Deadline]) -> dict[str, int]:
    """Number of deadlines per status, every status present (zero when none): one query."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in deadlines.order_by().values("status").annotate(n=Count("pk")):
        if row["status"] in counts:
            counts[row["status"]] = row["n"]
    return counts


def overdue_share(counts: dict[str, int]) -> float | None:
    """The headline figure: overdue deadlines as a share of those whose period has
    begun (everything but "chưa đến kỳ"). None when there are none."""
    started = sum(n for status, n in counts.items() if status != DeadlineStatus.NOT_YET_DUE)
    return counts[DeadlineStatus.OVERDUE] / started if started else None
