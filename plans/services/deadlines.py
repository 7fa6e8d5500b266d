"""Deadlines generated from a task's schedule, and tasks created with theirs."""

import copy
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans import permissions, schedules
from plans.models import (
    Agency,
    ContentArea,
    Deadline,
    Plan,
    ProgressReport,
    Task,
    accepted_completion,
)
from plans.selectors.status import working_calendar_get
from plans.services.agency_changes import agency_changes_record
from plans.services.status_tally import status_tally_mark
from plans.working_days import WorkingCalendar


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
    # Of ``created``, those due before today: overdue the moment they exist.
    created_past: int = 0

    def __add__(self, other):
        return DeadlineSyncResult(
            self.created + other.created,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.kept_with_reports + other.kept_with_reports,
            self.created_past + other.created_past,
        )

    def describe(self) -> str:
        """ "sẽ tạo 4 hạn; 0 hạn đã qua" style, without the verb's tense."""
        parts = [f"{self.created} hạn mới ({self.created_past} hạn đã qua)"]
        if self.deleted:
            parts.append(f"bỏ {self.deleted} hạn chưa có báo cáo")
        if self.updated:
            parts.append(f"dời {self.updated} hạn")
        if self.kept_with_reports:
            parts.append(f"giữ {self.kept_with_reports} hạn đã có báo cáo")
        return "; ".join(parts)


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
    working_calendar = working_calendar_get()
    wanted = _wanted_occurrences(task=task, horizon_end=horizon_end)
    existing = list(
        task.deadlines.annotate(
            has_reports=Exists(ProgressReport.objects.filter(deadline=OuterRef("pk"))),
            done=Exists(ProgressReport.objects.filter(accepted_completion(), deadline=OuterRef("pk"))),
        )
    )
    _deadlines_follow_lead(task=task, deadlines=existing, today=today)
    result = DeadlineSyncResult()
    one_off = task.schedule == Task.Schedule.ONE_OFF
    if one_off and len(existing) == 1 and existing[0].due_on != task.due_on:
        _deadline_move(existing[0], wanted[task.due_on], working_calendar)
        result.updated = 1
        return result

    # Recurring deadlines start at the task's start: moving it later removes those
    # before it that nobody reported on (each deletion is recorded in history).
    if task.start_on and not one_off:
        before_start = [d for d in existing if d.due_on < task.start_on]
        for deadline in before_start:
            if deadline.has_reports:
                result.kept_with_reports += 1
            else:
                deadline.delete()
                result.deleted += 1
        existing = [d for d in existing if d.due_on >= task.start_on or d.has_reports]

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
            _deadline_move(deadline, occ, working_calendar)
            result.updated += 1
    if to_delete:
        deleted, _ = Deadline.objects.filter(pk__in=to_delete).delete()
        result.deleted += deleted
    new_deadlines = [
        _deadline_new(task, occ, working_calendar)
        for due_on, occ in sorted(wanted.items())
        if due_on not in existing_dates and (due_on >= changes_from or one_off)
    ]
    return result + _deadlines_insert(new_deadlines, today=today)


def deadlines_create_for_new_tasks(*, tasks, today: datetime.date | None = None) -> DeadlineSyncResult:
    """The deadlines of tasks just created, which have none yet: each gets its whole
    schedule, as ``deadline_sync_for_task`` gives a new task, all written in one insert
    (and one for their history) instead of a few queries per task."""
    today = today or timezone.localdate()
    working_calendar = working_calendar_get()
    horizons = {}
    new_deadlines = []
    for task in tasks:
        if task.plan_id not in horizons:
            horizons[task.plan_id] = deadline_horizon_end(plan=task.plan, today=today)
        wanted = _wanted_occurrences(task=task, horizon_end=horizons[task.plan_id])
        new_deadlines += [_deadline_new(task, occ, working_calendar) for _, occ in sorted(wanted.items())]
    return _deadlines_insert(new_deadlines, today=today)


def _wanted_occurrences(*, task: Task, horizon_end: datetime.date) -> dict:
    """The task's schedule as due dates, within the plan, the task's own start and end,
    and the horizon: ``{due_on: Occurrence}``."""
    plan = task.plan
    occurrences = schedules.occurrences(
        schedule=task.schedule,
        cycle=task.report_cycle,
        due_on=task.due_on,
        due_day=task.due_day,
        due_month=task.due_month,
        start=max(task.start_on or plan.period_start, plan.period_start),
        end=min(horizon_end, task.end_on) if task.end_on else horizon_end,
    )
    return {occ.due_on: occ for occ in occurrences}


def _deadline_new(task: Task, occ: schedules.Occurrence, working_calendar: WorkingCalendar) -> Deadline:
    return Deadline(
        task=task,
        due_on=occ.due_on,
        ends_on=working_calendar.period_end(occ.due_on),
        period_start=occ.period_start,
        period_label=occ.period_label,
        responsible_agency_id=task.lead_agency_id,
    )


