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
"""

import hashlib
import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from documents import selectors as document_selectors
from documents.imports import (
    COOPERATING_SEPARATOR,
    HEADERS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    SHEET_NAME,
    ImportFileError,
    ImportRejected,
    import_preview,
    number_vi,
    read_rows,
    task_table_rows,
    template_workbook,
)
from documents.row_codec import rows_dump, rows_load
from documents.schedule_text import ACCEPTED_FORMS, PUBLISHED_FORMS
from documents.services import plan_import_apply, plan_import_job_create
from documents.tasks import plan_import_job_queue
from plans import permissions
from plans.models import Plan

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
    return f"plan_import_{plan.pk}"


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


# --- Views -----------------------------------------------------------------------------


def _plan_for(model_admin, request, object_id) -> Plan:
    if not permissions.can_import_tasks(request.user):
        raise PermissionDenied
    plan = model_admin.get_object(request, unquote(object_id))
    if plan is None:
        raise Http404("Không có kế hoạch này.")
    return plan


def _render(model_admin, request, plan, *, form=None, preview=None, file_name="", error="", status=200):
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


def _apply(model_admin, request, plan):
    stashed = stash_get(request, plan)
    if stashed is None:
        return _render(
            model_admin,
            request,
            plan,
            error=(
                "Không còn tệp đã kiểm tra (phiên làm việc đã hết hạn hoặc tệp đã được nhập). "
                "Hãy tải tệp lên lại."
            ),
        )
    data, name = stashed
    rows = rows_load(data)
    if _in_background(len(rows)):
        return _apply_in_background(model_admin, request, plan, data=data, name=name)
    try:
        result = plan_import_apply(
            plan=plan,
            rows=rows,
            user=request.user,
            file_name=name,
            accept_proposals=request.POST.get("accept_proposals") == "on",
        )
    except ImportFileError as exc:
        stash_discard(request, plan)
        return _render(model_admin, request, plan, file_name=name, error=exc.message)
    except ImportRejected as exc:
        # Something changed since the preview (an area or agency removed…): nothing was
        # saved; the new preview says which rows and why.
        stash_discard(request, plan)
        return _render(
            model_admin,
            request,
            plan,
            preview=exc.preview,
            file_name=name,
            error=(
                "Chưa lưu gì: còn dòng bị từ chối, hoặc còn đề xuất chưa được chấp nhận. Sửa tệp rồi tải lên "
                "lại, hoặc chấp nhận các đề xuất."
                if exc.preview.need_decision and not exc.preview.rejected
                else "Kiểm tra lại khi áp dụng thấy dòng bị từ chối; chưa lưu gì. Sửa tệp rồi tải lên lại."
            ),
        )
    stash_discard(request, plan)
    messages.success(request, result.message())
    return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))


def _apply_in_background(model_admin, request, plan, *, data, name):
    try:
        job = plan_import_job_create(
            plan=plan,
            user=request.user,
            rows=data,
            file_name=name,
            accept_proposals=request.POST.get("accept_proposals") == "on",
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


def plan_import_urls(model_admin):
    """URLs for ``PlanAdmin.get_urls``: ``admin:plans_plan_import`` (the import page),
    ``admin:plans_plan_import_template`` (the .xlsx template) and
    ``admin:plans_plan_task_table`` (the plan's tasks in that layout), each taking the
    plan's id, and ``admin:plans_plan_import_job`` (a background import's progress),
    taking the plan's and the job's."""
    wrap = model_admin.admin_site.admin_view

    def import_view(request, object_id):
        return plan_import_view(model_admin, request, object_id)

    def template_view(request, object_id):
        return plan_import_template_view(model_admin, request, object_id)

    def task_table_view(request, object_id):
        return plan_task_table_view(model_admin, request, object_id)

    def job_view(request, object_id, job_id):
        return plan_import_job_view(model_admin, request, object_id, job_id)

    return [
        path("<path:object_id>/import/", wrap(import_view), name="plans_plan_import"),
        path("<path:object_id>/import/template/", wrap(template_view), name="plans_plan_import_template"),
        path("<path:object_id>/import/tasks/", wrap(task_table_view), name="plans_plan_task_table"),
        path("<path:object_id>/import/jobs/<int:job_id>/", wrap(job_view), name="plans_plan_import_job"),
    ]
