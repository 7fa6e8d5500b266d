"""Deadlines a user may see: the agency scope, the page filters, one deadline's page."""

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    CharField,
    F,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from plans import permissions
from plans.models import (
    AgencyGroup,
    Contribution,
    Deadline,
    EvidenceFile,
    Plan,
    ProgressReport,
    Task,
)
from plans.periods import ReportPeriod
from plans.selectors.status import OPEN_STATUSES, StatusDates, deadline_list_with_status, with_markers


class InSubquery(Func):
    """``column IN (subquery)``. On PostgreSQL written ``column = ANY(ARRAY(subquery))``:
    the subquery runs once, and its values are looked up in the column's index, so that
    an agency's rows are found through an index instead of testing every row of the
    table against a hashed subquery (and an OR with a condition on another indexed
    column reads both indexes, a BitmapOr)."""

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, column: str, queryset: QuerySet):
        super().__init__(F(column), Subquery(queryset))

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", **extra_context
        )


def draft_plan_tasks() -> QuerySet:
    """The tasks of draft plans, as a subquery: rows are kept out of drafts by their
    task id (a hashed lookup in the few draft tasks), with no join to tasks and plans."""
    return Task.objects.filter(plan__status=Plan.Status.DRAFT).order_by().values("pk")


def _tasks_led_by(agency_id: int) -> QuerySet:
    return Task.objects.filter(lead_agency_id=agency_id).order_by().values("pk")


def _tasks_cooperated_by(agency_id: int) -> QuerySet:
    return Task.cooperating_agencies.through.objects.filter(agency_id=agency_id).values("task_id")


def _tasks_cooperated_by_group(agency_id: int) -> QuerySet:
    """Tasks on which a group the agency belongs to cooperates (after the district
    level ended, "UBND các xã, phường" took the districts' cooperations)."""
    return Task.cooperating_groups.through.objects.filter(agencygroup__members=agency_id).values("task_id")


def _cooperates(agency_id: int, *, task_field: str = "task") -> Q:
    return Q(**{f"{task_field}__in": _tasks_cooperated_by(agency_id)}) | Q(
        **{f"{task_field}__in": _tasks_cooperated_by_group(agency_id)}
    )


def _cooperating_deadlines(agency_id: int) -> Q:
    """``_cooperates`` for a query of deadlines, found through the deadlines' task index."""
    return Q(InSubquery("task_id", _tasks_cooperated_by(agency_id))) | Q(
        InSubquery("task_id", _tasks_cooperated_by_group(agency_id))
    )


def task_cooperating_ids(task: Task) -> set[int]:
    """The agencies cooperating on a task: named, or members of a cooperating group
    (from ``deadline_get_for_page``'s prefetch when there). The lead agency is never its
    own task's cooperator, even when a group ("các sở, ban, ngành tỉnh") includes it."""
    named = {agency.pk for agency in task.cooperating_agencies.all()}
    members = {member.pk for group in task.cooperating_groups.all() for member in group.members.all()}
    return (named | members) - {task.lead_agency_id}


def tasks_of_agency(agency_id: int, *, task_field: str = "task") -> Q:
    """Deadlines (reached from the row through ``task_field``'s deadline) the agency
    answers for, or whose task it leads today or cooperates on: a successor sees the
    history of the tasks it inherited. Cooperation is a subquery on the link table, not
    a join: no duplicate rows, and PostgreSQL filters the deadlines with a hashed
    lookup instead of joining every deadline first."""
    deadline_prefix = task_field.removesuffix("task")
    return (
        Q(**{f"{deadline_prefix}responsible_agency_id": agency_id})
        | Q(**{f"{task_field}__lead_agency_id": agency_id})
        | _cooperates(agency_id, task_field=task_field)
    )


def agency_scope_deadline_sets(agency_id: int) -> list[QuerySet]:
    """``tasks_of_agency``'s deadlines as separate sets of ids (those the agency answers
    for; those of tasks it leads, cooperates on, or cooperates on through a group), each
    found through one index, so that a caller can look each set up without reading every
    deadline. Their union is the scope."""
    deadlines = Deadline.objects.order_by()
    return [
        deadlines.filter(responsible_agency_id=agency_id).values("pk"),
        deadlines.filter(task__in=Task.objects.filter(lead_agency_id=agency_id).values("pk")).values("pk"),
        deadlines.filter(task__in=_tasks_cooperated_by(agency_id)).values("pk"),
        deadlines.filter(task__in=_tasks_cooperated_by_group(agency_id)).values("pk"),
    ]


