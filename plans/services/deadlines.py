"""Deadlines generated from a task's schedule, and tasks created with theirs."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans import schedules
from plans.models import (
    Agency,
    ContentArea,
    Deadline,
    Plan,
    ProgressReport,
    Task,
)


def deadline_horizon_end(*, plan: Plan, today: datetime.date) -> datetime.date:
    """The last day for which deadlines are generated: the plan's end, or for an
    open-ended plan the end of the year ``DEADLINE_HORIZON_YEARS`` ahead."""
    if plan.period_end:
        return plan.period_end
    return datetime.date(today.year + settings.DEADLINE_HORIZON_YEARS, 12, 31)


@dataclass
class DeadlineSyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_with_reports: int = 0

    def __add__(self, other):
        return DeadlineSyncResult(
            self.created + other.created,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.kept_with_reports + other.kept_with_reports,
        )


@transaction.atomic
def deadline_sync_for_task(*, task: Task, today: datetime.date | None = None) -> DeadlineSyncResult:
    """Bring a task's deadlines in line with its schedule.

    A new task gets its whole history. After that, recurring deadlines change only from
    today on: the past is a record. A one-off task keeps exactly its one deadline, which
    moves, reports and all, when its date is corrected. A deadline that has a report is
    never deleted, and an open-ended plan's deadlines beyond the rolling horizon are
    left alone (the horizon only ever grows).
    """
    today = today or timezone.localdate()
    plan = task.plan
    horizon_end = deadline_horizon_end(plan=plan, today=today)
    occurrences = schedules.occurrences(
        schedule=task.schedule,
        cycle=task.report_cycle,
        due_on=task.due_on,
        due_day=task.due_day,
        due_month=task.due_month,
        start=max(task.start_on or plan.period_start, plan.period_start),
        end=horizon_end,
    )
    wanted = {occ.due_on: occ for occ in occurrences}
    existing = list(
        task.deadlines.annotate(has_reports=Exists(ProgressReport.objects.filter(deadline=OuterRef("pk"))))
    )
    result = DeadlineSyncResult()
    one_off = task.schedule == Task.Schedule.ONE_OFF
    if one_off and len(existing) == 1 and existing[0].due_on != task.due_on:
        _deadline_move(existing[0], wanted[task.due_on])
        result.updated = 1
        return result

    changes_from = today if existing else datetime.date.min
    # A plan's own end bounds its deadlines; a rolling horizon only grows, so nothing
    # beyond it is touched.
    changes_to = datetime.date.max if plan.period_end else horizon_end
    existing_dates = {deadline.due_on for deadline in existing}
    to_delete = []
    for deadline in existing:
        if not changes_from <= deadline.due_on <= changes_to:
            continue
        occ = wanted.get(deadline.due_on)
        if occ is None:
            if deadline.has_reports:
                result.kept_with_reports += 1
            else:
                to_delete.append(deadline.pk)
        elif (deadline.period_start, deadline.period_label) != (occ.period_start, occ.period_label):
            _deadline_move(deadline, occ)
            result.updated += 1
    if to_delete:
        result.deleted, _ = Deadline.objects.filter(pk__in=to_delete).delete()
    # Generated rows are unique by construction (one per date), so they skip
    # full_clean(), which would cost one uniqueness query per row. The history rows are
    # written in bulk too (bulk_create alone sends no signal, so would record nothing).
    new_deadlines = [
        Deadline(task=task, due_on=occ.due_on, period_start=occ.period_start, period_label=occ.period_label)
        for due_on, occ in sorted(wanted.items())
        if due_on not in existing_dates and (due_on >= changes_from or one_off)
    ]
    bulk_create_with_history(new_deadlines, Deadline)
    result.created = len(new_deadlines)
    return result


def _deadline_move(deadline: Deadline, occ: schedules.Occurrence) -> None:
    deadline.due_on, deadline.period_start, deadline.period_label = (
        occ.due_on,
        occ.period_start,
        occ.period_label,
    )
    deadline.save(update_fields=["due_on", "period_start", "period_label"])


@transaction.atomic
def deadline_sync_for_plan(*, plan: Plan, today: datetime.date | None = None) -> DeadlineSyncResult:
    result = DeadlineSyncResult()
    for task in plan.tasks.select_related("plan"):
        result += deadline_sync_for_task(task=task, today=today)
    return result


@transaction.atomic
def deadline_sync_all(*, today: datetime.date | None = None) -> DeadlineSyncResult:
    """Extend the rolling horizon of every plan that is not closed."""
    result = DeadlineSyncResult()
    for plan in Plan.objects.exclude(status=Plan.Status.CLOSED):
        result += deadline_sync_for_plan(plan=plan, today=today)
    return result


@transaction.atomic
def task_create(
    *,
    plan: Plan,
    area: ContentArea,
    code: str,
    title: str,
    lead_agency: Agency,
    schedule: str,
    cooperating_agencies=(),
    today: datetime.date | None = None,
    **fields,
) -> Task:
    task = Task(
        plan=plan, area=area, code=code, title=title, lead_agency=lead_agency, schedule=schedule, **fields
    )
    task.full_clean()
    task.save()
    task.cooperating_agencies.set(cooperating_agencies)
    deadline_sync_for_task(task=task, today=today)
    return task
