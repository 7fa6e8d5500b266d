"""Excel exports of the deadline list and of the province overview's agency table.

Each export reads the same query string as its page, through the same filter form and
selector, so the file holds exactly what the page shows the same user."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from documents import excel
from documents import selectors as document_selectors
from plans import permissions, selectors
from plans.collation import sorted_vietnamese
from plans.models import DeadlineStatus, ProgressReport
from plans.schedules import cycle_label
from plans.selectors import status_text
from workspace.sorting import DeadlineSort, sorted_list
from workspace.views import deadline_list_filters, filters_applied, overview_filters

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CHUNK_SIZE = 2000


def _latest_report(state: str | None, review_state: str | None) -> str:
    if not state:
        return ""
    return f"{ProgressReport.State(state).label} – {ProgressReport.ReviewState(review_state).label}"


def _deadline_rows(deadlines, cooperating):
    rows = deadlines.values(*document_selectors.EXPORT_ROW_FIELDS).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    for row in rows:
        yield excel.DeadlineRow(
            plan=row["task__plan__number"],
            area=f"{row['task__area__number']}. {row['task__area__title']}",
            task_code=row["task__code"],
            task_title=row["task__title"],
            lead_agency=row["responsible_agency__short_name"] or row["responsible_agency__name"],
            cooperating_agencies="; ".join(cooperating.get(row["task_id"], [])),
            # A one-off deadline's label only repeats its date, which has its own column.
            period_label=cycle_label(row["period_label"]),
            due_on=row["due_on"],
            ends_on=row["ends_on"],
            status=status_text(
                row["status"], waiting_review=row["waiting_review"], has_report=row["has_report"]
            ),
            completed_on=row["completed_on"],
            latest_report=_latest_report(row["latest_report_state"], row["latest_review_state"]),
        )


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def deadline_list_export(request):
    form, filters = deadline_list_filters(request)
    dates = selectors.status_dates_get(period=filters.period)
    # In the page's order (the sort in the query string).
    deadlines, sort = sorted_list(
        DeadlineSort,
        request.GET,
        document_selectors.deadline_list_for_export(user=request.user, filters=filters, dates=dates),
    )
    cooperating = {
        task_id: sorted_vietnamese(names)
        for task_id, names in document_selectors.cooperating_agency_names(deadlines=deadlines).items()
    }
    # Collective phrases ("các sở, ban, ngành tỉnh") as written, after the agencies named.
    for task_id, names in selectors.cooperating_group_names(task_ids=deadlines.values("task_id")).items():
        cooperating[task_id] = [*cooperating.get(task_id, []), *names]
    own_agency = None if permissions.can_see_all_agencies(request.user) else request.user.agency
    content = excel.deadline_list_workbook(
        rows=_deadline_rows(deadlines, cooperating),
        filters=filters_applied(form, filters, agency=own_agency),
        sort=sort.label,
        exported_at=timezone.localtime(),
    )
    return _xlsx_response(content, f"han-nhiem-vu-{dates.today:%Y-%m-%d}.xlsx")


@login_required
@require_safe
@permission_required(permissions.VIEW_ALL_AGENCIES, raise_exception=True)
def province_overview_export(request):
    form, filters = overview_filters(request)
    dates = selectors.status_dates_get(period=filters.period)
    groups = selectors.province_agency_progress(user=request.user, filters=filters, dates=dates)
    content = excel.agency_status_workbook(
        groups=groups,
        statuses=[(status, str(DeadlineStatus(status).label)) for status in selectors.STATUS_ORDER],
        filters=filters_applied(form, filters),
        exported_at=timezone.localtime(),
    )
    return _xlsx_response(content, f"tong-hop-theo-co-quan-{dates.today:%Y-%m-%d}.xlsx")
