"""Reads for documents: the periodic report's content, Excel exports, calendar feeds,
a plan's task table and its background imports."""

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)

from documents.models import ImportJob, PeriodicReport
from plans import permissions
from plans.collation import VietnameseOrder
from plans.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Deadline,
    DeadlineStatus,
    Plan,
    ProgressReport,
    Task,
)
from plans.periods import ReportPeriod
from plans.selectors.deadlines import (
    DeadlineFilter,
    deadline_list_filtered,
    period_scope,
    tasks_of_agency,
)
from plans.selectors.status import (
    STATUS_ORDER,
    StatusDates,
    StatusFigures,
    deadline_list_with_status,
    overdue_share,
    status_dates_get,
)

# The province's periodic report (documents.report_docx).

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
    ends_on: datetime.date
    period_label: str
    status: str
    status_label: str
    days_overdue: int = 0
    # Carried over from before the report period (due earlier, still open when it began).
    backlog: bool = False
    # The task's code and title, and the agency answerable when it fell due.
    task_code: str = ""
    task_title: str = ""
    agency: str = ""


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
        carried = " (tồn từ kỳ trước)"
        return "; ".join(
            f"{deadline.period_label}: {deadline.status_label}{carried if deadline.backlog else ''}"
            for deadline in self.deadlines
        )


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
    # Of ``status_counts``, the deadlines carried over from before the period.
    backlog_counts: dict[str, int]
    areas: list[ReportArea]
    overdue_by_agency: list[OverdueGroup]
    # Every counted deadline, in due-date order (the appendix and the agency table).
    deadlines: list[ReportDeadline] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.status_counts.values())

    @property
    def figures(self) -> StatusFigures:
        return StatusFigures(self.status_counts, self.backlog_counts)

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
    if dates.today > period.end:
        # A past period's figures are those of its cut-off day (Decree 09, Art. 12).
        dates = status_dates_get(today=period.end)
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
        areas[area_id].tasks.append(report_tasks[pk])

    counts = dict.fromkeys(STATUS_ORDER, 0)
    backlog = dict.fromkeys(STATUS_ORDER, 0)
    overdue: dict[str, list[OverdueItem]] = {}
    counted: list[ReportDeadline] = []
    in_scope = deadline_list_with_status(dates=dates).filter(period_scope(period), task__plan=plan)
    deadlines = in_scope.order_by("due_on", "pk").values_list(
        "task_id", "due_on", "ends_on", "period_label", "status", "responsible_agency__name"
    )
    labels = {status: str(status.label) for status in DeadlineStatus}
    for task_id, due_on, ends_on, period_label, status, responsible in deadlines:
        deadline = ReportDeadline(
            due_on=due_on,
            ends_on=ends_on,
            period_label=period_label,
            status=status,
            status_label=labels[status],
            backlog=due_on < period.start,
            task_code=report_tasks[task_id].code,
            task_title=report_tasks[task_id].title,
            agency=responsible,
        )
        report_tasks[task_id].deadlines.append(deadline)
        if status in counts:
            counted.append(deadline)
            counts[status] += 1
            if deadline.backlog:
                backlog[status] += 1
        if status == DeadlineStatus.OVERDUE:
            deadline.days_overdue = (dates.today - ends_on).days
            # Listed under the agency answerable when it fell due (before a reorganisation,
            # the old one).
            overdue.setdefault(responsible, []).append(OverdueItem(report_tasks[task_id], deadline))

    # The latest accepted report of each task: reports come newest first, the first wins.
    accepted = (
        ProgressReport.objects.filter(
            review_state=ProgressReport.ReviewState.ACCEPTED,
            deadline__in=in_scope.values("pk"),
            submitted_at__date__lte=dates.today,
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
        backlog_counts=backlog,
        areas=list(areas.values()),
        overdue_by_agency=overdue_by_agency,
        deadlines=counted,
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


# Excel exports (``workspace.export_views``).


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
    "responsible_agency__short_name",
    "responsible_agency__name",
    "period_label",
    "due_on",
    "ends_on",
    "status",
    "waiting_review",
    "has_report",
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


# Agencies' calendar feeds (``workspace.calendar_views``).

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
        .filter(tasks_of_agency(agency.pk))
        .exclude(task__plan__status=Plan.Status.DRAFT)
        .filter(due_on__gte=_years_before(dates.today, CALENDAR_PAST_YEARS))
        .select_related("task__plan", "task__lead_agency", "responsible_agency")
        .order_by("due_on", "task__plan__number", "task__code", "pk")
    )


def task_list_for_table(*, plan: Plan) -> QuerySet[Task]:
    """A plan's tasks with what a row of its Excel task table shows, in plan order."""
    return (
        plan.tasks.select_related("area", "lead_agency")
        .prefetch_related(Prefetch("cooperating_agencies", queryset=Agency.objects.order_by("name")))
        .order_by("area__number", "code")
    )


# The periodic report record (documents.models.PeriodicReport): figures taken once, at the
# cut-off, and stored with it as JSON; the document is written from them alone.

# "Ban hành tháng 01/2019" in a plan's source note: the month a source gives when it does
# not give the day (the day then stays "…").
_ISSUED_MONTH = re.compile(r"ban hành\s+tháng\s+(\d{1,2})/(\d{4})", re.IGNORECASE)


def agencies_to_map_to() -> list[Agency]:
    """The agencies a name in an imported plan may be mapped to: those working today,
    in Vietnamese order."""
    return list(
        Agency.objects.filter(is_active=True, ended_on__isnull=True).order_by(VietnameseOrder("name"))
    )


def agency_groups_to_map_to() -> list[AgencyGroup]:
    return list(AgencyGroup.objects.order_by(VietnameseOrder("name")))


def plan_issue_date_parts(plan: Plan) -> tuple[str, str, str]:
    """Day, month and year of a plan's issue as Decree 30 writes them ("05", "01",
    "2019"), from the plan record: its date, or the month its source note gives, with
    "…" for whatever the sources do not say (never invented)."""
    if plan.issued_on:
        day = plan.issued_on
        return f"{day.day:02d}", f"{day.month:02d}" if day.month <= 2 else str(day.month), str(day.year)
    match = _ISSUED_MONTH.search(plan.source_note or "")
    if match:
        month = int(match[1])
        return "…", f"{month:02d}" if month <= 2 else str(month), match[2]
    return "…", "…", "…"


def _agency_table(deadlines: list[ReportDeadline]) -> list[dict]:
    """Per agency answerable for the deadlines: counts per status, the share done on
    time, the share overdue (the headline figure, ``StatusFigures``) and the rank:
    smallest share overdue first (Decision 42 practice ranks agencies by their overdue
    tasks), then largest share done on time; equal agencies share a rank."""
    counts: dict[str, dict[str, int]] = {}
    for deadline in deadlines:
        counts.setdefault(deadline.agency, dict.fromkeys(STATUS_ORDER, 0))[deadline.status] += 1
    rows = []
    for agency, by_status in counts.items():
        figures = StatusFigures(by_status)
        rows.append(
            {
                "agency": agency,
                "counts": {str(status): n for status, n in by_status.items()},
                "total": figures.total,
                "in_term": by_status[DeadlineStatus.DUE_SOON] + by_status[DeadlineStatus.NOT_YET_DUE],
                "on_time_share": by_status[DeadlineStatus.DONE_ON_TIME] / figures.total,
                "overdue_share": figures.overdue_share,
            }
        )
    rows.sort(key=lambda row: (row["overdue_share"], -row["on_time_share"], _name_key(row["agency"])))
    rank, previous = 0, None
    for position, row in enumerate(rows, start=1):
        key = (row["overdue_share"], row["on_time_share"])
        if key != previous:
            rank, previous = position, key
        row["rank"] = rank
    return rows


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def periodic_report_figures_get(*, plan: Plan, period: ReportPeriod, dates: StatusDates) -> dict:
    """Everything the periodic report says that comes from the data, as JSON-ready
    values: the figures of ``province_report_get`` (the official classes, Decree 09
    period with its backlog, as of the cut-off or today while the period runs), the
    table by agency, the reports accepted and returned in the period, the deadlines of
    the next period, and the agencies to commend and to remind. Nine queries,
    whatever the plan's size."""
    report = province_report_get(plan=plan, period=period, dates=dates)
    as_of = report.today
    figures = report.figures
    agencies = _agency_table(report.deadlines)
    accepted = (
        ProgressReport.objects.filter(
            review_state=ProgressReport.ReviewState.ACCEPTED,
            deadline__task__plan=plan,
            submitted_at__date__gte=period.start,
            submitted_at__date__lte=as_of,
        )
        .order_by("submitted_at", "pk")
        .values_list(
            "deadline__task__area__number",
            "deadline__task__code",
            "agency__name",
            "narrative",
            "state",
            "percent",
        )
    )
    accepted_by_area: dict[int, list[dict]] = {}
    states = {state: str(state.label) for state in ProgressReport.State}
    for area, code, agency, narrative, state, percent in accepted:
        accepted_by_area.setdefault(area, []).append(
            {
                "code": code,
                "agency": agency,
                "narrative": narrative,
                "state": states[state],
                "percent": percent,
            }
        )
    for items in accepted_by_area.values():
        items.sort(key=lambda item: _natural_key(item["code"]))
    returned = [
        {"code": code, "agency": agency, "comment": comment}
        for code, agency, comment in ProgressReport.objects.filter(
            review_state=ProgressReport.ReviewState.RETURNED,
            deadline__task__plan=plan,
            reviewed_at__date__gte=period.start,
            reviewed_at__date__lte=as_of,
        )
        .order_by("reviewed_at", "pk")
        .values_list("deadline__task__code", "agency__name", "review_comment")
    ]
    following = period.following()
    upcoming = [
        {"code": code, "title": title, "agency": agency, "period_label": label, "due_on": _day(due_on)}
        for code, title, agency, label, due_on in Deadline.objects.filter(
            task__plan=plan,
            due_on__gte=following.start,
            due_on__lte=following.end,
            waived_at__isnull=True,
        )
        .order_by("due_on", "pk")
        .values_list("task__code", "task__title", "responsible_agency__name", "period_label", "due_on")
    ]
    issued = plan_issue_date_parts(plan)
    return {
        "as_of": _day(as_of),
        "plan": {
            "number": plan.number,
            "title": plan.title,
            "issuer": plan.issuer,
            "issued": {"day": issued[0], "month": issued[1], "year": issued[2]},
        },
        "coordinating_agency": {
            "name": report.coordinating_agency.name,
            "document_symbol": report.coordinating_agency.document_symbol,
        },
        "period": {
            "code": period.code,
            "name": period.name,
            "span": period.span,
            "start": _day(period.start),
            "end": _day(period.end),
        },
        "counts": {str(status): n for status, n in report.status_counts.items()},
        "backlog": {str(status): n for status, n in report.backlog_counts.items()},
        "groups": {str(group): n for group, n in figures.groups.items()},
        "overdue_share": figures.overdue_share,
        "agencies": agencies,
        "areas": [
            {"number": area.number, "title": area.title, "accepted": accepted_by_area.get(area.number, [])}
            for area in report.areas
        ],
        "returned": returned,
        "overdue": [
            {
                "agency": group.agency,
                "items": [
                    {
                        "code": item.task.code,
                        "title": item.task.title,
                        "period_label": item.deadline.period_label,
                        "due_on": _day(item.deadline.due_on),
                        "ends_on": _day(item.deadline.ends_on),
                        "days_overdue": item.deadline.days_overdue,
                    }
                    for item in group.items
                ],
            }
            for group in report.overdue_by_agency
        ],
        "deadlines": [
            {
                "code": deadline.task_code,
                "title": deadline.task_title,
                "agency": deadline.agency,
                "period_label": deadline.period_label,
                "due_on": _day(deadline.due_on),
                "ends_on": _day(deadline.ends_on),
                "status": deadline.status,
                "status_label": deadline.status_label,
                "backlog": deadline.backlog,
            }
            for deadline in sorted(report.deadlines, key=lambda d: (_natural_key(d.task_code), d.due_on))
        ],
        "next_period": {"code": following.code, "name": following.name, "span": following.span},
        "upcoming": upcoming,
        "commend": [
            row["agency"]
            for row in sorted(agencies, key=lambda row: _name_key(row["agency"]))
            if row["counts"][DeadlineStatus.DONE_ON_TIME] == row["total"]
        ],
        "remind": [
            {"agency": group.agency, "overdue": len(group.items)} for group in report.overdue_by_agency
        ],
    }


NO_ACCEPTED_IN_PERIOD = "Trong kỳ chưa có báo cáo kết quả nào được xác nhận."


def periodic_report_drafts(figures: dict) -> dict:
    """The narrative sections as first drafted from the stored figures, for the
    coordinator to edit: per content area, what the reports accepted in the period say;
    the shortcomings, from the overdue list and the reports returned for rework; and
    the proposals, from the agencies to remind."""
    summaries = {}
    for area in figures["areas"]:
        # A report without a narrative says how far the work is ("Đang thực hiện, 60%.").
        lines = [
            f"- {item['agency']} (nhiệm vụ {item['code']}): "
            + (item["narrative"].strip() or f"{item['state']}, {item['percent']}%.")
            for item in area["accepted"]
        ]
        summaries[str(area["number"])] = "\n".join(lines) or NO_ACCEPTED_IN_PERIOD
    shortcomings = []
    overdue = figures["counts"].get(DeadlineStatus.OVERDUE, 0)
    if overdue:
        agencies = "; ".join(f"{group['agency']} ({len(group['items'])} hạn)" for group in figures["overdue"])
        shortcomings.append(
            f"- Còn {overdue} hạn thực hiện nhiệm vụ chưa hoàn thành, đã quá hạn, tập trung ở: {agencies}."
        )
    for item in figures["returned"]:
        reason = item["comment"].strip().rstrip(".") or "chưa đạt yêu cầu"
        shortcomings.append(
            f"- Báo cáo của {item['agency']} về nhiệm vụ {item['code']} phải bổ sung, hoàn thiện: {reason}."
        )
    if not shortcomings:
        shortcomings.append("- Trong kỳ, các nhiệm vụ đến hạn được thực hiện đúng thời hạn.")
    shortcomings.append("- Nguyên nhân: …")
    proposals = []
    if figures["remind"]:
        names = ", ".join(item["agency"] for item in figures["remind"])
        proposals.append(
            f"- Đề nghị UBND tỉnh nhắc nhở {names} khẩn trương rà soát, hoàn thành các nhiệm vụ quá hạn "
            "và báo cáo kết quả bằng văn bản."
        )
    if figures["commend"]:
        proposals.append(
            f"- Đề nghị biểu dương {', '.join(figures['commend'])} đã hoàn thành đúng hạn các nhiệm vụ."
        )
    if not proposals:
        proposals.append("- …")
    return {
        "area_summaries": summaries,
        "shortcomings": "\n".join(shortcomings),
        "proposals": "\n".join(proposals),
    }


def periodic_report_list(*, user) -> QuerySet[PeriodicReport]:
    """The periodic reports the user may read: a coordinator every one, drafts too; a
    leader the issued ones of plans in force; anyone else none. Newest period first."""
    if not permissions.can_read_periodic_reports(user):
        return PeriodicReport.objects.none()
    reports = PeriodicReport.objects.select_related("plan").order_by(
        "-period_end", "plan__number", "-version"
    )
    if not permissions.can_draft_periodic_reports(user):
        # A plan taken back to draft is being written again: like its other pages, its
        # reports are for those who edit plans.
        reports = reports.filter(state=PeriodicReport.State.ISSUED).exclude(plan__status=Plan.Status.DRAFT)
    return reports


def periodic_report_get(*, user, pk: int) -> PeriodicReport:
    """One report the user may read; ``PeriodicReport.DoesNotExist`` otherwise (a page
    answers 404, so nobody learns that a draft exists)."""
    return periodic_report_list(user=user).get(pk=pk)


# Background plan imports (documents.tasks).


def import_job_get(*, user, plan: Plan, job_id) -> ImportJob | None:
    """The plan's import job ``job_id`` if ``user`` may see it: the one who started it,
    or a superuser; else None."""
    jobs = ImportJob.objects.filter(plan=plan).select_related("plan")
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    return jobs.filter(pk=job_id).first()


def import_job_rows_done(job: ImportJob) -> int:
    """How many rows a job has written: while it runs, what its import last reported
    (in the cache, outside its transaction); after, what it recorded."""
    if job.state == ImportJob.State.RUNNING:
        return cache.get(job.progress_key, 0)
    return job.rows_done


# The agency that coordinates a foreign-affairs plan (Plan 139's).
FOREIGN_AFFAIRS_CODE = "so-ngoai-vu"


def plan_coordinator_default() -> Agency | None:
    """The coordinating agency proposed for a plan read from a document: the Department of
    Foreign Affairs, as for Plan 139, when the portal has it (by code, else by name)."""
    agencies = Agency.objects.filter(ended_on__isnull=True)
    by_code = agencies.filter(code=FOREIGN_AFFAIRS_CODE).first()
    return by_code or agencies.filter(name__iexact="Sở Ngoại vụ").first()


def plan_get_by_number(*, number: str) -> Plan | None:
    """The plan numbered ``number`` (as written, case and spaces aside), or None."""
    number = " ".join((number or "").split())
    return Plan.objects.filter(number__iexact=number).first() if number else None
