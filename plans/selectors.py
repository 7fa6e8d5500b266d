"""Reads. Every query that joins, prefetches or aggregates lives here (DESIGN §4)."""

import dataclasses
import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    Min,
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
    Agency,
    ContentArea,
    Contribution,
    Deadline,
    DeadlineStatus,
    EvidenceFile,
    Holiday,
    Plan,
    ProgressReport,
    Task,
)
from plans.periods import ReportPeriod
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


def _plans_visible(*, include_drafts: bool) -> QuerySet[Plan]:
    """Drafts are still being written in the admin: only those who edit plans see them."""
    plans = Plan.objects.select_related("coordinating_agency")
    return plans if include_drafts else plans.exclude(status=Plan.Status.DRAFT)


def plan_list(*, include_drafts: bool) -> QuerySet[Plan]:
    return _plans_visible(include_drafts=include_drafts).annotate(
        area_count=Count("areas", distinct=True), task_count=Count("tasks", distinct=True)
    )


def plan_list_with_content(*, include_drafts: bool) -> QuerySet[Plan]:
    """Plans with their documents, areas and tasks (agencies included) prefetched."""
    tasks = Task.objects.select_related("lead_agency").prefetch_related("cooperating_agencies")
    areas = ContentArea.objects.prefetch_related(Prefetch("tasks", queryset=tasks))
    return _plans_visible(include_drafts=include_drafts).prefetch_related(
        "documents", Prefetch("areas", queryset=areas)
    )


def _tasks_cooperated_by(agency_id: int) -> QuerySet:
    return Task.cooperating_agencies.through.objects.filter(agency_id=agency_id).values("task_id")


def _tasks_of_agency(agency_id: int, *, task_field: str = "task") -> Q:
    """Rows whose task the agency leads or cooperates on. Cooperation is a subquery on
    the link table, not a join: no duplicate rows, and PostgreSQL filters the deadlines
    with a hashed lookup instead of joining every deadline first."""
    return Q(**{f"{task_field}__lead_agency_id": agency_id}) | Q(
        **{f"{task_field}__in": _tasks_cooperated_by(agency_id)}
    )


def agency_scope(*, user, task_field: str = "task") -> Q:
    """What a user may see: everything with ``plans.view_all_agencies`` (coordinators,
    leaders), otherwise only rows whose task (``task_field``) the user's own agency
    leads or cooperates on. A user without an agency sees nothing."""
    if user.has_perm("plans.view_all_agencies"):
        return Q()
    if user.agency_id is None:
        return Q(pk__in=[])
    return _tasks_of_agency(user.agency_id, task_field=task_field)


def deadline_list_visible_to(*, user, dates: StatusDates) -> QuerySet[Deadline]:
    """Deadlines the user may open, with status."""
    return deadline_list_with_status(dates=dates).filter(agency_scope(user=user))


# The agency workspace: dashboards, lists and the province overview.

# Statuses in the order dashboards show them, and the ones that count as open work.
STATUS_ORDER = [
    DeadlineStatus.OVERDUE,
    DeadlineStatus.DUE_SOON,
    DeadlineStatus.IN_PROGRESS,
    DeadlineStatus.DONE_LATE,
    DeadlineStatus.DONE_ON_TIME,
    DeadlineStatus.NOT_YET_DUE,
]
UPCOMING_DAYS = 30


@dataclass(frozen=True)
class DeadlineFilter:
    """The filters a dashboard or list applies. Empty fields filter nothing.

    ``relation`` narrows an agency's deadlines to those it leads ("lead") or only
    cooperates on ("cooperate"); ``window`` "upcoming" keeps open deadlines due in the
    next ``UPCOMING_DAYS`` days."""

    plan_id: int | None = None
    year: int | None = None
    area_id: int | None = None
    agency_id: int | None = None
    relation: str = "lead"
    status: str | None = None
    window: str | None = None


