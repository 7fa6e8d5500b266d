"""Status counts grouped by content area and by agency; the agency dashboard and the
province overview, each in a fixed number of queries."""

import dataclasses
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Count,
    F,
    QuerySet,
)

from plans import permissions
from plans.collation import sorted_vietnamese
from plans.models import (
    Agency,
    ContentArea,
    Deadline,
    DeadlineStatus,
    ProgressReport,
    Task,
)
from plans.selectors.deadlines import (
    DeadlineFilter,
    deadline_list_filtered,
    deadline_list_first,
    deadline_lists_first,
    deadline_set_filtered,
    statistics_filter,
)
from plans.selectors.reports import report_list_recent, report_list_returned, report_review_queue
from plans.selectors.status import (
    OPEN_STATUSES,
    STATUS_ORDER,
    StatusDates,
    StatusFigures,
    overdue_share,
    status_counts,
    status_counts_from_rows,
)
from plans.selectors.status_tally import AREA_KEY, status_tally_rows, status_tally_serves


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


def _status_rows(deadlines: QuerySet[Deadline], keys: tuple[str, ...]) -> list[dict]:
    """The number of deadlines per status and per value of ``keys`` (ids), in one
    grouped query. Grouping by ids alone keeps the sort or hash small; the labels are read
    from the few groups afterwards, not carried through the aggregation."""
    return list(deadlines.order_by().values(*keys, "status").annotate(n=Count("pk")).order_by())


def _status_rows_by_area_and_agency(
    deadlines: QuerySet[Deadline], area_key: str, agency_key: str
) -> tuple[list[dict], list[dict]]:
    """``_status_rows`` by area and, separately, by agency, from one pass over the
    deadlines. On PostgreSQL one query with GROUPING SETS, which keeps two small groupings
    (areas × statuses, agencies × statuses) instead of one of every area, agency and status
    met together (some 20,000 groups in a province); elsewhere that one grouping, summed
    both ways here."""
    if connection.vendor != "postgresql":
        rows = _status_rows(deadlines, (area_key, agency_key))
        return rows, rows
    counted = (
        deadlines.order_by()
        .annotate(counted_area=F(area_key), counted_agency=F(agency_key))
        .values("counted_area", "counted_agency", "status")
    )
    sql, params = counted.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT GROUPING("counted_agency") = 1, "counted_area", "counted_agency", "status", COUNT(*) '
            f"FROM ({sql}) AS counted "
            'GROUP BY GROUPING SETS (("counted_area", "status"), ("counted_agency", "status"))',
            params,
        )
        grouped = cursor.fetchall()
    by_area, by_agency = [], []
    for of_area, area, agency, status, n in grouped:
        if of_area:
            by_area.append({area_key: area, "status": status, "n": n})
        else:
            by_agency.append({agency_key: agency, "status": status, "n": n})
    return by_area, by_agency


def _groups(rows: list[dict], key: str) -> dict[int, dict[str, int]]:
    """Per value of ``key``: the counts by status summed from ``rows``."""
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return {value: status_counts_from_rows(group) for value, group in grouped.items()}


def _area_groups(rows: list[dict], key: str = "task__area_id") -> list[GroupProgress]:
    """Per content area, plan by plan; each says its plan when several plans are shown,
    since areas of different plans share numbers and often titles."""
    counts = _groups(rows, key)
    areas = (
        ContentArea.objects.filter(pk__in=list(counts))
        .order_by("plan__number", "number", "title", "pk")
        .values("pk", "number", "title", "plan__number")
    )
    return _area_groups_of(counts, areas)


def _area_groups_by_task(rows: list[dict]) -> list[GroupProgress]:
    """``_area_groups`` from counts per task (``task_id``), the areas read through the
    counted tasks in one query: the counting query then reads the agency's deadlines
    alone, never joining the province's tasks to find their areas."""
    tasks = (
        Task.objects.filter(pk__in={row["task_id"] for row in rows})
        .order_by("plan__number", "area__number", "area__title", "area_id")
        .values("pk", "area_id", "area__number", "area__title", "plan__number")
    )
    area_of, areas = {}, {}  # the areas in the database's order, as _area_groups
    for task in tasks:
        area_of[task["pk"]] = task["area_id"]
        areas.setdefault(
            task["area_id"],
            {
                "pk": task["area_id"],
                "number": task["area__number"],
                "title": task["area__title"],
                "plan__number": task["plan__number"],
            },
        )
    counts = _groups([{**row, "area_id": area_of[row["task_id"]]} for row in rows], "area_id")
    return _area_groups_of(counts, areas.values())


