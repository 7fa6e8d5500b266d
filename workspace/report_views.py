"""The province's periodic report: the records (list, new draft, edit, preview, issue,
download) and the overview's download of the current figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET, require_POST

from documents import selectors as document_selectors
from documents import services as document_services
from documents.report_docx import (
    CONTENT_TYPE,
    day_of,
    dmy,
    file_name,
    percent_vi,
    period_dates,
    periodic_report_docx,
    plan_citation,
    province_report_docx,
)
from plans import permissions, selectors
from workspace.forms import PeriodicReportIssueForm, PeriodicReportTextForm, ProvinceReportForm
from workspace.views import _add_errors, _or_404, _refusal_message


def _docx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required(permissions.VIEW_ALL_AGENCIES, raise_exception=True)
@require_GET
def province_report(request):
    dates = selectors.status_dates_get()
    plans, years = document_selectors.report_plans_and_years(today=dates.today)
    form = ProvinceReportForm(request.GET, plans=plans, years=years)
    if not form.is_valid():
        reasons = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Chưa lập được báo cáo: {reasons}")
        # Back to the overview, on the chosen plan when that one was valid.
        back = reverse("province-overview")
        plan = form.cleaned_data.get("plan")
        return redirect(f"{back}?{urlencode({'plan': plan.pk})}" if plan else back)
    figures = document_selectors.periodic_report_figures_get(
        plan=form.cleaned_data["plan"], period=form.cleaned_data["period"], dates=dates
    )
    return _docx_response(province_report_docx(figures, today=dates.today), file_name(figures))


# The records. Officers (and anyone without the overview) get 404: the pages do not exist
# for them. Leaders read issued reports; coordinators draft, edit and issue.


def _readable(request):
    if not permissions.can_read_periodic_reports(request.user):
        raise Http404


def _report_for(request, pk):
    _readable(request)
    return _or_404(document_selectors.periodic_report_get, user=request.user, pk=pk)


def _drafter(request):
    _readable(request)
    if not permissions.can_draft_periodic_reports(request.user):
        raise PermissionDenied


@login_required
@require_GET
def periodic_report_list(request):
    _readable(request)
    dates = selectors.status_dates_get()
    form = None
    if permissions.can_draft_periodic_reports(request.user):
        plans, years = document_selectors.report_plans_and_years(today=dates.today)
        if years:
            form = ProvinceReportForm(plans=plans, years=years, auto_id="new-%s")
    reports = document_selectors.periodic_report_list(user=request.user)
    return render(request, "workspace/periodic_report_list.html", {"reports": reports, "form": form})


@login_required
@require_POST
def periodic_report_create(request):
    _drafter(request)
    dates = selectors.status_dates_get()
    plans, years = document_selectors.report_plans_and_years(today=dates.today)
    form = ProvinceReportForm(request.POST, plans=plans, years=years)
    if not form.is_valid():
        reasons = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Chưa lập được dự thảo: {reasons}")
        return redirect("periodic-report-list")
    try:
        report = document_services.periodic_report_create(
            user=request.user, plan=form.cleaned_data["plan"], period=form.cleaned_data["period"]
        )
    except ValidationError as error:
        messages.error(request, f"Chưa lập được dự thảo: {' '.join(error.messages)}")
        return redirect("periodic-report-list")
    messages.success(
        request, f"Đã lập dự thảo {report}, số liệu tính đến ngày {report.figures_as_of:%d/%m/%Y}."
    )
    return redirect("periodic-report-edit", pk=report.pk)


def _agency_rows(report):
    return [{**row, "on_time": percent_vi(row["on_time_share"])} for row in report.figures["agencies"]]


@login_required
@require_GET
def periodic_report_detail(request, pk):
    """The preview: what the document says, in the page."""
    report = _report_for(request, pk)
    figures = report.figures
    areas = [
        {**area, "summary": report.area_summaries.get(str(area["number"]), "")} for area in figures["areas"]
    ]
    context = {
        "report": report,
        "figures": figures,
        "citation": plan_citation(figures["plan"]),
        "period_dates": period_dates(figures),
        "agencies": _agency_rows(report),
        "areas": areas,
        "upcoming": [{**item, "due": dmy(day_of(item["due_on"]))} for item in figures["upcoming"]],
        "total": sum(figures["counts"].values()),
        "overdue_share": percent_vi(figures["overdue_share"])
        if figures["overdue_share"] is not None
        else None,
        "can_draft": permissions.can_draft_periodic_reports(request.user),
        "issue_form": PeriodicReportIssueForm() if not report.is_issued else None,
    }
    return render(request, "workspace/periodic_report_detail.html", context)


@login_required
def periodic_report_edit(request, pk):
    _drafter(request)
    report = _report_for(request, pk)
    if report.is_issued:
        messages.error(request, document_services.ISSUED_READ_ONLY)
        return redirect("periodic-report-detail", pk=pk)
    form = PeriodicReportTextForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            document_services.periodic_report_update(user=request.user, report=report, data=form.to_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Đã lưu dự thảo.")
            return redirect("periodic-report-detail", pk=pk)
    if request.method == "POST":
        _refusal_message(request, form, "Chưa lưu được dự thảo")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "workspace/periodic_report_edit.html", {"report": report, "form": form}, status=status
    )


@login_required
@require_POST
def periodic_report_refresh(request, pk):
    _drafter(request)
    report = _report_for(request, pk)
    try:
        report = document_services.periodic_report_refresh(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Đã lấy lại số liệu, tính đến ngày {report.figures_as_of:%d/%m/%Y}; "
            "các mục đã soạn được giữ nguyên, hãy rà soát lại cho khớp với số liệu.",
        )
    return redirect("periodic-report-detail", pk=pk)


@login_required
@require_POST
def periodic_report_issue(request, pk):
    _drafter(request)
    report = _report_for(request, pk)
    form = PeriodicReportIssueForm(request.POST)
    if form.is_valid():
        try:
            document_services.periodic_report_issue(
                user=request.user,
                report=report,
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data["issued_on"],
            )
        except ValidationError as error:
            _add_errors(form, error)
            if hasattr(error, "error_dict") and "signer_name" in error.error_dict:
                form.add_error(None, error.error_dict["signer_name"])
        else:
            messages.success(request, f"Đã ban hành báo cáo số {form.cleaned_data['number']}.")
            return redirect("periodic-report-detail", pk=pk)
    reasons = " ".join(error for errors in form.errors.values() for error in errors)
    messages.error(request, f"Chưa ban hành được: {reasons}")
    return redirect("periodic-report-detail", pk=pk)


@login_required
@require_GET
def periodic_report_download(request, pk):
    report = _report_for(request, pk)
    return _docx_response(periodic_report_docx(report), file_name(report.figures, report.version))