def _filtered(deadlines: QuerySet[Deadline], *, filters: DeadlineFilter, dates: StatusDates) -> QuerySet:
    # Draft plans are still being written by the coordinator; agencies do not track them.
    deadlines = deadlines.exclude(task__plan__status=Plan.Status.DRAFT)
    if filters.plan_id:
        deadlines = deadlines.filter(task__plan_id=filters.plan_id)
    if filters.year:
        deadlines = deadlines.filter(due_on__year=filters.year)
    if filters.area_id:
        deadlines = deadlines.filter(task__area_id=filters.area_id)
    if filters.agency_id:
        if filters.relation == "cooperate":
            deadlines = deadlines.filter(task__in=_tasks_cooperated_by(filters.agency_id)).exclude(
                task__lead_agency_id=filters.agency_id
            )
        else:
            deadlines = deadlines.filter(task__lead_agency_id=filters.agency_id)
    if filters.status:
        deadlines = deadlines.filter(status=filters.status)
    if filters.window == "upcoming":
        deadlines = deadlines.filter(
            completed_on__isnull=True,
            due_on__gte=dates.today,
            due_on__lte=dates.today + datetime.timedelta(days=UPCOMING_DAYS),
        )
    return deadlines


def deadline_list_filtered(*, user, filters: DeadlineFilter, dates: StatusDates) -> QuerySet[Deadline]:
    """The deadlines behind every number on the dashboards, scoped to the user, with
    what a list row shows."""
    return (
        _filtered(deadline_list_visible_to(user=user, dates=dates), filters=filters, dates=dates)
        .select_related("task__plan", "task__area", "task__lead_agency")
        .order_by("due_on", "task__plan__number", "task__code", "pk")
    )


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


@dataclass
class GroupProgress:
    """Status counts of one group (a content area or an agency)."""

    key: int
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))
    detail: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _group_progress(deadlines: QuerySet[Deadline], *, key: str, fields: tuple[str, ...], describe):
    """Status counts grouped by ``key`` in one query, ordered by ``fields``; ``describe``
    turns a row's ``fields`` into the group's label and detail."""
    groups: dict[int, GroupProgress] = {}
    rows = deadlines.order_by().values(key, *fields, "status").annotate(n=Count("pk")).order_by(*fields, key)
    for row in rows:
        group = groups.get(row[key])
        if group is None:
            label, detail = describe(row)
            group = groups[row[key]] = GroupProgress(key=row[key], label=label, detail=detail)
        if row["status"] in group.counts:
            group.counts[row["status"]] = row["n"]
    return list(groups.values())


def area_progress(deadlines: QuerySet[Deadline]) -> list[GroupProgress]:
    """Per content area, plan by plan; each says its plan when several plans are shown,
    since areas of different plans share numbers and often titles."""
    rows = _group_progress(
        deadlines,
        key="task__area_id",
        fields=("task__plan__number", "task__area__number", "task__area__title"),
        describe=lambda row: (
            f"{row['task__area__number']}. {row['task__area__title']}",
            row["task__plan__number"],
        ),
    )
    several_plans = len({group.detail for group in rows}) > 1
    for group in rows:
        group.detail = f"Kế hoạch {group.detail}" if several_plans else ""
    return rows


def agency_progress(deadlines: QuerySet[Deadline]) -> list[GroupProgress]:
    return _group_progress(
        deadlines,
        key="task__lead_agency_id",
        fields=("task__lead_agency__short_name", "task__lead_agency__name"),
        describe=lambda row: (row["task__lead_agency__short_name"], row["task__lead_agency__name"]),
    )


