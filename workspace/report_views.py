"""The province's periodic report (.docx), downloaded from the province overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from documents import selectors as document_selectors
from documents.report_docx import CONTENT_TYPE, file_name, province_report_docx
from plans import permissions, selectors
from workspace.forms import ProvinceReportForm


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
    report = document_selectors.province_report_get(
        plan=form.cleaned_data["plan"], period=form.cleaned_data["period"], dates=dates
    )
    response = HttpResponse(province_report_docx(report, today=dates.today), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name(report))
    response["Cache-Control"] = "no-store"
    return response
