"""Writes for documents: a plan's task table imported, agencies' calendar tokens, the
province's periodic report records."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from documents import selectors as document_selectors
from documents.models import IMPORT_JOB_STALE_AFTER, AgencyNameMapping, ImportJob, PeriodicReport
from documents.row_codec import rows_load
from documents.schedule_text import fold
from plans import permissions, selectors
from plans.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Plan,
    Task,
)
from plans.periods import ReportPeriod
from plans.services.deadlines import (
    DeadlineSyncResult,
    deadline_sync_for_task,
    deadlines_create_for_new_tasks,
)

# Importing a plan's task table from Excel (see documents.imports).


@dataclass
class PlanImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    proposals: int = 0
    mapped: int = 0
    deadlines: DeadlineSyncResult = field(default_factory=DeadlineSyncResult)

    def message(self):
        text = f"Đã tạo {self.created}, cập nhật {self.updated} nhiệm vụ."
        if self.proposals:
            text += f" Đã tạo {self.proposals} nội dung, cơ quan hoặc nhóm cơ quan theo đề xuất."
        if self.mapped:
            text += f" Đã lưu {self.mapped} tên cơ quan đã chọn, để lần nhập sau tự nhận ra."
        return text


def _unique_agency_code(name: str, taken: set) -> str:
    base = slugify(fold(name))[:44] or "co-quan"
    code, counter = base, 2
    while code in taken:
        code, counter = f"{base}-{counter}", counter + 1
    taken.add(code)
    return code


def _proposals_create(*, plan: Plan, proposals, user=None, file_name: str = "") -> tuple[int, int]:
    """Carry out what an import's preview proposed, inside the import's transaction:
    create the areas, agencies (with the kind and short name the coordinator chose, else
    the guessed ones) and agency groups, and save the names the coordinator mapped to an
    existing agency or group (``AgencyNameMapping``). Created agencies and groups keep
    the name as the document wrote it, so the next import of a document naming them
    finds them. Returns (created, mapped)."""
    from documents.imports import agency_key, default_short_name

    taken = set(Agency.objects.values_list("code", flat=True))
    note = f"Tạo khi nhập bảng nhiệm vụ của kế hoạch {plan.number}"
    if user is not None:
        note += f", người nhập: {user.get_username()}"
    source = f"Kế hoạch {plan.number}, tệp “{file_name or 'không tên'}”"[:300]
    created = mapped = 0
    for proposal in proposals:
        decision = proposal.decision
        if decision is not None and decision.maps:
            target = decision.target
            obj = AgencyNameMapping(
                name=proposal.name,
                key=agency_key(proposal.name),
                agency=target if isinstance(target, Agency) else None,
                group=target if isinstance(target, AgencyGroup) else None,
                decided_by=user,
                decided_at=timezone.now(),
                source=source,
            )
            mapped += 1
        elif proposal.kind == "area":
            obj = ContentArea(plan=plan, number=proposal.number, title=proposal.name[:500])
        elif proposal.kind == "group":
            obj = AgencyGroup(name=proposal.name, note=f"{note}. Cần chọn các cơ quan thành viên.")
        else:
            chosen = decision is not None and decision.creates
            obj = Agency(
                code=_unique_agency_code(proposal.name, taken),
                name=proposal.name,
                short_name=decision.short_name if chosen else default_short_name(proposal.name),
                kind=decision.agency_kind if chosen else proposal.agency_kind,
                source_note=note,
            )
        if not isinstance(obj, AgencyNameMapping):
            created += 1
        obj.full_clean()
        obj.save()
    return created, mapped


# Created tasks are written this many at a time: few enough queries for any file, and
# a background import reports its progress after each batch.
IMPORT_BATCH_ROWS = 500


@transaction.atomic
def plan_import_apply(
    *,
    plan: Plan,
    file=None,
    rows=None,
    user=None,
    file_name: str = "",
    today: datetime.date | None = None,
    accept_proposals: bool = False,
    decisions=(),
    progress=None,
) -> PlanImportResult:
    """Import a task table (.xlsx bytes or file object, or ``rows`` that ``read_rows``
    already took from it) into ``plan``: all rows or none.

    The rows are checked again here, inside the transaction and with the plan locked,
    so that what is saved fits the plan as it is now, not as a preview saw it
    earlier. Any rejected row refuses the whole import (``ImportRejected``, nothing
    saved); so does a ``full_clean()`` error. Every row is validated before anything
    is written. Created tasks are written in bulk, with their cooperating agencies,
    deadlines and history (``_tasks_create``); changed tasks are saved one by one and
    get their deadlines from ``deadline_sync_for_task``. A file already imported
    changes nothing. ``progress(done, total)``, when given, is called as rows are
    written (unchanged rows count as done at once).

    ``decisions`` (``documents.imports.NameDecision``) say, for names the portal lacks,
    what the coordinator chose: an agency to create with its kind and short name, or an
    existing agency or group, remembered for the next imports. A decision that cannot
    be carried out refuses the import (``ValidationError``, nothing saved). Proposals
    left undecided are created as guessed when ``accept_proposals``; a name close to
    existing agencies has no such default and refuses the import until decided.
    """
    # Imported here so that openpyxl loads only when a plan is imported, not with every
    # process that uses the services (web workers, Celery).
    from documents.imports import (
        ImportRejected,
        Outcome,
        decisions_check,
        import_preview,
        read_rows,
        validation_messages,
    )

    if user is not None and not permissions.can_import_tasks(user):
        raise PermissionDenied("Cần quyền thêm và sửa nhiệm vụ để nhập bảng nhiệm vụ.")
    today = today or timezone.localdate()
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if file is not None and rows is None:
        rows = read_rows(file)
    decision_errors = decisions_check(decisions)
    if decision_errors:
        raise ValidationError(list(decision_errors.values()), code="invalid_decisions")
    preview = import_preview(plan=plan, rows=rows, decisions=decisions)
    if preview.rejected or (preview.need_decision and not accept_proposals) or preview.needing_choice:
        raise ImportRejected(preview)
    proposals = preview.proposals
    created = mapped = 0
    if proposals:
        created, mapped = _proposals_create(plan=plan, proposals=proposals, user=user, file_name=file_name)
        preview = import_preview(plan=plan, rows=rows)
        if preview.rejected or preview.need_decision:
            raise ImportRejected(preview)
    result = PlanImportResult(unchanged=len(preview.unchanged), proposals=created, mapped=mapped)
    stamp = f"Nhập từ tệp “{file_name or 'không tên'}”"
    by = f", người nhập: {user.get_username()}" if user is not None else ""
    creates, updates = preview.to_create, preview.to_update
    for row in creates:
        row.task.source_note = f"{stamp}, dòng {row.number}, ngày {today:%d/%m/%Y}{by}."
    for row in creates + updates:
        try:
            # Fields, clean() and uniqueness; the related rows were read in this
            # transaction, so their existence checks (a query each) are left out. A new
            # task's constraints are the rules clean() has just checked (each a query
            # in validate_constraints()); its code was checked against the plan's
            # tasks by the preview, with the plan locked.
            row.task.full_clean(
                exclude=["plan", "area", "lead_agency"], validate_constraints=row.outcome == Outcome.UPDATE
            )
        except ValidationError as exc:
            row.errors = validation_messages(exc)
            row.outcome = Outcome.REJECTED
            raise ImportRejected(preview) from exc
    total, done = len(preview.rows), len(preview.rows) - len(creates) - len(updates)
    for start in range(0, len(creates), IMPORT_BATCH_ROWS):
        batch = creates[start : start + IMPORT_BATCH_ROWS]
        result.deadlines += _tasks_create(batch, user=user, today=today)
        result.created += len(batch)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    for row in updates:
        task = row.task
        if user is not None:
            # Named in the history even where no request does (a background import).
            task._history_user = user
        task.save()
        task.cooperating_agencies.set(row.cooperating)
        task.cooperating_groups.set(row.cooperating_groups)
        result.deadlines += deadline_sync_for_task(task=task, today=today)
        result.updated += 1
        done += 1
        if progress is not None and (done % IMPORT_BATCH_ROWS == 0 or done == total):
            progress(done, total)
    if progress is not None and not (creates or updates):
        progress(total, total)
    return result


def _tasks_create(rows, *, user, today: datetime.date) -> DeadlineSyncResult:
    """Create the tasks of preview ``rows`` (validated) with a few queries whatever
    their number, and the same rows saving each task would write: the task and its
    history record, its cooperating agencies and groups, then (as the signal of
    ``cooperating_agencies.set()`` records it) a second history record with the
    agencies, and its deadlines with theirs."""
    tasks = bulk_create_with_history([row.task for row in rows], Task, default_user=user)
    for task, row in zip(tasks, rows, strict=True):
        row.task = task
    through_agencies = Task.cooperating_agencies.through
    through_groups = Task.cooperating_groups.through
    through_agencies.objects.bulk_create(
        through_agencies(task_id=row.task.pk, agency_id=agency.pk)
        for row in rows
        for agency in row.cooperating
    )
    through_groups.objects.bulk_create(
        through_groups(task_id=row.task.pk, agencygroup_id=group.pk)
        for row in rows
        for group in row.cooperating_groups
    )
    with_agencies = [row for row in rows if row.cooperating]
    records = Task.history.bulk_history_create(
        [row.task for row in with_agencies], update=True, default_user=user
    )
    agencies_history = Task.history.model._meta.get_field("historicaltask_cooperating_agencies").related_model
    links = {
        (link.task_id, link.agency_id): link.pk
        for link in through_agencies.objects.filter(task__in=[row.task for row in with_agencies])
    }
    agencies_history.objects.bulk_create(
        agencies_history(
            history=record, id=links[row.task.pk, agency.pk], task_id=row.task.pk, agency_id=agency.pk
        )
        for record, row in zip(records, with_agencies, strict=True)
        for agency in row.cooperating
    )
    return deadlines_create_for_new_tasks(tasks=tasks, today=today)


# Imports of many rows run in the background (documents.tasks): a job keeps the rows,
# the import is the same all-or-nothing ``plan_import_apply``.


@transaction.atomic
def plan_import_job_create(
    *, plan: Plan, user, rows: bytes, file_name: str, accept_proposals: bool, decisions=()
) -> ImportJob:
    """A job for ``rows`` (``row_codec.rows_dump``), for the caller to queue once this
    returns, committed (``documents.tasks.plan_import_job_queue``). Refused while a job
    on the same rows of the same plan is waiting or running: applied twice, the second
    would only find them imported, or wait on the first's lock."""
    if not permissions.can_import_tasks(user):
        raise PermissionDenied("Cần quyền thêm và sửa nhiệm vụ để nhập bảng nhiệm vụ.")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    sha256 = hashlib.sha256(rows).hexdigest()
    running = ImportJob.objects.filter(
        plan=plan,
        rows_sha256=sha256,
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING],
        created_at__gte=timezone.now() - IMPORT_JOB_STALE_AFTER,  # a stale job holds nothing back
    ).first()
    if running is not None:
        raise ValidationError(
            f"Tệp “{running.file_name or 'không tên'}” đang được nhập vào kế hoạch {plan.number} "
            f"(gửi lúc {timezone.localtime(running.created_at):%H:%M %d/%m/%Y}); chưa nhập lần nữa. "
            "Hãy chờ lần nhập đó xong rồi xem kết quả."
        )
    job = ImportJob(
        plan=plan,
        user=user,
        file_name=file_name[:255],
        rows=rows.decode(),
        rows_sha256=sha256,
        accept_proposals=accept_proposals,
        decisions=[_decision_fields(decision) for decision in decisions],
    )
    job.full_clean()
    job.save()
    return job


