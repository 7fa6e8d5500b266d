"""Writes for documents: a plan's task table imported, agencies' calendar tokens."""

import datetime
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plans import permissions
from plans.models import (
    Agency,
    Plan,
)
from plans.services.deadlines import DeadlineSyncResult, deadline_sync_for_task

# Importing a plan's task table from Excel (see documents.imports).


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
    *, plan: Plan, file=None, rows=None, user=None, file_name: str = "", today: datetime.date | None = None
) -> PlanImportResult:
    """Import a task table (.xlsx bytes or file object, or ``rows`` that ``read_rows``
    already took from it) into ``plan``: all rows or none.

    The rows are checked again here, inside the transaction and with the plan locked,
    so that what is saved fits the plan as it is now, not as a preview saw it
    earlier. Any rejected row refuses the whole import (``ImportRejected``, nothing
    saved); so does a ``full_clean()`` error. Each created or changed task is saved one
    by one and gets its deadlines from ``deadline_sync_for_task``. A file already
    imported changes nothing.
    """
    # Imported here so that openpyxl loads only when a plan is imported, not with every
    # process that uses the services (web workers, Celery).
    from documents.imports import ImportRejected, Outcome, import_preview, validation_messages

    if user is not None and not permissions.can_import_tasks(user):
        raise PermissionDenied("Cần quyền thêm và sửa nhiệm vụ để nhập bảng nhiệm vụ.")
    today = today or timezone.localdate()
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    preview = import_preview(plan=plan, file=file, rows=rows)
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
def calendar_token_regenerate(*, agency: Agency, user) -> str:
    """A new token for the agency (the first one, or a replacement: the old feed URL
    stops working at once). Only the agency's own officers and administrators."""
    if not permissions.can_manage_calendar(user, agency):
        raise PermissionDenied("Chỉ cán bộ của chính đơn vị được tạo đường dẫn lịch mới.")
    return _calendar_token_set(agency, secrets.token_urlsafe(32))
