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
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from plans.models import (
    STATUS_GROUP,
    Deadline,
    DeadlineStatus,
    ProgressReport,
    ReviewState,
    StatusGroup,
    Task,
    accepted_completion,
    working_calendar_load,
)
from plans.periods import ReportPeriod
from plans.working_days import WorkingCalendar

# Reports that were closed without review: replaced by a newer one, or withdrawn.
CLOSED_UNREVIEWED = [ReviewState.SUPERSEDED, ReviewState.WITHDRAWN]


def working_calendar_get() -> WorkingCalendar:
    return working_calendar_load()


@dataclass(frozen=True)
class StatusDates:
    """What a status depends on besides the deadline itself: today, and the last due
    date that still counts as "sắp đến hạn" (``DUE_SOON_WORKING_DAYS`` working days on)."""

    today: datetime.date
    due_soon_until: datetime.date


def status_dates_get(
    *, today: datetime.date | None = None, period: ReportPeriod | None = None
) -> StatusDates:
    """The dates statuses are computed at: today, or a report period's cut-off when it
    has passed (its figures are those of that day)."""
    today = today or timezone.localdate()
    if period is not None:
        today = period.as_of(today)
    due_soon_until = working_calendar_get().add_working_days(today, settings.DUE_SOON_WORKING_DAYS)
    return StatusDates(today=today, due_soon_until=due_soon_until)


def status_case(*, done_on_time: Q, done: Q, ends_on: str, waived: Q, dates: StatusDates) -> Case:
    """The status classification (docs/architecture.md, Business rules) as one SQL
    expression, so that lists filter and count by status in the database. ``ends_on``
    names the column of the open deadline's real end (Civil Code Art. 148(5)); ``waived``,
    ``done_on_time`` and ``done`` say when it is waived or done."""
    return Case(
        When(waived, then=Value(DeadlineStatus.WAIVED)),
        When(done_on_time, then=Value(DeadlineStatus.DONE_ON_TIME)),
        When(done, then=Value(DeadlineStatus.DONE_LATE)),
        # Overdue from the day after the real end, never on it.
        When(Q(**{f"{ends_on}__lt": dates.today}), then=Value(DeadlineStatus.OVERDUE)),
        When(Q(**{f"{ends_on}__lte": dates.due_soon_until}), then=Value(DeadlineStatus.DUE_SOON)),
        When(Q(**{f"{ends_on}__isnull": False}), then=Value(DeadlineStatus.NOT_YET_DUE)),
        default=Value(None),
        output_field=CharField(),
    )


def _report_waiting(deadline_ref: str = "pk") -> Exists:
    return Exists(
        ProgressReport.objects.filter(deadline=OuterRef(deadline_ref), review_state=ReviewState.SUBMITTED)
    )


def _report_any(deadline_ref: str = "pk") -> Exists:
    return Exists(
        ProgressReport.objects.filter(deadline=OuterRef(deadline_ref)).exclude(
            review_state__in=CLOSED_UNREVIEWED
        )
    )


def deadline_list_with_status(*, dates: StatusDates) -> QuerySet[Deadline]:
    """All deadlines, each annotated with ``status`` as of ``dates.today``, from the
    deadline's own columns (``completed_on`` is its accepted completion's local date).

    A completion submitted after ``dates.today`` does not count yet, so figures as of a
    period's cut-off date ignore what happened later."""
    return Deadline.objects.annotate(
        status=status_case(
            done_on_time=Q(completed_on__lte=F("ends_on")) & Q(completed_on__lte=dates.today),
            done=Q(completed_on__lte=dates.today),
            ends_on="ends_on",
            waived=Q(waived_at__isnull=False),
            dates=dates,
        ),
    )


def completion_day(deadline_ref: str = "pk") -> Subquery:
    """The local day the deadline's accepted completion report was sent (None without
    one), as a subquery: what ``Deadline.completed_on`` holds."""
    completion = ProgressReport.objects.filter(accepted_completion(), deadline=OuterRef(deadline_ref))
    return Subquery(completion.annotate(day=TruncDate("submitted_at")).values("day")[:1])


def deadline_completion_mismatches() -> QuerySet[Deadline]:
    """Deadlines whose stored ``completed_on`` is not the local date of their accepted
    completion report's submission (None without one): the check of the stored date
    against the reports it is kept from. Empty when all is well."""
    return (
        Deadline.objects.annotate(from_reports=completion_day())
        .exclude(completed_on__isnull=True, from_reports__isnull=True)
        .filter(
            Q(completed_on__isnull=True) | Q(from_reports__isnull=True) | ~Q(completed_on=F("from_reports"))
        )
        .order_by("pk")
    )