def _decision_fields(decision) -> dict:
    """A ``NameDecision`` as the job keeps it: what the form gave, not the target read."""
    return {
        "kind": decision.kind,
        "name": decision.name,
        "choice": decision.choice,
        "agency_kind": decision.agency_kind,
        "short_name": decision.short_name,
        "target_id": decision.target_id,
    }


def plan_import_job_run(*, job_id: int, today: datetime.date | None = None) -> ImportJob | None:
    """Run a queued job: the import in its own transaction, then the outcome on the job
    (done with its counts, or failed with every message; a failed import saved nothing).
    A job already taken (run twice by the broker) is left alone."""
    from documents.imports import ImportFileError, ImportRejected, NameDecision

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id, state=ImportJob.State.QUEUED).first()
        if job is None:
            return None
        rows = rows_load(job.rows.encode())
        job.state, job.started_at, job.rows_total = ImportJob.State.RUNNING, timezone.now(), len(rows)
        job.save(update_fields=["state", "started_at", "rows_total"])

    def progress(done, total):
        # The cache, not the job's row: the import's transaction holds its writes until
        # it ends, and a page watching the job must see them while it runs.
        cache.set(job.progress_key, done, timeout=24 * 3600)

    try:
        result = plan_import_apply(
            plan=job.plan,
            rows=rows,
            user=job.user,
            file_name=job.file_name,
            today=today,
            accept_proposals=job.accept_proposals,
            decisions=[NameDecision(**fields) for fields in job.decisions],
            progress=progress,
        )
    except ImportRejected as exc:
        job.state, job.errors = ImportJob.State.FAILED, exc.messages
    except (ImportFileError, PermissionDenied) as exc:
        job.state, job.errors = ImportJob.State.FAILED, [getattr(exc, "message", None) or str(exc)]
    except ValidationError as exc:
        job.state, job.errors = ImportJob.State.FAILED, exc.messages
    else:
        job.state = ImportJob.State.DONE
        job.rows_done = job.rows_total
        job.created, job.updated, job.unchanged, job.proposals = (
            result.created,
            result.updated,
            result.unchanged,
            result.proposals,
        )
    finally:
        if job.state == ImportJob.State.RUNNING:
            # An unexpected error: recorded, then raised to the worker's log.
            job.state, job.errors = (
                ImportJob.State.FAILED,
                ["Lỗi hệ thống khi nhập; chưa lưu gì. Hãy báo quản trị."],
            )
        job.finished_at = timezone.now()
        # The rows served their one run: an ended job keeps its outcome, not a copy of
        # the file's table (up to megabytes) for as long as the job is kept.
        job.rows = ""
        job.save()
        cache.delete(job.progress_key)
    return job