def _area_groups_of(counts: dict[int, dict[str, int]], areas) -> list[GroupProgress]:
    groups = [
        GroupProgress(
            key=area["pk"],
            label=f"{area['number']}. {area['title']}",
            counts=counts[area["pk"]],
            detail=area["plan__number"],
        )
        for area in areas
    ]
    several_plans = len({group.detail for group in groups}) > 1
    for group in groups:
        group.detail = f"Kế hoạch {group.detail}" if several_plans else ""
    return groups


def _agency_groups(rows: list[dict], key: str) -> list[GroupProgress]:
    """Per agency, in Vietnamese order; an ended one labelled "(nay: …)"."""
    counts = _groups(rows, key)
    groups = []
    for agency in Agency.objects.filter(pk__in=list(counts)).values(
        "pk", "short_name", "name", "now_known_as"
    ):
        label = Agency.label_now_of(
            name=agency["name"], short_name=agency["short_name"], now_known_as=agency["now_known_as"]
        )
        groups.append(
            GroupProgress(key=agency["pk"], label=label, counts=counts[agency["pk"]], detail=agency["name"])
        )
    return sorted_vietnamese(groups, key=lambda group: group.label)


def _agency_path(agencies_as: str) -> str:
    return "task__lead_agency" if agencies_as == "today" else "responsible_agency"


def area_progress(deadlines: QuerySet[Deadline]) -> list[GroupProgress]:
    """Per content area, plan by plan, in two queries (the counts, then the areas)."""
    return _area_groups(_status_rows(deadlines, ("task__area_id",)))


def agency_progress(deadlines: QuerySet[Deadline], *, agencies_as: str = "then") -> list[GroupProgress]:
    """Per agency: "then", the agency answerable when each deadline fell due (an ended
    one labelled "(nay: …)"); "today", folded into each task's lead today."""
    key = f"{_agency_path(agencies_as)}_id"
    return _agency_groups(_status_rows(deadlines, (key,)), key)


def backlog_counts(deadlines: QuerySet[Deadline], filters: DeadlineFilter) -> dict[str, int] | None:
    """Of a report period's figures, those carried over from before it (due before its
    first day, still open then); None without a period."""
    if not filters.period:
        return None
    return status_counts(deadlines.filter(due_on__lt=filters.period.start))


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
    inherited: list[Deadline] = dataclasses.field(default_factory=list)
    backlog: dict[str, int] | None = None

    @property
    def figures(self) -> StatusFigures:
        return StatusFigures(self.counts, self.backlog)

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
    inherited = deadline_set_filtered(
        user=user,
        filters=dataclasses.replace(filters, agency_id=agency_id, relation="inherited"),
        dates=dates,
    )
    lead = deadline_set_filtered(user=user, filters=statistics_filter(lead_filters), dates=dates)
    cooperating = deadline_set_filtered(user=user, filters=statistics_filter(cooperate_filters), dates=dates)
    upcoming = deadline_set_filtered(
        user=user, filters=dataclasses.replace(lead_filters, window="upcoming"), dates=dates
    )

    lists = deadline_lists_first(
        {
            "overdue": lead.filter(status=DeadlineStatus.OVERDUE),
            "upcoming": upcoming,
            "cooperating_open": cooperating.filter(status__in=OPEN_STATUSES),
            "inherited": inherited,
        },
        DASHBOARD_LIST_SIZE,
        dates=dates,
    )
    # The agency's counts and its per-area counts from the same grouped query.
    lead_rows = _status_rows(lead, ("task_id",))
    return AgencyDashboard(
        counts=status_counts_from_rows(lead_rows),
        backlog=backlog_counts(lead, filters),
        overdue=lists["overdue"],
        upcoming=lists["upcoming"],
        returned=list(report_list_returned(agency_id=agency_id, filters=filters, limit=DASHBOARD_LIST_SIZE)),
        recent=list(report_list_recent(agency_id=agency_id, filters=filters, limit=DASHBOARD_LIST_SIZE)),
        areas=_area_groups_by_task(lead_rows),
        cooperating_counts=status_counts(cooperating),
        cooperating_open=lists["cooperating_open"],
        inherited=lists["inherited"],
    )


