"""The "Nhập nhiệm vụ từ Excel" pages of a plan in the Django admin.

Step 1 uploads a file, parses it once (``documents.imports.read_rows``) and shows the
preview (``import_preview``, which writes nothing); step 2 applies the same parsed rows
(``documents.services.plan_import_apply``, which checks them again against the plan
inside its transaction). The workbook is parsed once, never again for the apply.

Keeping the parsed rows between the two steps: they are written, as JSON, to a private
temporary directory (never under MEDIA_ROOT, so no URL serves them) in a file named by
a random token, and only that token is kept in the user's session, keyed by the plan.
The apply step takes the token from the session, never from the form, so a user can
only apply a file they uploaded themselves; it checks the kept rows' SHA-256 against
the session and deletes them once the import is applied or replaced. Files left behind
by abandoned previews are removed after a day. (Re-submitting the file instead would
make the user pick it again, and a browser cannot pre-fill a file field.)

A file of more than ``PLAN_IMPORT_BACKGROUND_ROWS`` task rows is applied by a background
job instead (``documents.tasks``): the apply step hands the kept rows to an
``ImportJob``, queues it and redirects to the job's page, which shows its progress and
then its result.

Names the portal lacks are decided in the preview's form, posted with **Áp dụng** (or
with **Xem lại**, which recomputes the preview with them and saves nothing): for each
proposed agency, "tạo mới" with its kind and short name, or "là đơn vị đã có"; for a
collective phrase, a new group or an existing one. The form's fields are
``decision-N-name``, ``-kind``, ``-choice``, ``-agency_kind``, ``-short_name`` and
``-target``; ``documents.imports.decisions_check`` validates them.
"""

import hashlib
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify

from documents import selectors as document_selectors
from documents.document_header import PLAN_FIELDS, header_read, plan_proposal, unsaved_plan
from documents.imports import (
    COOPERATING_SEPARATOR,
    HEADERS,
    MAX_DATA_ROWS,
    MAX_DECISIONS,
    MAX_FILE_BYTES,
    SHEET_NAME,
    ImportFileError,
    ImportRejected,
    NameDecision,
    Proposal,
    decisions_check,
    import_preview,
    number_vi,
    read_rows,
    task_table_rows,
    template_workbook,
)
from documents.row_codec import rows_dump, rows_load, value_decode, value_encode
from documents.schedule_text import ACCEPTED_FORMS, PUBLISHED_FORMS
from documents.services import plan_import_apply, plan_import_job_create, plan_import_new
from documents.tasks import plan_import_job_queue
from plans import permissions
from plans.models import Agency, Plan

STASH_DIR_NAME = "plan-imports"
STASH_MAX_AGE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{40,60}$")
IMPORT_JOB_REFRESH_SECONDS = 2
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx) hoặc văn bản Word (.docx)",
        help_text=(
            f"Theo tệp mẫu (trang “{SHEET_NAME}”), hoặc bảng nhiệm vụ của kế hoạch như khi ban hành; "
            f"tối đa {number_vi(MAX_DATA_ROWS)} dòng, không quá {MAX_FILE_BYTES // (1024 * 1024)} MB."
        ),
        error_messages={"required": "Hãy chọn tệp cần nhập.", "empty": "Tệp tải lên trống (0 byte)."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.docx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"Tệp lớn hơn giới hạn {MAX_FILE_BYTES // (1024 * 1024)} MB. Bảng nhiệm vụ thường chỉ vài "
                "trăm KB: hãy bỏ hình ảnh, trang tính không cần thiết, hoặc chia thành nhiều tệp."
            )
        return upload


# --- The file kept between preview and apply ---------------------------------------


STASH_SUFFIX = ".json"


def _stash_dir() -> Path:
    base = Path(getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or tempfile.gettempdir())
    directory = base / STASH_DIR_NAME
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _session_key(plan) -> str:
    # ``plan`` None: a plan read from its document, not created yet.
    return f"plan_import_{plan.pk}" if plan is not None else "plan_import_document"