NUMBER_TAKEN = "Đã có kế hoạch số “{number}”: hãy nhập nhiệm vụ vào kế hoạch đó."


@transaction.atomic
def plan_import_new(
    *,
    fields: dict,
    rows,
    user=None,
    file_name: str = "",
    today: datetime.date | None = None,
    accept_proposals: bool = False,
) -> tuple[Plan, PlanImportResult]:
    """Create a plan from its document (``fields``, what the coordinator confirmed of the
    proposal read from the header), as a draft, and import ``rows`` into it
    (``plan_import_apply``): one transaction, so a refused row leaves no plan behind.
    Raises ``ValidationError`` for the plan's fields and ``ImportRejected`` for the rows."""
    if user is not None and not permissions.can_import_plans(user):
        raise PermissionDenied("Cần quyền thêm kế hoạch và thêm, sửa nhiệm vụ để nhập kế hoạch từ văn bản.")
    today = today or timezone.localdate()
    number = " ".join(str(fields.get("number") or "").split())
    if number and Plan.objects.filter(number__iexact=number).exists():
        raise ValidationError({"number": NUMBER_TAKEN.format(number=number)})
    by = f", người nhập: {user.get_username()}" if user is not None else ""
    plan = Plan(
        **{**fields, "number": number},
        status=Plan.Status.DRAFT,
        source_note=f"Tạo từ văn bản “{file_name or 'không tên'}” ngày {today:%d/%m/%Y}{by}.",
    )
    plan.full_clean()
    plan.save()
    result = plan_import_apply(
        plan=plan,
        rows=rows,
        user=user,
        file_name=file_name,
        today=today,
        accept_proposals=accept_proposals,
    )
    return plan, result


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
def calendar_token_regenerate(*, agency: Agency, user) -> str:
    """A new token for the agency (the first one, or a replacement: the old feed URL
    stops working at once). Only the agency's own officers and administrators."""
    if not permissions.can_manage_calendar(user, agency):
        raise PermissionDenied("Chỉ cán bộ của chính đơn vị được tạo đường dẫn lịch mới.")
    return _calendar_token_set(agency, secrets.token_urlsafe(32))


