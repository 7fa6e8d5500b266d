"""Writes. Each service validates with ``full_clean()`` and runs in one transaction."""

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans import rules, schedules
from plans.evidence import evidence_kind_of
from plans.models import (
    Agency,
    ContentArea,
    Contribution,
    Deadline,
    EvidenceFile,
    Plan,
    ProgressReport,
    RelatedDocument,
    Task,
)
from plans.signals import report_returned


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


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, kind, created):
        bucket = self.created if created else self.existing
        bucket[kind] = bucket.get(kind, 0) + 1


def _get_or_create(model, lookup, defaults, result, kind, *, also_match=None):
    """Create a row that is missing; leave an existing one as the admins have edited it.

    ``also_match`` is another unique lookup that finds the row when admins have changed
    the first one (an agency whose code was edited is still found by its name).
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None and also_match:
        obj = model.objects.filter(**also_match).first()
    if obj is not None:
        result.count(kind, created=False)
        return obj
    obj = model(**lookup, **defaults)
    try:
        obj.full_clean()
    except ValidationError as exc:
        key = ", ".join(str(value) for value in lookup.values() if not isinstance(value, Model))
        raise ValidationError(f"{model._meta.verbose_name} “{key}”: {' '.join(exc.messages)}") from exc
    obj.save()
    result.count(kind, created=True)
    return obj


@transaction.atomic
def plan_load(*, agencies, plan, areas, documents, tasks, today=None) -> LoadResult:
    """Load a plan from structured source data (see ``plans.sources.plan_139``).

    Idempotent: rows are matched by their natural keys (agency code, plan number, area
    number, document number, task code); rows that exist are not touched.
    """
    result = LoadResult()
    agency_by_code = {}
    for row in agencies:
        row = dict(row)
        code = row.pop("code")
        agency_by_code[code] = _get_or_create(
            Agency, {"code": code}, row, result, "agencies", also_match={"name": row["name"]}
        )
    plan_fields = dict(plan)
    plan_fields["coordinating_agency"] = agency_by_code[plan_fields.pop("coordinating_agency")]
    plan_obj = _get_or_create(Plan, {"number": plan_fields.pop("number")}, plan_fields, result, "plans")
    area_by_number = {}
    for row in areas:
        row = dict(row)
        number = row.pop("number")
        area_by_number[number] = _get_or_create(
            ContentArea, {"plan": plan_obj, "number": number}, row, result, "areas"
        )
    for row in documents:
        row = dict(row)
        _get_or_create(
            RelatedDocument, {"plan": plan_obj, "number": row.pop("number")}, row, result, "documents"
        )
    for row in tasks:
        row = dict(row)
        if plan_obj.tasks.filter(code=row["code"]).exists():
            result.count("tasks", created=False)
            continue
        task_create(
            plan=plan_obj,
            area=area_by_number[row.pop("area")],
            lead_agency=agency_by_code[row.pop("lead_agency")],
            cooperating_agencies=[agency_by_code[code] for code in row.pop("cooperating_agencies")],
            today=today,
            **row,
        )
        result.count("tasks", created=True)
    return result


# Progress reports, contributions and their evidence (the agency workspace).


def _evidence_attach(*, files, report=None, contribution=None) -> list[EvidenceFile]:
    """Check every file first, then store them; the caller's transaction owns the rows.
    Files already written are removed again if the transaction rolls back."""
    kinds = [evidence_kind_of(upload) for upload in files]
    now = timezone.now()
    stored = []
    try:
        for upload, kind in zip(files, kinds, strict=True):
            evidence = EvidenceFile(
                report=report,
                contribution=contribution,
                original_name=upload.name[-255:],
                content_type=kind.content_type,
                size=upload.size,
                uploaded_at=now,
            )
            evidence.file.save(upload.name, upload, save=False)
            stored.append(evidence)
            evidence.full_clean()
            evidence.save()
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored


def _deadline_lock(deadline: Deadline) -> Deadline:
    """Serialise writes on one deadline (two officers submitting at once, or a report
    arriving while the coordinator accepts another)."""
    return Deadline.objects.select_for_update().select_related("task").get(pk=deadline.pk)


def _deadline_is_done(deadline: Deadline) -> bool:
    return deadline.reports.filter(
        review_state=ProgressReport.ReviewState.ACCEPTED, state=ProgressReport.State.DONE
    ).exists()


@transaction.atomic
def report_submit(
    *, deadline: Deadline, user, state: str, percent: int, narrative: str, files=()
) -> ProgressReport:
    """The lead agency reports on a deadline. Refused, with nothing saved, when the user
    is not of the lead agency, when the input is invalid, or when the deadline already
    has an accepted completion report."""
    deadline = _deadline_lock(deadline)
    if not rules.can_submit_report(user, deadline.task):
        raise PermissionDenied("Chỉ cơ quan chủ trì được gửi báo cáo cho nhiệm vụ này.")
    if _deadline_is_done(deadline):
        raise ValidationError(
            "Hạn này đã có báo cáo hoàn thành được xác nhận; không gửi thêm báo cáo.", code="deadline_done"
        )
    report = ProgressReport(
        deadline=deadline,
        state=state,
        percent=percent,
        narrative=narrative.strip(),
        submitted_by=user,
        submitted_at=timezone.now(),
        review_state=ProgressReport.ReviewState.SUBMITTED,
    )
    report.full_clean()
    report.save()
    _evidence_attach(files=files, report=report)
    return report


@transaction.atomic
def contribution_add(*, deadline: Deadline, user, text: str, files=()) -> Contribution:
    deadline = _deadline_lock(deadline)
    cooperating_ids = set(deadline.task.cooperating_agencies.values_list("pk", flat=True))
    if not rules.can_contribute(user, deadline.task, cooperating_ids):
        raise PermissionDenied("Chỉ cơ quan phối hợp được gửi ý kiến phối hợp cho nhiệm vụ này.")
    contribution = Contribution(
        deadline=deadline,
        agency_id=user.agency_id,
        text=text.strip(),
        submitted_by=user,
        submitted_at=timezone.now(),
    )
    contribution.full_clean()
    contribution.save()
    _evidence_attach(files=files, contribution=contribution)
    return contribution


def _report_review(*, report: ProgressReport, user, review_state: str, comment: str) -> ProgressReport:
    if not rules.can_review(user):
        raise PermissionDenied("Chỉ cán bộ đầu mối (Sở Ngoại vụ) được xác nhận báo cáo.")
    _deadline_lock(report.deadline)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.review_state != ProgressReport.ReviewState.SUBMITTED:
        raise ValidationError(
            "Báo cáo này đã được xử lý (%(state)s).",
            code="already_reviewed",
            params={"state": report.get_review_state_display().lower()},
        )
    report.review_state = review_state
    report.review_comment = comment.strip()
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_accept(*, report: ProgressReport, user, comment: str = "") -> ProgressReport:
    """Accept a report. An accepted "hoàn thành" report makes its deadline done, dated
    by the report's submission."""
    return _report_review(
        report=report, user=user, review_state=ProgressReport.ReviewState.ACCEPTED, comment=comment
    )


