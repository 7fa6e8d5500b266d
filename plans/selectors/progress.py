"""Status counts grouped by content area and by agency; the agency dashboard and the
province overview, each in a fixed number of queries."""

import dataclasses
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    QuerySet,
)

from plans.collation import sorted_vietnamese
from plans.models import (
    Deadline,
    DeadlineStatus,
    ProgressReport,
)
from plans.selectors.deadlines import DeadlineFilter, deadline_list_filtered, statistics_filter
from plans.selectors.reports import report_list_recent, report_list_returned, report_review_queue
from plans.selectors.status import (
    OPEN_STATUSES,
    STATUS_ORDER,
    StatusDates,
    StatusFigures,
    overdue_share,
    status_counts,
)


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


def agency_progress(deadlines: QuerySet[Deadline], *, agencies_as: str = "then") -> list[GroupProgress]:
    """Per agency: "then", the agency answerable when each deadline fell due (an ended
    one labelled "(nay: …)"); "today", folded into each task's lead today."""
    path = "task__lead_agency" if agencies_as == "today" else "responsible_agency"

    def describe(row):
        label = row[f"{path}__short_name"] or row[f"{path}__name"]
        if row[f"{path}__now_known_as"]:
            label = f"{label} (nay: {row[f'{path}__now_known_as']})"
        return label, row[f"{path}__name"]

    groups = _group_progress(
        deadlines,
        key=f"{path}_id",
        fields=(f"{path}__short_name", f"{path}__name", f"{path}__now_known_as"),
        describe=describe,
    )
    return sorted_vietnamese(groups, key=lambda group: group.label)


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
    inherited = deadline_list_filtered(
        user=user,
        filters=dataclasses.replace(filters, agency_id=agency_id, relation="inherited"),
        dates=dates,
    )
    lead = deadline_list_filtered(user=user, filters=statistics_filter(lead_filters), dates=dates)
    cooperating = deadline_list_filtered(user=user, filters=statistics_filter(cooperate_filters), dates=dates)
    upcoming = deadline_list_filtered(
        user=user, filters=dataclasses.replace(lead_filters, window="upcoming"), dates=dates
    )
    return AgencyDashboard(
        counts=status_counts(lead),
        backlog=backlog_counts(lead, filters),
        overdue=list(lead.filter(status=DeadlineStatus.OVERDUE)[:DASHBOARD_LIST_SIZE]),
        upcoming=list(upcoming[:DASHBOARD_LIST_SIZE]),
        returned=list(report_list_returned(agency_id=agency_id, filters=filters)[:DASHBOARD_LIST_SIZE]),
        recent=list(report_list_recent(agency_id=agency_id, filters=filters)[:DASHBOARD_LIST_SIZE]),
        areas=area_progress(lead),
        cooperating_counts=status_counts(cooperating),
        cooperating_open=list(cooperating.filter(status__in=OPEN_STATUSES)[:DASHBOARD_LIST_SIZE]),
        inherited=list(inherited[:DASHBOARD_LIST_SIZE]),
    )


@dataclass(frozen=True)
class WaitingCounts:
    """What waits for a user, as the menu's badges show it: reports waiting for their
    review, and their agency's reports returned for rework and overdue deadlines. The
    same definitions as the review queue and the dashboard, so the numbers agree."""

    to_review: int = 0
    returned: int = 0
    overdue: int = 0


def waiting_counts_get(*, user, dates: StatusDates, reviews: bool) -> WaitingCounts:
    """At most three counting queries: the review queue's length (``reviews``: the user
    may review), and for a user of an agency the dashboard's returned reports and its
    unfinished overdue deadlines (every plan, every period)."""
    to_review = report_review_queue(user=user).order_by().count() if reviews else 0
    if not user.agency_id:
        return WaitingCounts(to_review=to_review)
    everything = DeadlineFilter()
    lead = deadline_list_filtered(
        user=user,
        filters=statistics_filter(dataclasses.replace(everything, agency_id=user.agency_id, relation="lead")),
        dates=dates,
    )
    return WaitingCounts(
        to_review=to_review,
        returned=report_list_returned(agency_id=user.agency_id, filters=everything).order_by().count(),
        overdue=lead.filter(status=DeadlineStatus.OVERDUE).order_by().count(),
    )


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


def province_overview_get(*, user, filters: DeadlineFilter, dates: StatusDates) -> ProvinceOverview:
    deadlines = deadline_list_filtered(user=user, filters=statistics_filter(filters), dates=dates)
    return ProvinceOverview(
        counts=status_counts(deadlines),
        backlog=backlog_counts(deadlines, filters),
        agencies=agency_progress(deadlines, agencies_as=filters.agencies_as),
        areas=area_progress(deadlines),
        longest_overdue=list(deadlines.filter(status=DeadlineStatus.OVERDUE)[:15]),
    )


def province_agency_progress(*, user, filters: DeadlineFilter, dates: StatusDates) -> list[GroupProgress]:
    """The province overview's agency × status table alone, in one query."""
    return agency_progress(
        deadline_list_filtered(user=user, filters=statistics_filter(filters), dates=dates),
        agencies_as=filters.agencies_as,
    )