def _stash_sweep(directory: Path) -> None:
    cutoff = time.time() - STASH_MAX_AGE_SECONDS
    for stale in directory.glob(f"*{STASH_SUFFIX}"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass  # removed meanwhile by another request


def stash_put(request, plan, data: bytes, name: str) -> None:
    stash_discard(request, plan)
    directory = _stash_dir()
    _stash_sweep(directory)
    token = secrets.token_urlsafe(32)
    (directory / f"{token}{STASH_SUFFIX}").write_bytes(data)
    request.session[_session_key(plan)] = {
        "token": token,
        "name": name,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def stash_get(request, plan) -> tuple[bytes, str] | None:
    entry = request.session.get(_session_key(plan))
    if not entry or not TOKEN_RE.match(entry.get("token", "")):
        return None
    try:
        data = (_stash_dir() / f"{entry['token']}{STASH_SUFFIX}").read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return None
    return data, entry.get("name", "")


def stash_discard(request, plan) -> None:
    entry = request.session.pop(_session_key(plan), None)
    if entry and TOKEN_RE.match(entry.get("token", "")):
        (_stash_dir() / f"{entry['token']}{STASH_SUFFIX}").unlink(missing_ok=True)


# --- The coordinator's decisions for names the portal lacks --------------------------

DECISION_NAME = re.compile(r"^decision-(\d{1,4})-name$")


def decisions_from_post(data) -> list[NameDecision]:
    """The decisions posted with the preview's form, as typed (checked later)."""
    decisions = []
    for field_name in data:
        match = DECISION_NAME.match(field_name)
        if match is None:
            continue
        prefix = f"decision-{match.group(1)}-"
        kind, choice = data.get(prefix + "kind"), data.get(prefix + "choice", "")
        if kind not in ("agency", "group"):
            continue
        target = data.get(prefix + "target", "")
        decisions.append(
            NameDecision(
                kind=kind,
                name=data[field_name],
                choice=choice if choice in ("create", "map") else "",
                agency_kind=data.get(prefix + "agency_kind", ""),
                short_name=data.get(prefix + "short_name", ""),
                target_id=int(target) if target.isdigit() else None,
            )
        )
        if len(decisions) >= MAX_DECISIONS:
            break
    return decisions


@dataclass
class DecisionField:
    """One proposed agency or group in the preview's form, as posted or as proposed."""

    index: int
    proposal: Proposal
    choice: str
    agency_kind: str
    short_name: str
    target_id: int | None
    suggestions: list
    others: list
    error: str = ""


def decision_fields(preview, posted=(), errors=None) -> list[DecisionField]:
    errors = errors or {}
    proposals = preview.decidable if preview is not None and not preview.rejected else []
    if not proposals:
        return []
    posted = {decision.key: decision for decision in posted}
    agencies = document_selectors.agencies_to_map_to()
    groups = document_selectors.agency_groups_to_map_to() if any(p.kind == "group" for p in proposals) else []
    working = {agency.pk for agency in agencies}
    fields = []
    for index, proposal in enumerate(proposals):
        if proposal.kind == "agency":
            suggestions = [agency for agency in proposal.suggestions if agency.pk in working]
            shown = {agency.pk for agency in suggestions}
            others = [agency for agency in agencies if agency.pk not in shown]
        else:
            suggestions, others = [], groups
        decision = posted.get(proposal.key)
        if decision is None:
            # A near-miss has no default: the coordinator chooses.
            decision = NameDecision(
                kind=proposal.kind,
                name=proposal.name,
                choice="" if proposal.suggestions else "create",
                agency_kind=proposal.agency_kind,
                short_name=proposal.short_name,
                target_id=suggestions[0].pk if suggestions else None,
            )
        fields.append(
            DecisionField(
                index=index,
                proposal=proposal,
                choice=decision.choice,
                agency_kind=decision.agency_kind,
                short_name=decision.short_name,
                target_id=decision.target_id,
                suggestions=suggestions,
                others=others,
                error=errors.get(proposal.key, ""),
            )
        )
    return fields


# --- Views -----------------------------------------------------------------------------


def _plan_for(model_admin, request, object_id) -> Plan:
    if not permissions.can_import_tasks(request.user):
        raise PermissionDenied
    plan = model_admin.get_object(request, unquote(object_id))
    if plan is None:
        raise Http404("Không có kế hoạch này.")
    return plan


def _render(
    model_admin,
    request,
    plan,
    *,
    form=None,
    preview=None,
    file_name="",
    error="",
    decisions=(),
    decision_errors=None,
    status=200,
):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "original": plan,
        "plan": plan,
        "title": f"Nhập nhiệm vụ từ Excel – kế hoạch {plan.number}",
        "form": form or ImportUploadForm(),
        "preview": preview,
        "file_name": file_name,
        "error": error,
        "headers": HEADERS,
        "accepted_forms": ACCEPTED_FORMS + PUBLISHED_FORMS,
        "separator": COOPERATING_SEPARATOR,
        "template_url": reverse("admin:plans_plan_import_template", args=[plan.pk]),
        "task_table_url": reverse("admin:plans_plan_task_table", args=[plan.pk]),
        "change_url": reverse("admin:plans_plan_change", args=[plan.pk]),
        "in_background": preview is not None and _in_background(len(preview.rows)),
        "decision_fields": decision_fields(preview, decisions, decision_errors),
        "agency_kinds": Agency.Kind.choices,
    }
    return TemplateResponse(request, "admin/plans/plan/import.html", context, status=status)


def _in_background(rows: int) -> bool:
    """Whether a file of ``rows`` task rows is applied by a background job."""
    return rows > settings.PLAN_IMPORT_BACKGROUND_ROWS


def plan_import_view(model_admin, request, object_id):
    plan = _plan_for(model_admin, request, object_id)
    if request.method != "POST":
        return _render(model_admin, request, plan)
    if request.POST.get("action") == "apply":
        if "review" in request.POST:
            return _review(model_admin, request, plan)
        return _apply(model_admin, request, plan)

    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(model_admin, request, plan, form=form)
    upload = form.cleaned_data["file"]
    data = upload.read(MAX_FILE_BYTES + 1)
    try:
        # Parsed once, here: the preview and the apply use these rows.
        rows = read_rows(data)
    except ImportFileError as exc:
        stash_discard(request, plan)
        return _render(model_admin, request, plan, form=form, file_name=upload.name, error=exc.message)
    preview = import_preview(plan=plan, rows=rows)
    if preview.rejected or not (preview.has_changes or preview.need_decision):
        stash_discard(request, plan)
    else:
        stash_put(request, plan, rows_dump(rows), upload.name)
    return _render(model_admin, request, plan, preview=preview, file_name=upload.name)


NO_FILE_KEPT = (
    "Không còn tệp đã kiểm tra (phiên làm việc đã hết hạn hoặc tệp đã được nhập). Hãy tải tệp lên lại."
)
INVALID_DECISIONS = "Chưa lưu gì: có lựa chọn chưa hợp lệ (xem từng tên ở mục “Đề xuất”)."


def _review(model_admin, request, plan):
    """The preview again, with the decisions posted: nothing is saved."""
    stashed = stash_get(request, plan)
    if stashed is None:
        return _render(model_admin, request, plan, error=NO_FILE_KEPT)
    data, name = stashed
    decisions = decisions_from_post(request.POST)
    errors = decisions_check(decisions)
    valid = [decision for decision in decisions if decision.key not in errors]
    preview = import_preview(plan=plan, rows=rows_load(data), decisions=valid)
    return _render(
        model_admin,
        request,
        plan,
        preview=preview,
        file_name=name,
        error=INVALID_DECISIONS if errors else "",
        decisions=decisions,
        decision_errors=errors,
    )


def _apply(model_admin, request, plan):
    stashed = stash_get(request, plan)
    if stashed is None:
        return _render(model_admin, request, plan, error=NO_FILE_KEPT)
    data, name = stashed
    rows = rows_load(data)
    decisions = decisions_from_post(request.POST)
    if _in_background(len(rows)):
        return _apply_in_background(model_admin, request, plan, data=data, name=name, decisions=decisions)
    try:
        result = plan_import_apply(
            plan=plan,
            rows=rows,
            user=request.user,
            file_name=name,
            accept_proposals=request.POST.get("accept_proposals") == "on",
            decisions=decisions,
        )
    except ImportFileError as exc:
        stash_discard(request, plan)
        return _render(model_admin, request, plan, file_name=name, error=exc.message)
    except ValidationError as exc:
        if isinstance(exc, ImportRejected):
            return _refused(model_admin, request, plan, exc.preview, name, decisions)
        # A decision that cannot be carried out: the same preview, each name's problem
        # beside it; the file is kept for another try.
        return _review(model_admin, request, plan)
    stash_discard(request, plan)
    messages.success(request, result.message())
    return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))