@transaction.atomic
def report_return(*, report: ProgressReport, user, comment: str) -> ProgressReport:
    """Return a report for rework; the agency is told by email once this commits."""
    if not comment.strip():
        raise ValidationError({"comment": "Khi trả lại báo cáo, hãy nêu nội dung cần bổ sung."})
    report = _report_review(
        report=report, user=user, review_state=ProgressReport.ReviewState.RETURNED, comment=comment
    )
    report_id = report.pk
    transaction.on_commit(lambda: report_returned.send(sender=ProgressReport, report_id=report_id))
    return report


# Importing a plan's task table from Excel (see plans.imports).


@dataclass
class PlanImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deadlines: DeadlineSyncResult = field(default_factory=DeadlineSyncResult)

    def message(self):
        return f"Đã tạo {self.created}, cập nhật {self.updated} nhiệm vụ."


@transaction.atomic
def plan_import_apply(
    *, plan: Plan, file, user=None, file_name: str = "", today: datetime.date | None = None
) -> PlanImportResult:
    """Import a task table (.xlsx bytes or file object) into ``plan``: all rows or none.

    The file is read and checked again here, inside the transaction and with the plan
    locked, so that what is saved is what is in the file now, not what a preview saw
    earlier. Any rejected row refuses the whole import (``ImportRejected``, nothing
    saved); so does a ``full_clean()`` error. Each created or changed task is saved one
    by one and gets its deadlines from ``deadline_sync_for_task``. A file already
    imported changes nothing.
    """
    # Imported here so that openpyxl loads only when a plan is imported, not with every
    # process that uses the services (web workers, Celery).
    from plans.imports import ImportRejected, Outcome, import_preview, validation_messages

    if user is not None and not user.has_perms(["plans.add_task", "plans.change_task"]):
        raise PermissionDenied("Cần quyền thêm và sửa nhiệm vụ để nhập bảng nhiệm vụ.")
    today = today or timezone.localdate()
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    preview = import_preview(plan=plan, file=file)
    if preview.rejected:
        raise ImportRejected(preview)
    result = PlanImportResult(unchanged=len(preview.unchanged))
    stamp = f"Nhập từ tệp Excel “{file_name or 'không tên'}”"
    for row in preview.rows:
        if row.outcome not in (Outcome.CREATE, Outcome.UPDATE):
            continue
        task = row.task
        if row.outcome == Outcome.CREATE:
            by = f", người nhập: {user.get_username()}" if user is not None else ""
            task.source_note = f"{stamp}, dòng {row.number}, ngày {today:%d/%m/%Y}{by}."
        try:
            # Fields, clean(), uniqueness and constraints; the related rows were read in
            # this transaction, so their existence checks (a query each) are left out.
            task.full_clean(exclude=["plan", "area", "lead_agency"])
        except ValidationError as exc:
            row.errors = validation_messages(exc)
            row.outcome = Outcome.REJECTED
            raise ImportRejected(preview) from exc
        task.save()
        task.cooperating_agencies.set(row.cooperating)
        result.deadlines += deadline_sync_for_task(task=task, today=today)
        if row.outcome == Outcome.CREATE:
            result.created += 1
        else:
            result.updated += 1
    return result


# Agencies' calendar feeds: the token is the secret part of the feed's URL.


def _calendar_token_set(agency: Agency, token: str) -> str:
    agency.calendar_token = token
    agency.full_clean()
    agency.save(update_fields=["calendar_token"])
    return token


@transaction.atomic
def calendar_token_get_or_create(*, agency: Agency) -> str:
    """The agency's calendar token, issued on first use."""
    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    if locked.calendar_token:
        agency.calendar_token = locked.calendar_token
        return locked.calendar_token
    return _calendar_token_set(agency, secrets.token_urlsafe(32))


@transaction.atomic
def calendar_token_regenerate(*, agency: Agency) -> str:
    """A new token for the agency: the old feed URL stops working at once."""
    return _calendar_token_set(agency, secrets.token_urlsafe(32))