def with_markers(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """Add the two markers shown beside a status: ``waiting_review`` (a report waits for
    the coordinator) and ``has_report`` (any report sent, other than replaced or
    withdrawn ones). For the rows a page or an export shows, not for counts."""
    return deadlines.annotate(waiting_review=_report_waiting(), has_report=_report_any())


def task_list_with_current_deadline(*, dates: StatusDates) -> QuerySet[Task]:
    """All tasks, each annotated with its current deadline ``current_due_on`` (the
    earliest one neither done nor waived; when all are, the latest) and ``current_status``.

    One grouped join over deadlines and their accepted completion reports, so that the
    cost grows with the rows once, not once per task and status branch. A task whose
    deadlines are all done counts as done late if any of them was; waived deadlines are
    left out, and a task whose every deadline is waived is waived.
    """
    counted = Q(deadlines__waived_at__isnull=True)
    open_deadline = Q(deadlines__completed_on__isnull=True) & counted
    return Task.objects.annotate(
        open_due_on=Min("deadlines__due_on", filter=open_deadline),
        # Real ends keep the order of due dates, so the earliest open end is the
        # open deadline's own.
        open_ends_on=Min("deadlines__ends_on", filter=open_deadline),
        deadline_count=Count("deadlines", filter=counted),
        all_count=Count("deadlines"),
        late_count=Count(
            "deadlines",
            filter=counted & Q(deadlines__completed_on__gt=F("deadlines__ends_on")),
        ),
        last_due_on=Max("deadlines__due_on"),
    ).annotate(
        current_due_on=Coalesce(F("open_due_on"), F("last_due_on")),
        current_status=status_case(
            done_on_time=Q(open_due_on__isnull=True, deadline_count__gt=0, late_count=0),
            done=Q(open_due_on__isnull=True, deadline_count__gt=0),
            ends_on="open_ends_on",
            waived=Q(all_count__gt=0, deadline_count=0),
            dates=dates,
        ),
    )


# The statuses the statistics count, in the order dashboards show them: unfinished
# (overdue, then in term), then finished. Waived deadlines are shown but never counted.
STATUS_ORDER = [
    DeadlineStatus.OVERDUE,
    DeadlineStatus.DUE_SOON,
    DeadlineStatus.NOT_YET_DUE,
    DeadlineStatus.DONE_LATE,
    DeadlineStatus.DONE_ON_TIME,
]
OPEN_STATUSES = [DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.NOT_YET_DUE]


def status_counts_from_rows(rows) -> dict[str, int]:
    """Number of deadlines per counted status, every status present (zero when none),
    summed from rows of ``status`` and ``n`` (a grouped query's). Waived deadlines are
    not among them."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        if row["status"] in counts:
            counts[row["status"]] += row["n"]
    return counts


def status_counts(deadlines: QuerySet[Deadline]) -> dict[str, int]:
    """Number of deadlines per counted status (``status_counts_from_rows``): one query."""
    return status_counts_from_rows(deadlines.order_by().values("status").annotate(n=Count("pk")))


def group_counts(counts: dict[str, int]) -> dict[str, int]:
    """The official classes (``StatusGroup``) summed from per-status counts."""
    groups = dict.fromkeys(StatusGroup, 0)
    for status, n in counts.items():
        groups[STATUS_GROUP[status]] += n
    return groups


def overdue_share(counts: dict[str, int]) -> float | None:
    """The headline figure: unfinished overdue deadlines as a share of all counted ones.
    None when there are none."""
    total = sum(counts.values())
    return counts[DeadlineStatus.OVERDUE] / total if total else None


# The markers shown beside a status: they qualify it, they are never a class of their own.
WAITING_REVIEW_MARKER = "chờ xác nhận"
NO_REPORT_MARKER = "chưa có báo cáo"


def status_marker(status: str | None, *, waiting_review: bool, has_report: bool) -> str:
    """ "chờ xác nhận" when a report waits for review; "chưa có báo cáo" on an open
    deadline nobody has reported on; otherwise nothing."""
    if waiting_review:
        return WAITING_REVIEW_MARKER
    if status in OPEN_STATUSES and not has_report:
        return NO_REPORT_MARKER
    return ""


def status_text(status: str | None, *, waiting_review: bool = False, has_report: bool = True) -> str:
    """A status as exports and emails write it: "Chưa hoàn thành, quá hạn (chờ xác nhận)"."""
    if not status:
        return ""
    marker = status_marker(status, waiting_review=waiting_review, has_report=has_report)
    label = str(DeadlineStatus(status).label)
    return f"{label} ({marker})" if marker else label


@dataclass(frozen=True)
class StatusFigures:
    """What a page, an export or a report says about a set of deadlines: counts per
    status, and of them those carried over from before a report period (None without
    one). The official classes and the headline share are derived here, once."""

    counts: dict[str, int]
    backlog: dict[str, int] | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def backlog_total(self) -> int:
        return sum(self.backlog.values()) if self.backlog else 0

    @property
    def in_period_total(self) -> int:
        return self.total - self.backlog_total

    @property
    def groups(self) -> dict[str, int]:
        return group_counts(self.counts)

    @property
    def overdue_share(self) -> float | None:
        return overdue_share(self.counts)