def _apply_in_background(model_admin, request, plan, *, data, name, decisions):
    # The choices are checked here, as an apply in the page checks them, so that the
    # coordinator corrects them in the preview rather than reading them in a failed job.
    if decisions_check(decisions):
        return _review(model_admin, request, plan)
    try:
        job = plan_import_job_create(
            plan=plan,
            user=request.user,
            rows=data,
            file_name=name,
            accept_proposals=request.POST.get("accept_proposals") == "on",
            decisions=decisions,
        )
    except ValidationError as exc:
        return _render(model_admin, request, plan, file_name=name, error=" ".join(exc.messages), status=409)
    # The job keeps the rows: the stash is no longer needed.
    stash_discard(request, plan)
    plan_import_job_queue(job)
    return HttpResponseRedirect(reverse("admin:plans_plan_import_job", args=[plan.pk, job.pk]))


def plan_import_job_view(model_admin, request, object_id, job_id):
    """A background import's progress, then its result; the page reloads itself (a meta
    refresh: the CSP allows no inline script) until the job ends."""
    plan = _plan_for(model_admin, request, object_id)
    job = document_selectors.import_job_get(user=request.user, plan=plan, job_id=job_id)
    if job is None:
        raise Http404("Không có lần nhập này, hoặc lần nhập này do người khác thực hiện.")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "original": plan,
        "plan": plan,
        "job": job,
        "rows_done": number_vi(document_selectors.import_job_rows_done(job)),
        "rows_total": number_vi(job.rows_total),
        "refresh_seconds": IMPORT_JOB_REFRESH_SECONDS,
        "title": f"Nhập nhiệm vụ – kế hoạch {plan.number}",
        "import_url": reverse("admin:plans_plan_import", args=[plan.pk]),
        "change_url": reverse("admin:plans_plan_change", args=[plan.pk]),
        "tasks_url": f"{reverse('admin:plans_task_changelist')}?plan__id__exact={plan.pk}",
    }
    return TemplateResponse(request, "admin/plans/plan/import_job.html", context)