def _deadlines_insert(new_deadlines, *, today: datetime.date) -> DeadlineSyncResult:
    # Generated rows are unique by construction (one per date), so they skip
    # full_clean(), which would cost one uniqueness query per row. The history rows are
    # written in bulk too (bulk_create alone sends no signal, so would record nothing).
    bulk_create_with_history(new_deadlines, Deadline)
    # No signal either for the journal of agency changes and the province's counts.
    agency_changes_record((deadline.task_id, deadline.responsible_agency_id) for deadline in new_deadlines)
    status_tally_mark(deadline.responsible_agency_id for deadline in new_deadlines)
    return DeadlineSyncResult(
        created=len(new_deadlines),
        created_past=sum(1 for deadline in new_deadlines if deadline.due_on < today),
    )


class _PreviewOnly(Exception):
    pass


def deadline_sync_preview(*, task: Task, today: datetime.date | None = None) -> DeadlineSyncResult:
    """What saving ``task`` (new or changed, not yet saved) would do to its deadlines:
    the real sync, run on a copy inside a transaction that is always rolled back."""
    result = DeadlineSyncResult()
    draft = copy.copy(task)
    try:
        with transaction.atomic():
            draft.save()
            result = deadline_sync_for_task(task=draft, today=today)
            raise _PreviewOnly
    except _PreviewOnly:
        pass
    return result


def _deadlines_follow_lead(*, task: Task, deadlines, today: datetime.date) -> None:
    """A task's open deadlines from today on are answered for by its lead: when the lead
    is corrected, they follow it. Past and done deadlines keep the agency they had
    (a reorganisation moves them by its own rule, from its effective date)."""
    for deadline in deadlines:
        if (
            deadline.due_on >= today
            and not deadline.done
            and deadline.responsible_agency_id != task.lead_agency_id
        ):
            deadline.responsible_agency_id = task.lead_agency_id
            deadline.save(update_fields=["responsible_agency"])


def _deadline_move(deadline: Deadline, occ: schedules.Occurrence, working_calendar: WorkingCalendar) -> None:
    deadline.due_on, deadline.ends_on, deadline.period_start, deadline.period_label = (
        occ.due_on,
        working_calendar.period_end(occ.due_on),
        occ.period_start,
        occ.period_label,
    )
    deadline.save(update_fields=["due_on", "ends_on", "period_start", "period_label"])


# The longest run of days off around Tết is about nine days; a correction on a day can
# move the real end of any deadline due up to this many days before it.
_LONGEST_DAYS_OFF = datetime.timedelta(days=31)


@transaction.atomic
def deadline_ends_refresh(*, days) -> int:
    """Recompute the real end of the deadlines a working-calendar correction on ``days``
    can move (Civil Code Art. 148(5)); returns how many changed. Each change is saved
    one by one, so history records it."""
    days = [day for day in days if day]
    if not days:
        return 0
    working_calendar = working_calendar_get()
    changed = 0
    affected = Deadline.objects.filter(due_on__gte=min(days) - _LONGEST_DAYS_OFF, due_on__lte=max(days))
    for deadline in affected:
        ends_on = working_calendar.period_end(deadline.due_on)
        if ends_on != deadline.ends_on:
            deadline.ends_on = ends_on
            deadline.save(update_fields=["ends_on"])
            changed += 1
    return changed


@transaction.atomic
def deadline_waive(*, deadline: Deadline, user, reason: str) -> Deadline:
    """The coordinator waives one deadline: it leaves the statistics and stays visible as
    "Đã miễn". Refused when it is already done, waived, or the reason is empty."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if not permissions.can_review(user):
        raise ValidationError("Chỉ cơ quan đầu mối được miễn một hạn.")
    if deadline.waived_at:
        raise ValidationError("Hạn này đã được miễn trước đó.")
    if deadline.reports.filter(accepted_completion()).exists():
        raise ValidationError("Hạn này đã hoàn thành, không thể miễn.")
    if not (reason or "").strip():
        raise ValidationError({"waiver_reason": "Cần nêu lý do miễn hạn."})
    deadline.waived_at, deadline.waived_by, deadline.waiver_reason = timezone.now(), user, reason.strip()
    deadline._change_reason = f"Miễn hạn: {deadline.waiver_reason}"[:100]
    deadline._history_user = user
    deadline.save(update_fields=["waived_at", "waived_by", "waiver_reason"])
    return deadline


@transaction.atomic
def deadline_waiver_cancel(*, deadline: Deadline, user) -> Deadline:
    """Undo a waiver: the deadline counts again. Recorded in history with who did it."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if not permissions.can_review(user):
        raise ValidationError("Chỉ cơ quan đầu mối được bỏ miễn một hạn.")
    if not deadline.waived_at:
        raise ValidationError("Hạn này chưa được miễn.")
    deadline.waived_at, deadline.waived_by, deadline.waiver_reason = None, None, ""
    deadline._change_reason = "Bỏ miễn hạn"
    deadline._history_user = user
    deadline.save(update_fields=["waived_at", "waived_by", "waiver_reason"])
    return deadline


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
    cooperating_groups=(),
    today: datetime.date | None = None,
    **fields,
) -> Task:
    task = Task(
        plan=plan, area=area, code=code, title=title, lead_agency=lead_agency, schedule=schedule, **fields
    )
    task.full_clean()
    task.save()
    task.cooperating_groups.set(cooperating_groups)
    task.cooperating_agencies.set(cooperating_agencies)
    deadline_sync_for_task(task=task, today=today)
    return task