def deadline_scope_agencies(deadlines: Iterable[tuple[int, int | None]]) -> set[int]:
    """The agencies whose scope (``agency_scope_deadline_sets``) holds deadlines given as
    (task id, responsible agency id) pairs: the one answering for each, and its task's
    lead, named cooperating agencies and members of cooperating groups. The same rule
    read from the deadline's side, in one query."""
    pairs = list(deadlines)
    if not pairs:
        return set()
    task_ids = {task_id for task_id, _ in pairs}
    leads = Task.objects.filter(pk__in=task_ids).values_list("lead_agency_id")
    named = Task.cooperating_agencies.through.objects.filter(task_id__in=task_ids).values_list("agency_id")
    grouped = AgencyGroup.members.through.objects.filter(
        agencygroup__in=Task.cooperating_groups.through.objects.filter(task_id__in=task_ids).values(
            "agencygroup_id"
        )
    ).values_list("agency_id")
    found = {agency_id for (agency_id,) in leads.order_by().union(named.order_by(), grouped.order_by())}
    return found | {agency_id for _, agency_id in pairs if agency_id is not None}


def deadline_answering_agencies(deadline_ids: Iterable[int]) -> set[int]:
    """The agencies that answer, or once answered, for the deadlines ``deadline_ids``
    (any version in their history): a deadline moved by a reorganisation still concerns
    the agency it left."""
    return set(
        Deadline.history.filter(id__in=list(deadline_ids))
        .order_by()
        .values_list("responsible_agency_id", flat=True)
        .distinct()
    )


def agency_scope(*, user, task_field: str = "task") -> Q:
    """What a user may see: everything for those who see all agencies (coordinators,
    leaders), otherwise only rows whose task (``task_field``) the user's own agency
    leads or cooperates on. A user without an agency sees nothing. Draft plans are
    still being written: only those who edit plans see their rows, on every path that
    loads through this scope (deadline pages, posts, evidence, the review queue)."""
    if user.agency_id is None and not permissions.can_see_all_agencies(user):
        return Q(pk__in=[])
    scope = (
        Q()
        if permissions.can_see_all_agencies(user)
        else tasks_of_agency(user.agency_id, task_field=task_field)
    )
    if not permissions.can_edit_plans(user):
        scope &= ~Q(**{f"{task_field}__in": draft_plan_tasks()})
    return scope


def task_scope(*, user) -> Q:
    """The tasks a user may see, as ``agency_scope`` gives their deadlines, and also
    those without any deadline yet: an officer's agency leads it today, cooperates on
    it, or answers for one of its deadlines. Drafts only for those who edit plans."""
    sees_all = permissions.can_see_all_agencies(user)
    if user.agency_id is None and not sees_all:
        return Q(pk__in=[])
    scope = Q()
    if not sees_all:
        answers_for = Deadline.objects.filter(responsible_agency_id=user.agency_id).values("task_id")
        scope = (
            Q(lead_agency_id=user.agency_id)
            | _cooperates(user.agency_id, task_field="pk")
            | Q(pk__in=answers_for)
        )
    if not permissions.can_edit_plans(user):
        scope &= ~Q(plan__status=Plan.Status.DRAFT)
    return scope


def deadline_list_visible_to(*, user, dates: StatusDates) -> QuerySet[Deadline]:
    """Deadlines the user may open, with status."""
    return deadline_list_with_status(dates=dates).filter(agency_scope(user=user))


UPCOMING_DAYS = 30


@dataclass(frozen=True)
class DeadlineFilter:
    """The filters a dashboard or list applies. Empty fields filter nothing.

    ``relation`` narrows an agency's deadlines to those it answers for ("lead"), only
    cooperates on ("cooperate"), or inherited: open deadlines of tasks it leads today
    that an earlier agency still answers for ("inherited"); ``window`` "upcoming" keeps
    open deadlines due in the next ``UPCOMING_DAYS`` days, "started" those whose period
    has begun (what figures without a report period count). ``period`` keeps a report period's deadlines with
    its backlog (``period_scope``)."""

    plan_id: int | None = None
    period: ReportPeriod | None = None
    year: int | None = None
    area_id: int | None = None
    agency_id: int | None = None
    relation: str = "lead"
    status: str | None = None
    window: str | None = None
    # Agencies in counts: "then" as they were when each deadline fell due, "today"
    # folded into the task's lead today (after reorganisations).
    agencies_as: str = "then"