def _refused(model_admin, request, plan, preview, name, decisions):
    """The apply refused: nothing was saved; the new preview says which rows and why."""
    if preview.rejected:
        # Something changed since the preview (an area or agency removed…).
        stash_discard(request, plan)
        error = "Kiểm tra lại khi áp dụng thấy dòng bị từ chối; chưa lưu gì. Sửa tệp rồi tải lên lại."
    elif preview.needing_choice:
        error = (
            "Chưa lưu gì: còn tên gần giống tên cơ quan đã có mà chưa chọn. Hãy chọn “là đơn vị đã có” "
            "hoặc “tạo mới” cho từng tên rồi áp dụng lại."
        )
    else:
        error = (
            "Chưa lưu gì: còn đề xuất chưa được chấp nhận. Hãy chọn cho từng tên, đánh dấu “Chấp nhận…” "
            "rồi áp dụng lại, hoặc sửa tệp rồi tải lên lại."
        )
    return _render(
        model_admin, request, plan, preview=preview, file_name=name, error=error, decisions=decisions
    )


def plan_import_template_view(model_admin, request, object_id):
    plan = _plan_for(model_admin, request, object_id)
    response = HttpResponse(template_workbook(plan=plan), content_type=XLSX_CONTENT_TYPE)
    filename = f"mau-nhap-nhiem-vu-{slugify(plan.number) or plan.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def plan_task_table_view(model_admin, request, object_id):
    """The plan's current tasks in the import table's layout, to edit and import back."""
    plan = _plan_for(model_admin, request, object_id)
    rows = task_table_rows(document_selectors.task_list_for_table(plan=plan))
    response = HttpResponse(template_workbook(plan=plan, rows=rows), content_type=XLSX_CONTENT_TYPE)
    filename = f"bang-nhiem-vu-{slugify(plan.number) or plan.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- A new plan read from its document --------------------------------------------------

PROPOSAL_SESSION_KEY = "plan_import_document_proposal"
DOCUMENT_TITLE = "Nhập kế hoạch từ văn bản"