# The province's periodic report record (documents.models.PeriodicReport).

ISSUED_READ_ONLY = "Báo cáo đã ban hành nên không sửa được nữa; hãy lập báo cáo lần mới cho kỳ này."
NOT_ALLOWED = "Chỉ cán bộ đầu mối theo dõi kế hoạch được lập, sửa và ban hành báo cáo định kỳ."
NARRATIVE_FIELDS = ("area_summaries", "shortcomings", "proposals")
SIGNER_FIELDS = ("signer_authority", "signer_authority_of", "signer_title", "signer_name")


def _require_drafter(user) -> None:
    if not permissions.can_draft_periodic_reports(user):
        raise PermissionDenied(NOT_ALLOWED)


@transaction.atomic
def periodic_report_create(*, user, plan: Plan, period: ReportPeriod, today: datetime.date | None = None):
    """A new draft of the province's report on ``plan`` for ``period``: its figures are
    taken now (as of the period's cut-off, or today while it runs) and stored with it,
    its narrative sections drafted from them. After an issued report of the same period,
    the draft is its next version; while a draft of the period is open, it is refused."""
    _require_drafter(user)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.DRAFT:
        raise ValidationError("Kế hoạch còn là dự thảo: chưa lập báo cáo định kỳ được.")
    existing = PeriodicReport.objects.filter(plan=plan, period_code=period.code)
    if existing.filter(state=PeriodicReport.State.DRAFT).exists():
        raise ValidationError(
            f"Kế hoạch {plan.number} đã có dự thảo báo cáo {period.name}: hãy sửa dự thảo đó."
        )
    dates = selectors.status_dates_get(today=today or timezone.localdate(), period=period)
    figures = document_selectors.periodic_report_figures_get(plan=plan, period=period, dates=dates)
    drafts = document_selectors.periodic_report_drafts(figures)
    report = PeriodicReport(
        plan=plan,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        version=(existing.aggregate(last=Max("version"))["last"] or 0) + 1,
        figures_as_of=dates.today,
        figures=figures,
        created_by=user,
        created_at=timezone.now(),
        signer_authority=settings.REPORT_SIGNER_AUTHORITY,
        signer_authority_of=settings.REPORT_SIGNER_AUTHORITY_OF,
        signer_title=settings.REPORT_SIGNER_TITLE,
        signer_name=settings.REPORT_SIGNER_NAME,
        **drafts,
    )
    report.full_clean()
    report.save()
    return report