def _latest_reports(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    later = ProgressReport.objects.filter(
        deadline=OuterRef("deadline"), submitted_at__gt=OuterRef("submitted_at")
    )
    return reports.filter(~Exists(later))


def _agency_reports(*, agency_id: int, filters: DeadlineFilter) -> QuerySet[ProgressReport]:
    """Reports on deadlines the agency leads, in tracked plans, under the page's filters."""
    reports = ProgressReport.objects.filter(deadline__task__lead_agency_id=agency_id).exclude(
        deadline__task__plan__status=Plan.Status.DRAFT
    )
    if filters.plan_id:
        reports = reports.filter(deadline__task__plan_id=filters.plan_id)
    if filters.year:
        reports = reports.filter(deadline__due_on__year=filters.year)
    return reports


def report_list_returned(*, agency_id: int, filters: DeadlineFilter) -> QuerySet[ProgressReport]:
    """Reports of the agency returned for rework and not yet followed by a new one."""
    returned = _agency_reports(agency_id=agency_id, filters=filters).filter(
        review_state=ProgressReport.ReviewState.RETURNED
    )
    return (
        _latest_reports(returned)
        .select_related("deadline__task__plan", "reviewed_by")
        .order_by("-reviewed_at")
    )


def report_list_recent(*, agency_id: int, filters: DeadlineFilter) -> QuerySet[ProgressReport]:
    return (
        _agency_reports(agency_id=agency_id, filters=filters)
        .select_related("deadline__task__plan", "submitted_by")
        .order_by("-submitted_at")
    )


def report_review_queue() -> QuerySet[ProgressReport]:
    """Reports waiting for the coordinator, oldest first, with what a reviewer reads."""
    return (
        ProgressReport.objects.filter(review_state=ProgressReport.ReviewState.SUBMITTED)
        .select_related("deadline__task__plan", "deadline__task__lead_agency", "submitted_by")
        .prefetch_related("evidence")
        .order_by("submitted_at", "pk")
    )


def report_get_for_review(*, pk: int) -> ProgressReport:
    return ProgressReport.objects.select_related("deadline__task").get(pk=pk)


@dataclass
class AgencyDashboard:
    counts: dict[str, int]
    overdue: list[Deadline]
    upcoming: list[Deadline]
    returned: list[ProgressReport]
    recent: list[ProgressReport]
    areas: list[GroupProgress]
    cooperating_counts: dict[str, int]
    cooperating_open: list[Deadline]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


DASHBOARD_LIST_SIZE = 10


def agency_dashboard_get(
    *, user, agency_id: int, filters: DeadlineFilter, dates: StatusDates
) -> AgencyDashboard:
    """Everything on an agency's dashboard in a fixed number of queries."""
    lead_filters = dataclasses.replace(filters, agency_id=agency_id, relation="lead")
    cooperate_filters = dataclasses.replace(filters, agency_id=agency_id, relation="cooperate")
    lead = deadline_list_filtered(user=user, filters=lead_filters, dates=dates)
    cooperating = deadline_list_filtered(user=user, filters=cooperate_filters, dates=dates)
    upcoming = deadline_list_filtered(
        user=user, filters=dataclasses.replace(lead_filters, window="upcoming"), dates=dates
    )
    open_statuses = [DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.IN_PROGRESS]
    return AgencyDashboard(
        counts=status_counts(lead),
        overdue=list(lead.filter(status=DeadlineStatus.OVERDUE)[:DASHBOARD_LIST_SIZE]),
        upcoming=list(upcoming[:DASHBOARD_LIST_SIZE]),
        returned=list(report_list_returned(agency_id=agency_id, filters=filters)[:DASHBOARD_LIST_SIZE]),
        recent=list(report_list_recent(agency_id=agency_id, filters=filters)[:DASHBOARD_LIST_SIZE]),
        areas=area_progress(lead),
        cooperating_counts=status_counts(cooperating),
        cooperating_open=list(cooperating.filter(status__in=open_statuses)[:DASHBOARD_LIST_SIZE]),
    )


@dataclass
class ProvinceOverview:
    counts: dict[str, int]
    agencies: list[GroupProgress]
    areas: list[GroupProgress]
    longest_overdue: list[Deadline]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def started(self) -> int:
        return self.total - self.counts[DeadlineStatus.NOT_YET_DUE]

    @property
    def overdue_share(self) -> float | None:
        return overdue_share(self.counts)


def province_overview_get(*, user, filters: DeadlineFilter, dates: StatusDates) -> ProvinceOverview:
    deadlines = deadline_list_filtered(user=user, filters=filters, dates=dates)
    return ProvinceOverview(
        counts=status_counts(deadlines),
        agencies=agency_progress(deadlines),
        areas=area_progress(deadlines),
        longest_overdue=list(deadlines.filter(status=DeadlineStatus.OVERDUE)[:15]),
    )


# Cached pages (plans.page_cache) are keyed by this fingerprint of the plan data.


@functools.cache
def _version_sources() -> tuple[tuple[str, str], ...]:
    """(table, column) pairs whose maximum moves on every change a dashboard or the
    overview can show. Every save, m2m change and deletion of a plan, area, task,
    deadline, report or holiday correction writes a history row (``QuerySet.update`` is
    refused, see plans.history), so the newest history id changes with it; the live
    tables' newest ids catch rows bulk-inserted without history, and new agencies."""
    recorded = (Plan, ContentArea, Task, Deadline, ProgressReport, Holiday)
    sources = [(model.history.model, "history_id") for model in recorded]
    sources += [(model, "id") for model in (Task, Deadline, ProgressReport, Agency)]
    return tuple((model._meta.db_table, column) for model, column in sources)


def page_data_version_get() -> str:
    """A fingerprint of the plan data that changes whenever it does, in one query of
    index lookups (each MAX reads one end of a primary-key index)."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX({quote(col)}) FROM {quote(table)})" for table, col in _version_sources()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return ".".join(str(value or 0) for value in cursor.fetchone())


def deadline_get_for_page(*, user, pk: int, dates: StatusDates) -> Deadline:
    """One deadline the user may see, with everything its page shows: the task, its
    agencies, the report history with evidence, and the contributions."""
    reports = ProgressReport.objects.select_related("submitted_by", "reviewed_by").prefetch_related(
        "evidence"
    )
    contributions = Contribution.objects.select_related("agency", "submitted_by").prefetch_related("evidence")
    return (
        deadline_list_visible_to(user=user, dates=dates)
        .select_related("task__plan", "task__area", "task__lead_agency")
        .prefetch_related(
            "task__cooperating_agencies",
            Prefetch("reports", queryset=reports),
            Prefetch("contributions", queryset=contributions),
        )
        .get(pk=pk)
    )


def evidence_get_for_download(*, user, pk: int) -> EvidenceFile:
    """An evidence file, only if the user may see the deadline it belongs to."""
    visible = Deadline.objects.filter(agency_scope(user=user)).values("pk")
    return EvidenceFile.objects.filter(
        Q(report__deadline__in=visible) | Q(contribution__deadline__in=visible)
    ).get(pk=pk)


def filter_choices() -> dict:
    """What the filter forms offer: plans, years with deadlines, areas and agencies.
    Querysets stay lazy; each costs one query when a form renders it."""
    # From the first to the last year with a deadline: two index lookups, not a scan.
    span = Deadline.objects.aggregate(first=Min("due_on"), last=Max("due_on"))
    years = range(span["last"].year, span["first"].year - 1, -1) if span["first"] else []
    return {
        "plans": Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("-period_start", "number"),
        "years": list(years),
        "areas": ContentArea.objects.exclude(plan__status=Plan.Status.DRAFT)
        .select_related("plan")
        .order_by("plan__number", "number"),
        "agencies": Agency.objects.filter(is_active=True).order_by("short_name"),
    }


# The province's periodic report (plans.report_docx).

NO_DEADLINE_IN_PERIOD = "Không có hạn trong kỳ"


_DIGITS = re.compile(r"(\d+)")


def _natural_key(code: str) -> list:
    """Task codes in reading order: 1.2 before 1.10. ``re.split`` with a captured group
    alternates text and digits, so the keys always compare like with like."""
    return [int(part) if index % 2 else part.casefold() for index, part in enumerate(_DIGITS.split(code))]


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> tuple[str, str]:
    """Vietnamese names in dictionary order, near enough: letters before their accents
    (a, á, â… sort as a), đ right after d, whatever the database's collation."""
    base = "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c))
    return base.replace("đ", "d\uffff"), name


@dataclass
class ReportDeadline:
    due_on: datetime.date
    period_label: str
    status: str
    status_label: str
    days_overdue: int = 0


@dataclass
class ReportTask:
    code: str
    title: str
    lead_agency: str
    cooperating_agencies: list[str]
    schedule_display: str
    deadlines: list[ReportDeadline] = field(default_factory=list)
    # The latest accepted report among the period's deadlines; None when there is none.
    narrative: str | None = None
    report_state: str = ""
    report_percent: int | None = None

    @functools.cached_property
    def period_status(self) -> str:
        """ "Quý I/2020: Quá hạn; …", or that the task has no deadline in the period."""
        if not self.deadlines:
            return NO_DEADLINE_IN_PERIOD
        return "; ".join(f"{deadline.period_label}: {deadline.status_label}" for deadline in self.deadlines)


@dataclass
class ReportArea:
    number: int
    title: str
    tasks: list[ReportTask]


@dataclass
class OverdueItem:
    task: ReportTask
    deadline: ReportDeadline


@dataclass
class OverdueGroup:
    agency: str
    items: list[OverdueItem]


@dataclass
class ProvinceReport:
    plan: Plan
    coordinating_agency: Agency
    period: ReportPeriod
    today: datetime.date
    status_counts: dict[str, int]
    areas: list[ReportArea]
    overdue_by_agency: list[OverdueGroup]

    @property
    def total(self) -> int:
        return sum(self.status_counts.values())

    @property
    def overdue_share(self) -> float | None:
        return overdue_share(self.status_counts)

    @property
    def tasks(self) -> list[ReportTask]:
        """Every task of the plan, in area and code order (the appendix)."""
        return [task for area in self.areas for task in area.tasks]


def province_report_get(*, plan: Plan, period: ReportPeriod, dates: StatusDates) -> ProvinceReport:
    """What the province's report on ``plan`` for ``period`` says, in six queries
    whatever the plan's size: areas, tasks with lead agencies, cooperating agencies,
    the period's deadlines with status, and their accepted reports."""
    coordinating_agency = Agency.objects.get(pk=plan.coordinating_agency_id)
    areas = {
        area.pk: ReportArea(number=area.number, title=area.title, tasks=[])
        for area in ContentArea.objects.filter(plan=plan).order_by("number")
    }
    cooperating: dict[int, list[str]] = {}
    links = Task.cooperating_agencies.through.objects.filter(task__plan=plan)
    for task_id, name in links.values_list("task_id", "agency__name"):
        cooperating.setdefault(task_id, []).append(name)
    for names in cooperating.values():
        names.sort(key=_name_key)

    # Rows, not model instances, sorted in Python (natural order of the codes). Tasks on
    # the same schedule share one schedule_display, worked out once (it is translated).
    rows = sorted(
        Task.objects.filter(plan=plan)
        .order_by()
        .values_list(
            "pk",
            "area_id",
            "code",
            "title",
            "lead_agency__name",
            "schedule",
            "due_on",
            "due_day",
            "due_month",
            "report_cycle",
        ),
        key=lambda row: (_natural_key(row[2]), row[0]),
    )
    schedules: dict[tuple, str] = {}
    report_tasks: dict[int, ReportTask] = {}
    lead_of: dict[int, str] = {}
    for pk, area_id, code, title, lead, *schedule in rows:
        key = tuple(schedule)
        if key not in schedules:
            fields = dict(
                zip(["schedule", "due_on", "due_day", "due_month", "report_cycle"], key, strict=True)
            )
            schedules[key] = str(Task(**fields).schedule_display)
        report_tasks[pk] = ReportTask(
            code=code,
            title=title,
            lead_agency=lead,
            cooperating_agencies=cooperating.get(pk, []),
            schedule_display=schedules[key],
        )
        lead_of[pk] = lead
        areas[area_id].tasks.append(report_tasks[pk])

    counts = dict.fromkeys(STATUS_ORDER, 0)
    overdue: dict[str, list[OverdueItem]] = {}
    deadlines = (
        deadline_list_with_status(dates=dates)
        .filter(task__plan=plan, due_on__gte=period.start, due_on__lte=period.end)
        .order_by("due_on", "pk")
        .values_list("task_id", "due_on", "period_label", "status")
    )
    labels = {status: str(status.label) for status in DeadlineStatus}
    for task_id, due_on, period_label, status in deadlines:
        deadline = ReportDeadline(
            due_on=due_on, period_label=period_label, status=status, status_label=labels[status]
        )
        report_tasks[task_id].deadlines.append(deadline)
        if status in counts:
            counts[status] += 1
        if status == DeadlineStatus.OVERDUE:
            deadline.days_overdue = (dates.today - due_on).days
            overdue.setdefault(lead_of[task_id], []).append(OverdueItem(report_tasks[task_id], deadline))

    # The latest accepted report of each task: reports come newest first, the first wins.
    accepted = (
        ProgressReport.objects.filter(
            review_state=ProgressReport.ReviewState.ACCEPTED,
            deadline__task__plan=plan,
            deadline__due_on__gte=period.start,
            deadline__due_on__lte=period.end,
        )
        .order_by("-submitted_at", "-pk")
        .values_list("deadline__task_id", "narrative", "state", "percent")
    )
    reported: set[int] = set()
    for task_id, narrative, state, percent in accepted:
        if task_id not in reported:
            reported.add(task_id)
            task = report_tasks[task_id]
            task.narrative, task.report_state, task.report_percent = narrative, state, percent

    overdue_by_agency = [
        OverdueGroup(agency=agency, items=items)
        for agency, items in sorted(overdue.items(), key=lambda pair: (-len(pair[1]), _name_key(pair[0])))
    ]
    return ProvinceReport(
        plan=plan,
        coordinating_agency=coordinating_agency,
        period=period,
        today=dates.today,
        status_counts=counts,
        areas=list(areas.values()),
        overdue_by_agency=overdue_by_agency,
    )


def report_plans_and_years(*, today: datetime.date) -> tuple[list[Plan], list[int]]:
    """What the report form offers, in one query: the plans agencies track (not drafts),
    and the years their periods cover, newest first (an open-ended plan runs to this
    year)."""
    plans = list(Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("-period_start", "number"))
    if not plans:
        return [], []
    first = min(plan.period_start.year for plan in plans)
    last = max(plan.period_end.year if plan.period_end else max(today.year, first) for plan in plans)
    return plans, list(range(last, first - 1, -1))


# Excel exports (``plans.export_views``).


def deadline_list_for_export(*, user, filters: DeadlineFilter, dates: StatusDates) -> QuerySet[Deadline]:
    """The deadline list exactly as its page shows it, each row also with the state and
    review state of its latest report (two correlated subqueries, not a query per row)."""
    latest = ProgressReport.objects.filter(deadline=OuterRef("pk")).order_by("-submitted_at", "-pk")
    return deadline_list_filtered(user=user, filters=filters, dates=dates).annotate(
        latest_report_state=Subquery(latest.values("state")[:1]),
        latest_review_state=Subquery(latest.values("review_state")[:1]),
    )


# What a row of the export holds: plain values, since building tens of thousands of model
# instances would cost more than writing the workbook.
EXPORT_ROW_FIELDS = (
    "task_id",
    "task__plan__number",
    "task__area__number",
    "task__area__title",
    "task__code",
    "task__title",
    "task__lead_agency__short_name",
    "task__lead_agency__name",
    "period_label",
    "due_on",
    "status",
    "completed_on",
    "latest_report_state",
    "latest_review_state",
)


def cooperating_agency_names(*, deadlines: QuerySet[Deadline]) -> dict[int, list[str]]:
    """Short names of the cooperating agencies of the deadlines' tasks, by task id, in
    one query whatever the number of deadlines (the deadlines are a subquery)."""
    links = (
        Task.cooperating_agencies.through.objects.filter(task__in=deadlines.values("task_id"))
        .order_by("agency__short_name")
        .values_list("task_id", "agency__short_name")
    )
    names: dict[int, list[str]] = {}
    for task_id, short_name in links:
        names.setdefault(task_id, []).append(short_name)
    return names


def province_agency_progress(*, user, filters: DeadlineFilter, dates: StatusDates) -> list[GroupProgress]:
    """The province overview's agency × status table alone, in one query."""
    return agency_progress(deadline_list_filtered(user=user, filters=filters, dates=dates))


# Agencies' calendar feeds (``plans.calendar_views``).

CALENDAR_PAST_YEARS = 1


def agency_get_by_calendar_token(*, token: str) -> Agency:
    """The active agency whose calendar feed the token opens; DoesNotExist otherwise."""
    if not token:
        raise Agency.DoesNotExist
    return Agency.objects.get(calendar_token=token, is_active=True)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29/02 in a year that has none
        return day.replace(year=day.year - years, day=28)


def calendar_deadlines_for_agency(*, agency: Agency, dates: StatusDates) -> QuerySet[Deadline]:
    """Deadlines of tasks the agency leads or cooperates on, in tracked (non-draft)
    plans, due from a year ago onward, with status and what a calendar event shows."""
    return (
        deadline_list_with_status(dates=dates)
        .filter(_tasks_of_agency(agency.pk))
        .exclude(task__plan__status=Plan.Status.DRAFT)
        .filter(due_on__gte=_years_before(dates.today, CALENDAR_PAST_YEARS))
        .select_related("task__plan", "task__lead_agency")
        .order_by("due_on", "task__plan__number", "task__code", "pk")
    )


def task_list_for_table(*, plan: Plan) -> QuerySet[Task]:
    """A plan's tasks with what a row of its Excel task table shows, in plan order."""
    return (
        plan.tasks.select_related("area", "lead_agency")
        .prefetch_related(Prefetch("cooperating_agencies", queryset=Agency.objects.order_by("name")))
        .order_by("area__number", "code")
    )