class PlanFromDocumentForm(forms.ModelForm):
    """The plan proposed from the document's header, as the coordinator confirms it."""

    class Meta:
        model = Plan
        fields = list(PLAN_FIELDS)
        widgets = {"title": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinating_agency"].queryset = Agency.objects.filter(ended_on__isnull=True)

    def validate_unique(self):
        # The service says, with the plan's number, that it exists already.
        pass


def _proposal_keep(request, values: dict, notes: dict) -> None:
    kept = {name: value_encode(value) for name, value in values.items() if name != "coordinating_agency"}
    agency = values.get("coordinating_agency")
    kept["coordinating_agency"] = agency.pk if agency is not None else None
    request.session[PROPOSAL_SESSION_KEY] = {"values": kept, "notes": notes}


def _proposal_kept(request) -> tuple[dict, dict]:
    kept = request.session.get(PROPOSAL_SESSION_KEY) or {"values": {}, "notes": {}}
    values = {
        name: value_decode(value) for name, value in kept["values"].items() if name != "coordinating_agency"
    }
    pk = kept["values"].get("coordinating_agency")
    values["coordinating_agency"] = Agency.objects.filter(pk=pk).first() if pk else None
    return values, kept["notes"]


def _render_document(
    model_admin,
    request,
    *,
    upload=None,
    form=None,
    notes=None,
    preview=None,
    existing=None,
    file_name="",
    error="",
):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "title": DOCUMENT_TITLE,
        "form": upload or ImportUploadForm(),
        "plan_form": form,
        # Each field with what the header did not say of it (assumed, or not found).
        "plan_fields": [(form[name], (notes or {}).get(name, "")) for name in PLAN_FIELDS] if form else [],
        "preview": preview,
        "near_miss_refused": NEAR_MISS_IN_A_NEW_PLAN,
        "existing": existing,
        "file_name": file_name,
        "error": error,
        "accepted_forms": ACCEPTED_FORMS + PUBLISHED_FORMS,
    }
    return TemplateResponse(request, "admin/plans/plan/import_document.html", context)


