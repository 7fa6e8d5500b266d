"""What an officer should do next, for the dashboard: the agency's overdue deadlines
first (the longest overdue first), then its reports returned for rework, then its
deadlines due soon. Counted as the menu's badges count them (``waiting_counts_get``:
every plan, every period, deadlines whose period has begun)."""

import dataclasses
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from plans.models import Deadline, DeadlineStatus, ProgressReport
from plans.selectors.deadlines import DeadlineFilter, deadline_list_filtered, statistics_filter
from plans.selectors.progress import WaitingCounts
from plans.selectors.reports import report_list_returned
from plans.selectors.status import StatusDates

NEXT_STEPS_SIZE = 5


@dataclass(frozen=True)
class NextStep:
    kind: str  # "overdue", "returned" or "due_soon"
    deadline: Deadline
    report: ProgressReport | None = None


@dataclass(frozen=True)
class NextSteps:
    overdue: int
    returned: int
    due_soon: int
    items: list[NextStep]

    @property
    def total(self) -> int:
        return self.overdue + self.returned + self.due_soon


def next_steps_of(
    *,
    overdue: list[Deadline],
    returned: list[ProgressReport],
    upcoming: list[Deadline],
    due_soon: int,
    waiting: WaitingCounts,
) -> NextSteps:
    """The list from rows already loaded (the unfiltered dashboard's own lists: no
    query): ``overdue`` longest first, ``returned``, then the deadlines of ``upcoming``
    that are due soon. ``waiting`` are the badges' counts (overdue, returned), shown as
    they are, so that the page and the menu never disagree."""
    items = [NextStep("overdue", deadline) for deadline in overdue]
    items += [NextStep("returned", report.deadline, report) for report in returned]
    items += [NextStep("due_soon", d) for d in upcoming if d.status == DeadlineStatus.DUE_SOON]
    return NextSteps(
        overdue=waiting.overdue, returned=waiting.returned, due_soon=due_soon, items=items[:NEXT_STEPS_SIZE]
    )


def next_steps_get(*, user, dates: StatusDates, waiting: WaitingCounts) -> NextSteps:
    """The same list when the page shows narrower lists (a plan or a period chosen):
    three queries, over every plan and period, as the badges count."""
    everything = DeadlineFilter()
    lead = deadline_list_filtered(
        user=user,
        filters=statistics_filter(dataclasses.replace(everything, agency_id=user.agency_id, relation="lead")),
        dates=dates,
    )
    due_soon = lead.filter(status=DeadlineStatus.DUE_SOON).order_by().count()
    urgent_first = Case(
        When(status=DeadlineStatus.OVERDUE, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    deadlines = list(
        lead.filter(status__in=[DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON]).order_by(
            urgent_first, "due_on", "task__plan__number", "task__code", "pk"
        )[:NEXT_STEPS_SIZE]
    )
    return next_steps_of(
        overdue=[d for d in deadlines if d.status == DeadlineStatus.OVERDUE],
        returned=list(
            report_list_returned(agency_id=user.agency_id, filters=everything, limit=NEXT_STEPS_SIZE)
        ),
        upcoming=deadlines,
        due_soon=due_soon,
        waiting=waiting,
    )