@dataclass(frozen=True)
class WaitingCounts:
    """What waits for a user, as the menu's badges show it: reports waiting for their
    review, and their agency's reports returned for rework and overdue deadlines. The
    same definitions as the review queue and the dashboard, so the numbers agree."""

    to_review: int = 0
    returned: int = 0
    overdue: int = 0


def waiting_counts_get(
    *, user, dates: StatusDates, reviews: bool, overdue: int | None = None
) -> WaitingCounts:
    """At most three counting queries: the review queue's length (``reviews``: the user
    may review), and for a user of an agency the dashboard's returned reports and its
    unfinished overdue deadlines (every plan, every period). ``overdue``: that last
    number, when the page has just counted it at ``dates`` (the unfiltered dashboard and
    overview hold it)."""
    to_review = report_review_queue(user=user).order_by().count() if reviews else 0
    if not user.agency_id:
        return WaitingCounts(to_review=to_review)
    everything = DeadlineFilter()
    if overdue is None:
        lead = deadline_set_filtered(
            user=user,
            filters=statistics_filter(
                dataclasses.replace(everything, agency_id=user.agency_id, relation="lead")
            ),
            dates=dates,
        )
        overdue = lead.filter(status=DeadlineStatus.OVERDUE).order_by().count()
    returned = report_list_returned(agency_id=user.agency_id, filters=everything).order_by().count()
    return WaitingCounts(to_review=to_review, returned=returned, overdue=overdue)


@dataclass
class ProvinceOverview:
    counts: dict[str, int]
    agencies: list[GroupProgress]
    areas: list[GroupProgress]
    longest_overdue: list[Deadline]
    backlog: dict[str, int] | None = None

    @property
    def figures(self) -> StatusFigures:
        return StatusFigures(self.counts, self.backlog)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue_share(self) -> float | None:
        return overdue_share(self.counts)

    def agency_counts(self, agency_id: int) -> dict[str, int]:
        """The counts of the agency's row (all zero when it has none)."""
        for group in self.agencies:
            if group.key == agency_id:
                return group.counts
        return dict.fromkeys(STATUS_ORDER, 0)


def _overview_rows(
    *, user, filters: DeadlineFilter, dates: StatusDates, deadlines, agency_key: str
) -> tuple[list, list]:
    """The overview's counts by area and by agency: the province's kept counts
    (``status_tally_rows``) when the overview is unfiltered and they are current, else
    counted from ``deadlines``."""
    if status_tally_serves(filters) and permissions.can_see_all_agencies(user):
        kept = status_tally_rows(dates=dates)
        if kept is not None:
            return kept
    return _status_rows_by_area_and_agency(deadlines, AREA_KEY, agency_key)


def province_overview_get(*, user, filters: DeadlineFilter, dates: StatusDates) -> ProvinceOverview:
    deadlines = deadline_set_filtered(user=user, filters=statistics_filter(filters), dates=dates)
    # The total, the agency table and the area table from one pass over the deadlines,
    # grouped by area and agency ids; the labels are read for the groups found.
    agency_key = f"{_agency_path(filters.agencies_as)}_id"
    by_area, by_agency = _overview_rows(
        user=user, filters=filters, dates=dates, deadlines=deadlines, agency_key=agency_key
    )
    return ProvinceOverview(
        counts=status_counts_from_rows(by_area),
        backlog=backlog_counts(deadlines, filters),
        agencies=_agency_groups(by_agency, agency_key),
        areas=_area_groups(by_area, AREA_KEY),
        longest_overdue=deadline_list_first(deadlines.filter(status=DeadlineStatus.OVERDUE), 15, dates=dates),
    )


def province_agency_progress(*, user, filters: DeadlineFilter, dates: StatusDates) -> list[GroupProgress]:
    """The province overview's agency × status table alone, in one query."""
    return agency_progress(
        deadline_list_filtered(user=user, filters=statistics_filter(filters), dates=dates),
        agencies_as=filters.agencies_as,
    )