def plan_document_import_view(model_admin, request):
    """Upload a plan's document, see the plan proposed from its header with the rows'
    preview, edit the plan's fields and confirm: the plan (a draft) and its tasks are
    created together (``plan_import_new``)."""
    if not permissions.can_import_plans(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _render_document(model_admin, request)
    if request.POST.get("action") == "create":
        return _create_from_document(model_admin, request)

    upload_form = ImportUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _render_document(model_admin, request, upload=upload_form)
    upload = upload_form.cleaned_data["file"]
    data = upload.read(MAX_FILE_BYTES + 1)
    stash_discard(request, None)
    try:
        rows = read_rows(data)
        header = header_read(data)
    except ImportFileError as exc:
        return _render_document(
            model_admin, request, upload=upload_form, file_name=upload.name, error=exc.message
        )
    proposal = plan_proposal(
        header,
        today=timezone.localdate(),
        default_issuer=Plan._meta.get_field("issuer").default,
        coordinating_agency=document_selectors.plan_coordinator_default(),
    )
    existing = document_selectors.plan_get_by_number(number=header.number)
    if existing is not None:
        return _render_document(model_admin, request, existing=existing, file_name=upload.name)
    preview = import_preview(plan=unsaved_plan(proposal.values), rows=rows)
    if not preview.rejected:
        stash_put(request, None, rows_dump(rows), upload.name)
        _proposal_keep(request, proposal.values, proposal.notes)
    form = PlanFromDocumentForm(initial=proposal.values)
    return _render_document(
        model_admin, request, form=form, notes=proposal.notes, preview=preview, file_name=upload.name
    )


# A new plan's page has no choice of agencies: a name close to existing ones is settled in
# the file, or later on the plan's own import page.
NEAR_MISS_IN_A_NEW_PLAN = (
    "Chưa tạo được kế hoạch: có tên gần giống tên cơ quan đã có (xem “Cần quyết định” bên dưới). Sửa tên "
    "trong tệp rồi tải lên lại; hoặc bỏ các dòng đó khỏi tệp, tạo kế hoạch, rồi nhập chúng ở trang “Nhập "
    "nhiệm vụ từ Excel” của kế hoạch, nơi chọn được cơ quan cho từng tên."
)


def _create_from_document(model_admin, request):
    stashed = stash_get(request, None)
    if stashed is None:
        return _render_document(
            model_admin,
            request,
            error=(
                "Không còn văn bản đã kiểm tra (phiên làm việc đã hết hạn hoặc kế hoạch đã được tạo). "
                "Hãy tải văn bản lên lại."
            ),
        )
    data, name = stashed
    rows = rows_load(data)
    values, notes = _proposal_kept(request)
    form = PlanFromDocumentForm(request.POST)

    def again(preview=None, error=""):
        if preview is None:
            shown = {**values, **{k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}}
            preview = import_preview(plan=unsaved_plan(shown), rows=rows)
        return _render_document(
            model_admin, request, form=form, notes=notes, preview=preview, file_name=name, error=error
        )

    if not form.is_valid():
        return again(error="Chưa tạo kế hoạch: hãy sửa các mục được đánh dấu bên dưới.")
    try:
        plan, result = plan_import_new(
            fields=form.cleaned_data,
            rows=rows,
            user=request.user,
            file_name=name,
            accept_proposals=request.POST.get("accept_proposals") == "on",
        )
    except ImportRejected as exc:
        if not exc.preview.rejected and exc.preview.needing_choice:
            return again(error=NEAR_MISS_IN_A_NEW_PLAN)
        if not exc.preview.rejected:
            return again(error="Chưa tạo kế hoạch, chưa lưu gì: hãy chấp nhận các đề xuất rồi xác nhận lại.")
        # Rows the preview let through were refused against the plan as saved (a due date
        # outside the period entered): the rows are shown again against the fields as edited,
        # with their proposals, so the coordinator can correct a field and confirm again.
        reasons = " ".join(f"Dòng {row.number}: {' '.join(row.errors)}" for row in exc.preview.rejected)
        return again(
            error=(
                f"Chưa tạo kế hoạch, chưa lưu gì: khi áp dụng, {len(exc.preview.rejected)} dòng bị từ "
                f"chối. {reasons} Sửa mục của kế hoạch (như thời gian) rồi xác nhận lại, hoặc sửa tệp rồi "
                "tải lên lại."
            )
        )
    except ValidationError as exc:
        existing = document_selectors.plan_get_by_number(number=form.cleaned_data["number"])
        if existing is not None:
            stash_discard(request, None)
            return _render_document(model_admin, request, existing=existing, file_name=name)
        for field_name, errors in exc.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
        return again(error="Chưa tạo kế hoạch: hãy sửa các mục được đánh dấu bên dưới.")
    stash_discard(request, None)
    request.session.pop(PROPOSAL_SESSION_KEY, None)
    messages.success(
        request,
        f"Đã tạo kế hoạch {plan.number} (dự thảo: chỉ cán bộ đầu mối thấy cho đến khi chuyển trạng thái "
        f"“Đang thực hiện”). {result.message()}",
    )
    return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))


def plan_import_urls(model_admin):
    """URLs for ``PlanAdmin.get_urls``: ``admin:plans_plan_import`` (the import page),
    ``admin:plans_plan_import_template`` (the .xlsx template) and
    ``admin:plans_plan_task_table`` (the plan's tasks in that layout), each taking the
    plan's id; ``admin:plans_plan_import_job`` (a background import's progress), taking
    the plan's and the job's; and ``admin:plans_plan_import_document``, a new plan from
    its document."""
    wrap = model_admin.admin_site.admin_view

    def import_view(request, object_id):
        return plan_import_view(model_admin, request, object_id)

    def template_view(request, object_id):
        return plan_import_template_view(model_admin, request, object_id)

    def task_table_view(request, object_id):
        return plan_task_table_view(model_admin, request, object_id)

    def job_view(request, object_id, job_id):
        return plan_import_job_view(model_admin, request, object_id, job_id)

    def document_view(request):
        return plan_document_import_view(model_admin, request)

    return [
        path("import-document/", wrap(document_view), name="plans_plan_import_document"),
        path("<path:object_id>/import/", wrap(import_view), name="plans_plan_import"),
        path("<path:object_id>/import/template/", wrap(template_view), name="plans_plan_import_template"),
        path("<path:object_id>/import/tasks/", wrap(task_table_view), name="plans_plan_task_table"),
        path("<path:object_id>/import/jobs/<int:job_id>/", wrap(job_view), name="plans_plan_import_job"),
    ]