def _filtered(deadlines: QuerySet[Deadline], *, filters: DeadlineFilter, dates: StatusDates) -> QuerySet:
    # Draft plans are still being written by the coordinator; agencies do not track them.
    deadlines = deadlines.exclude(task__in=draft_plan_tasks())
    if filters.plan_id:
        deadlines = deadlines.filter(task__plan_id=filters.plan_id)
    if filters.period:
        deadlines = deadlines.filter(period_scope(filters.period))
    if filters.year:
        deadlines = deadlines.filter(due_on__year=filters.year)
    if filters.area_id:
        deadlines = deadlines.filter(task__area_id=filters.area_id)
    if filters.agency_id:
        # Each relation starts from an index of the agency's own rows (its deadlines,
        # or the tasks it leads or cooperates on), so that its cost is the agency's size.
        if filters.relation == "cooperate":
            deadlines = deadlines.filter(_cooperating_deadlines(filters.agency_id)).exclude(
                Q(responsible_agency_id=filters.agency_id) | Q(task__in=_tasks_led_by(filters.agency_id))
            )
        elif filters.relation == "inherited":
            led = InSubquery("task_id", _tasks_led_by(filters.agency_id))
            deadlines = deadlines.filter(led, completed_on__isnull=True).exclude(
                responsible_agency_id=filters.agency_id
            )
        elif filters.agencies_as == "today":
            deadlines = deadlines.filter(InSubquery("task_id", _tasks_led_by(filters.agency_id)))
        else:
            deadlines = deadlines.filter(responsible_agency_id=filters.agency_id)
    if filters.status:
        deadlines = deadlines.filter(status=filters.status)
    if filters.window == "upcoming":
        deadlines = deadlines.filter(
            status__in=OPEN_STATUSES,
            ends_on__gte=dates.today,
            ends_on__lte=dates.today + datetime.timedelta(days=UPCOMING_DAYS),
        )
    elif filters.window == "started":
        deadlines = deadlines.filter(period_start__lte=dates.today)
    return deadlines


def period_scope(period: ReportPeriod) -> Q:
    """What a report period's figures cover: the deadlines due in it, and the backlog,
    those due earlier that were still open when it began (not done before its first
    day, not waived). Reads ``completed_on`` from ``deadline_list_with_status``."""
    backlog = Q(due_on__lt=period.start, waived_at__isnull=True) & (
        Q(completed_on__isnull=True) | Q(completed_on__gte=period.start)
    )
    return Q(due_on__gte=period.start, due_on__lte=period.end) | backlog


def statistics_filter(filters: DeadlineFilter) -> DeadlineFilter:
    """The deadlines a page's figures count: a report period's (with its backlog), or,
    without one, those whose period has begun, so that deadlines generated years
    ahead do not dilute the figures."""
    return filters if filters.period else dataclasses.replace(filters, window=filters.window or "started")


def deadline_set_counted(*, filters: DeadlineFilter, dates: StatusDates) -> QuerySet[Deadline]:
    """The deadlines a province-wide figure counts under ``filters`` (``statistics_filter``
    applied), with their status: what ``deadline_set_filtered`` gives those who see every
    agency, whoever they are."""
    return _filtered(deadline_list_with_status(dates=dates), filters=statistics_filter(filters), dates=dates)


def _within_own_agency(user, filters: DeadlineFilter) -> bool:
    """Whether the filters already keep the user to their own agency's deadlines: every
    relation of ``_filtered`` to the user's agency is part of ``tasks_of_agency``, and
    drafts are left out for everyone there, so the scope would add nothing but cost."""
    return bool(filters.agency_id) and filters.agency_id == user.agency_id


