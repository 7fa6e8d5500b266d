"""The menu's search: plans, tasks and their deadlines by code or words of the title,
with or without tones (``plans.search``), within what the user may see."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from plans import permissions
from plans.models import Plan, Task
from plans.search import contains, search_words
from plans.selectors.deadlines import agency_scope, task_scope
from plans.selectors.status import StatusDates, deadline_list_with_status, with_markers

SEARCH_PLAN_LIMIT = 20
SEARCH_TASK_LIMIT = 30


@dataclass
class SearchResults:
    words: list[str]
    plans: list[Plan] = field(default_factory=list)
    # Each task found, with its deadlines the user may open (``task.found_deadlines``).
    tasks: list[Task] = field(default_factory=list)
    # More tasks matched than are shown.
    more_tasks: bool = False

    @property
    def deadline_count(self) -> int:
        return sum(len(task.found_deadlines) for task in self.tasks)


def _matching(rows: QuerySet, words: list[str], *fields: str) -> QuerySet:
    """Rows in which every word appears in one of the fields, tones and case aside."""
    for word in words:
        found = Q()
        for name in fields:
            found |= contains(name, word)
        rows = rows.filter(found)
    return rows


def search_results(*, user, query: str, dates: StatusDates) -> SearchResults:
    """Plans (by number or title) and tasks (by code or title) matching every word of
    ``query``, tones or not; a task comes with its deadlines in the user's scope
    (``task_scope``, ``agency_scope``), so an officer finds only their agency's tasks,
    and drafts only those who edit plans. Three queries, whatever the number of rows."""
    words = search_words(query)
    results = SearchResults(words=words)
    if not words:
        return results
    plans = Plan.objects.all()
    if not permissions.can_edit_plans(user):
        plans = plans.exclude(status=Plan.Status.DRAFT)
    results.plans = list(
        _matching(plans, words, "number", "title").order_by("-period_start", "number")[:SEARCH_PLAN_LIMIT]
    )
    tasks = list(
        _matching(Task.objects.filter(task_scope(user=user)), words, "code", "title")
        .select_related("plan", "area", "lead_agency")
        .order_by("-plan__period_start", "plan__number", "code", "pk")[: SEARCH_TASK_LIMIT + 1]
    )
    results.more_tasks = len(tasks) > SEARCH_TASK_LIMIT
    results.tasks = tasks[:SEARCH_TASK_LIMIT]
    deadlines = (
        with_markers(deadline_list_with_status(dates=dates).filter(agency_scope(user=user)))
        .filter(task__in=[task.pk for task in results.tasks])
        .select_related("responsible_agency")
        .order_by("task_id", "due_on", "pk")
    )
    by_task = {task.pk: task for task in results.tasks}
    for task in results.tasks:
        task.found_deadlines = []
    for deadline in deadlines:
        deadline.task = by_task[deadline.task_id]
        deadline.task.found_deadlines.append(deadline)
    return results