def _locked_draft(report):
    locked = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    if locked.is_issued:
        raise ValidationError(ISSUED_READ_ONLY)
    return locked


@transaction.atomic
def periodic_report_update(*, user, report, data: dict):
    """Change a draft's narrative sections and signature block (the keys of ``data``
    among ``NARRATIVE_FIELDS`` and ``SIGNER_FIELDS``). An issued report is refused. The
    figures never change here."""
    _require_drafter(user)
    locked = _locked_draft(report)
    unknown = set(data) - set(NARRATIVE_FIELDS) - set(SIGNER_FIELDS)
    if unknown:
        raise ValidationError(f"Không sửa được các mục: {', '.join(sorted(unknown))}.")
    summaries = data.get("area_summaries")
    if summaries is not None:
        areas = {str(area["number"]) for area in locked.figures["areas"]}
        if set(summaries) - areas:
            raise ValidationError("Nội dung không có trong kế hoạch của báo cáo.")
        summaries = {number: text.strip() for number, text in summaries.items()}
        data = {**data, "area_summaries": {**locked.area_summaries, **summaries}}
    for name, value in data.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if locked.signer_authority and not locked.signer_authority_of:
        raise ValidationError(
            {"signer_authority_of": f"Sau “{locked.signer_authority}” cần ghi chức vụ người đứng đầu."}
        )
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def periodic_report_refresh(*, user, report, today: datetime.date | None = None):
    """Take a draft's figures again (as of the period's cut-off, or today while it runs):
    a draft opened before the cut-off is brought up to it. The narrative the coordinator
    wrote is kept. An issued report is refused: its figures never change."""
    _require_drafter(user)
    locked = _locked_draft(report)
    period = ReportPeriod.parse(locked.period_code)
    dates = selectors.status_dates_get(today=today or timezone.localdate(), period=period)
    locked.figures = document_selectors.periodic_report_figures_get(
        plan=locked.plan, period=period, dates=dates
    )
    locked.figures_as_of = dates.today
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def periodic_report_issue(*, user, report, number: str, issued_on: datetime.date, today=None):
    """Issue a draft with its number and date: from then on it is read-only. The date
    may not be before the figures were taken, nor in the future."""
    _require_drafter(user)
    locked = _locked_draft(report)
    today = today or timezone.localdate()
    number = (number or "").strip()
    errors = {}
    if not number:
        errors["number"] = "Hãy nhập số, ký hiệu của báo cáo."
    elif (
        issued_on is not None
        and PeriodicReport.objects.filter(number__iexact=number, issued_on__year=issued_on.year)
        .exclude(pk=locked.pk)
        .exists()
    ):
        errors["number"] = f"Số “{number}” đã dùng cho một báo cáo khác ban hành năm {issued_on.year}."
    if issued_on is None:
        errors["issued_on"] = "Hãy nhập ngày ban hành."
    elif issued_on < locked.figures_as_of:
        errors["issued_on"] = (
            f"Ngày ban hành không được trước ngày chốt số liệu ({locked.figures_as_of:%d/%m/%Y})."
        )
    elif issued_on > today:
        errors["issued_on"] = "Ngày ban hành không được sau hôm nay."
    if not locked.signer_name:
        errors["signer_name"] = "Hãy ghi họ và tên người ký (mục chữ ký của dự thảo) trước khi ban hành."
    if errors:
        raise ValidationError(errors)
    locked.number, locked.issued_on = number, issued_on
    locked.state = locked.State.ISSUED
    locked.issued_by = user
    locked.full_clean()
    locked.save()
    return locked