def deadline_set_filtered(*, user, filters: DeadlineFilter, dates: StatusDates) -> QuerySet[Deadline]:
    """The deadlines behind every number on the dashboards, scoped to the user, with
    their status and nothing a row shows: what figures count and short lists pick their
    ids from. Building a list's joins and markers cost more than running a count."""
    deadlines = (
        deadline_list_with_status(dates=dates)
        if _within_own_agency(user, filters)
        else deadline_list_visible_to(user=user, dates=dates)
    )
    return _filtered(deadlines, filters=filters, dates=dates)


def deadline_list_filtered(*, user, filters: DeadlineFilter, dates: StatusDates) -> QuerySet[Deadline]:
    """``deadline_set_filtered`` with what a list row shows, in the lists' order."""
    return _as_listed(deadline_set_filtered(user=user, filters=filters, dates=dates))


# The lists' order: by due date, then plan, task code and id, so that equal dates keep a
# stable order across pages and exports.
LIST_ORDER = ("due_on", "task__plan__number", "task__code", "pk")


def _as_listed(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """With what a list row shows (``deadline_table.html``: the task, its plan and area,
    the agency answering for the deadline), in the lists' order."""
    return (
        with_markers(deadlines)
        .select_related("task__plan", "task__area", "responsible_agency")
        .order_by(*LIST_ORDER)
    )


def _first_ids(deadlines: QuerySet[Deadline], size: int) -> QuerySet:
    return deadlines.order_by(*LIST_ORDER).values("pk")[:size]


def _rows_by_id(ids, *, dates: StatusDates) -> list[Deadline]:
    """The deadlines of ``ids`` (a subquery or a collection) with everything a list row
    shows, in the lists' order."""
    return list(_as_listed(deadline_list_with_status(dates=dates)).filter(pk__in=ids))


def deadline_list_first(deadlines: QuerySet[Deadline], size: int, *, dates: StatusDates) -> list[Deadline]:
    """The first ``size`` of a set of deadlines (``deadline_set_filtered``, further
    filtered) in the lists' order, as a dashboard shows them: their ids found by a
    narrow query (the set's filters and the order alone), then those rows read by id
    with everything a row shows. Reading the list itself, PostgreSQL joins every table
    a row shows and runs the markers' subqueries for every candidate before the sort
    keeps ten, and it misjudges how many candidates an agency's id array gives."""
    return _rows_by_id(_first_ids(deadlines, size), dates=dates)


def deadline_lists_first(
    lists: dict[str, QuerySet[Deadline]], size: int, *, dates: StatusDates
) -> dict[str, list[Deadline]]:
    """``deadline_list_first`` of several sets at once, in two queries whatever their
    number: each set's first ids by its own narrow query, named by the set, in one
    UNION ALL; then every row they name, read once with everything a row shows (in the
    lists' order, which every list keeps). A row query costs more to build than to run."""
    # Each sliced id query inside an outer one: SQLite refuses LIMIT and ORDER BY in the
    # parts of a UNION.
    named_ids = [
        Deadline.objects.filter(pk__in=_first_ids(deadlines, size))
        .order_by()
        .annotate(list_name=Value(name, output_field=CharField()))
        .values_list("pk", "list_name")
        for name, deadlines in lists.items()
    ]
    ids_by_list: dict[str, set[int]] = {name: set() for name in lists}
    for pk, name in named_ids[0].union(*named_ids[1:], all=True):
        ids_by_list[name].add(pk)
    every_id = set().union(*ids_by_list.values())
    rows = _rows_by_id(every_id, dates=dates) if every_id else []
    return {name: [row for row in rows if row.pk in ids] for name, ids in ids_by_list.items()}


def deadline_get_for_page(*, user, pk: int, dates: StatusDates) -> Deadline:
    """One deadline the user may see, with everything its page shows: the task, its
    agencies, the report history with evidence, and the contributions."""
    reports = ProgressReport.objects.select_related("submitted_by", "reviewed_by", "agency").prefetch_related(
        "evidence"
    )
    contributions = Contribution.objects.select_related("agency", "submitted_by").prefetch_related("evidence")
    return (
        with_markers(deadline_list_visible_to(user=user, dates=dates))
        .select_related("task__plan", "task__area", "task__lead_agency", "responsible_agency")
        .prefetch_related(
            "task__cooperating_agencies",
            "task__cooperating_groups__members",
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
