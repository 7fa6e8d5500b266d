"""The portal's pages. Thin: parse the request, load through a selector scoped to the
user, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ObjectDoesNotExist
from django.forms import ModelChoiceField
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from documents import selectors as document_selectors
from plans import permissions, selectors, services
from plans.models import DeadlineStatus, ProgressReport
from plans.periods import ReportPeriod
from workspace import page_cache
from workspace.forms import (
    ContributionForm,
    DeadlineFilterForm,
    ProgressReportForm,
    ProvinceReportForm,
    ReviewForm,
    SearchForm,
    WaiverForm,
)
from workspace.sorting import DeadlineSort, PlanSort, ReportSort, sorted_list

LIST_PAGE_SIZE = 50
DASHBOARD_FILTERS = ["plan", "period"]
OVERVIEW_FILTERS = ["plan", "period", "area", "agency", "agencies_as"]
LIST_FILTERS_ALL = ["plan", "period", "year", "area", "agency", "status", "agencies_as", "window"]


def _or_404(load, **kwargs):
    try:
        return load(**kwargs)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


def _add_errors(form, error: ValidationError):
    """Put a service's ValidationError on the form (field errors where it names one)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _refusal_message(request, form, what: str):
    """Say at the top of the page why nothing was saved: the form-wide reasons, or a
    pointer to the fields marked below."""
    reasons = " ".join(form.non_field_errors()) or "vui lòng sửa các lỗi được đánh dấu bên dưới."
    messages.error(request, f"{what}: {reasons}")


def filters_applied(form, filters, *, agency=None) -> list[tuple[str, str]]:
    """The filters in force, as the form shows them: (label, value) pairs. A value the
    form refused is left off, as the page leaves it off. ``agency`` is the officer's own
    agency, to which their list is always narrowed."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    active = [("Đơn vị", str(agency))] if agency else []
    for name, field in form.fields.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if name == "relation":
            continue  # shown below, where it has an effect
        if isinstance(field, ModelChoiceField):
            text = field.label_from_instance(value)
        else:
            text = dict(field.choices).get(value, value)
        active.append((str(field.label), str(text)))
    if filters.agency_id and "relation" in form.fields:
        relation = dict(form.fields["relation"].choices)[filters.relation]
        active.append((str(form.fields["relation"].label), str(relation)))
    return active


def _filter_form(request, fields):
    """The page's filters, read from the query string."""
    return DeadlineFilterForm(request.GET or None, choices=selectors.filter_choices(), fields=fields)


@login_required
def home(request):
    """Each user's own starting page."""
    if permissions.can_see_all_agencies(request.user):
        return redirect("province-overview")
    if request.user.agency_id:
        return redirect("agency-dashboard")
    return render(request, "workspace/no_agency.html", status=403)


@login_required
def search(request):
    """The menu's search: plans, tasks and deadlines within the user's scope."""
    form = SearchForm(request.GET or None)
    query = form.query()
    dates = selectors.status_dates_get()
    results = selectors.search_results(user=request.user, query=query, dates=dates)
    return render(
        request,
        "workspace/search.html",
        {"form": form, "query": query, "results": results, "dates": dates},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def plan_index(request):
    plans, sort = sorted_list(
        PlanSort, request.GET, selectors.plan_list(include_drafts=permissions.can_edit_plans(request.user))
    )
    return render(request, "workspace/plan_list.html", {"plans": plans, "sort": sort})


@login_required
def plan_detail(request, pk):
    plans = selectors.plan_list_with_content(include_drafts=permissions.can_edit_plans(request.user))
    plan = get_object_or_404(plans, pk=pk)
    return render(request, "workspace/plan_detail.html", {"plan": plan})


@login_required
def agency_dashboard(request):
    if not request.user.agency_id:
        return redirect("home")
    agency_id = request.user.agency_id

    def build():
        form = _filter_form(request, DASHBOARD_FILTERS)
        filters = form.to_filter()
        dates = selectors.status_dates_get(period=filters.period)
        dashboard = selectors.agency_dashboard_get(
            user=request.user, agency_id=agency_id, filters=filters, dates=dates
        )
        context = {
            "agency": request.user.agency,
            "dashboard": dashboard,
            "form": form,
            # Links behind the figures open the deadlines the figures count.
            "filters": selectors.statistics_filter(filters),
            "dates": dates,
            "statuses": selectors.STATUS_ORDER,
            # Printed at the top of the page.
            "applied": filters_applied(form, filters),
            "next_steps": _next_steps(request, filters, dashboard, dates),
        }
        return render_to_string("workspace/includes/agency_dashboard_body.html", context, request=request)

    body = page_cache.page_body(
        request,
        page=("agency-dashboard", agency_id),
        allowed=DASHBOARD_FILTERS,
        build=build,
        agency_id=agency_id,
    )
    return page_cache.render_with_body(
        request, "workspace/agency_dashboard.html", {"agency": request.user.agency}, body
    )


def _next_steps(request, filters, dashboard, dates):
    """What to do next, over every plan and period, counted as the menu's badges count
    it: from the dashboard's own lists when no filter narrows them, else loaded apart."""
    if filters == selectors.DeadlineFilter():
        # The unfiltered dashboard holds the menu's counts too.
        waiting = page_cache.waiting_counts(request, overdue=dashboard.counts[DeadlineStatus.OVERDUE])
        return selectors.next_steps_of(
            overdue=dashboard.overdue,
            returned=dashboard.returned,
            upcoming=dashboard.upcoming,
            due_soon=dashboard.counts[DeadlineStatus.DUE_SOON],
            waiting=waiting,
        )
    waiting = page_cache.waiting_counts(request)
    dates = dates if filters.period is None else selectors.status_dates_get()
    return selectors.next_steps_get(user=request.user, dates=dates, waiting=waiting)


def overview_filters(request):
    """The province overview's filter form and the filters it reads from the query
    string (shared with its Excel export)."""
    form = _filter_form(request, OVERVIEW_FILTERS)
    return form, form.to_filter()


@login_required
@permission_required(permissions.VIEW_ALL_AGENCIES, raise_exception=True)
def province_overview(request):
    def build():
        form, filters = overview_filters(request)
        dates = selectors.status_dates_get(period=filters.period)
        if selectors.status_tally_serves(filters):
            # The unfiltered figures are the province's kept counts, brought up to date.
            services.status_tally_refresh(dates=dates)
        overview = selectors.province_overview_get(user=request.user, filters=filters, dates=dates)
        if filters == selectors.DeadlineFilter() and request.user.agency_id:
            # The unfiltered table holds the menu's count of the user's agency's overdue
            # deadlines (counted as its dashboard counts them).
            page_cache.waiting_counts(
                request, overdue=overview.agency_counts(request.user.agency_id)[DeadlineStatus.OVERDUE]
            )
        context = {
            "overview": overview,
            "report_form": _province_report_form(filters, dates),
            "form": form,
            # A narrowed overview says what it covers instead of "toàn tỉnh".
            "applied": filters_applied(form, filters),
            # Links behind the figures open the deadlines the figures count.
            "filters": selectors.statistics_filter(filters),
            "dates": dates,
            "statuses": selectors.STATUS_ORDER,
        }
        return render_to_string("workspace/includes/province_overview_body.html", context, request=request)

    # Everyone allowed here sees the whole province, so one copy serves them all.
    body = page_cache.page_body(request, page=("province-overview",), allowed=OVERVIEW_FILTERS, build=build)
    narrowed = any(request.GET.get(name) for name in OVERVIEW_FILTERS)
    return page_cache.render_with_body(
        request, "workspace/province_overview.html", {"narrowed": narrowed}, body
    )


def deadline_list_filters(request):
    """The deadline list's filter form and the filters it reads from the query string
    (shared with its Excel export). An officer's list is always their own agency's, led
    or cooperated on; others may filter by any agency."""
    sees_all = permissions.can_see_all_agencies(request.user)
    # The agency's role (lead, cooperating) is an officer's filter: a coordinator's list
    # chooses the lead agency itself.
    form = _filter_form(
        request,
        LIST_FILTERS_ALL if sees_all else ["plan", "period", "year", "area", "status", "relation", "window"],
    )
    filters = form.to_filter() if sees_all else form.to_filter(agency_id=request.user.agency_id)
    return form, filters


def _province_report_form(filters, dates):
    """The periodic-report form: the overview's plan (or the newest) and this year."""
    plans, years = document_selectors.report_plans_and_years(today=dates.today)
    if not years:
        return None
    current = ReportPeriod.quarter_containing(dates.today)
    initial = {"period": filters.period.code if filters.period else current.code}
    if filters.plan_id:
        initial["plan"] = filters.plan_id
    return ProvinceReportForm(plans=plans, years=years, initial=initial, auto_id="report-%s")


@login_required
def deadline_list(request):
    form, filters = deadline_list_filters(request)
    dates = selectors.status_dates_get(period=filters.period)
    deadlines, sort = sorted_list(
        DeadlineSort,
        request.GET,
        selectors.deadline_list_filtered(user=request.user, filters=filters, dates=dates),
    )
    page = Paginator(deadlines, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/deadline_list.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "query": query.urlencode(),
            "dates": dates,
            "sort": sort,
            "applied": filters_applied(
                form,
                filters,
                agency=None if permissions.can_see_all_agencies(request.user) else request.user.agency,
            ),
        },
    )


def _deadline_for_page(request, pk):
    """The deadline through the user's scope: 404 outside it."""
    dates = selectors.status_dates_get()
    return _or_404(selectors.deadline_get_for_page, user=request.user, pk=pk, dates=dates)


def _report_form_for(deadline, reports, data=None, files=None):
    """The report form of a deadline page. After a return it starts from the returned
    report (text, state, percent) and offers to keep its files; while a report waits,
    the form replaces it and offers its files too."""
    last = reports[0] if reports else None
    reusable = last is not None and last.review_state in (
        ProgressReport.ReviewState.RETURNED,
        ProgressReport.ReviewState.SUBMITTED,
    )
    initial = {}
    if last is not None:
        initial = {"state": last.state, "percent": last.percent}
        if reusable:
            initial["narrative"] = last.narrative
    carry = list(last.evidence.all()) if reusable else []
    return ProgressReportForm(data, files, initial=initial, carry_choices=carry)


def _deadline_page(
    request, deadline, *, report_form=None, contribution_form=None, waiver_form=None, status=200
):
    task = deadline.task
    # Done means an accepted completion report exists, whatever day it is dated.
    done = deadline.completed_on is not None
    waived = deadline.waived_at is not None
    may_submit = permissions.can_submit_report(request.user, deadline)
    can_submit = may_submit and not done and not waived
    can_contribute = permissions.can_contribute(request.user, task, selectors.task_cooperating_ids(task))
    can_review = permissions.can_review(request.user)
    reports = list(deadline.reports.all())
    waiting = next((r for r in reports if r.review_state == ProgressReport.ReviewState.SUBMITTED), None)
    for report in reports:
        report.reviewable = permissions.can_review_report(request.user, report)
    if report_form is None and can_submit:
        report_form = _report_form_for(deadline, reports)
    context = {
        "deadline": deadline,
        "task": task,
        "reports": reports,
        "waiting_report": waiting,
        "can_withdraw": may_submit and waiting is not None,
        "contributions": list(deadline.contributions.all()),
        "is_done": done,
        "report_form": report_form if can_submit else None,
        "contribution_form": (contribution_form or ContributionForm()) if can_contribute else None,
        "can_review": can_review,
        "review_form": ReviewForm(),
        "waiver_form": (waiver_form or WaiverForm()) if can_review and not waived and not done else None,
    }
    return render(request, "workspace/deadline_detail.html", context, status=status)


@login_required
def deadline_detail(request, pk):
    return _deadline_page(request, _deadline_for_page(request, pk))


def _deadline_form_post(request, pk, *, form_class, allowed, save, success, refusal, form_slot):
    """A form posted on a deadline page: load the deadline through the user's scope
    (404 outside it), check the rule (403), validate, call the service; on a refusal
    show the page again with the reasons and nothing saved. ``form_class`` is called
    with the deadline and the posted data."""
    deadline = _deadline_for_page(request, pk)
    if not allowed(request.user, deadline):
        raise PermissionDenied
    form = form_class(deadline, request.POST, request.FILES)
    if form.is_valid():
        try:
            save(deadline, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("deadline-detail", pk=pk)
    _refusal_message(request, form, refusal)
    # The page as loaded before the refused write, which changed nothing.
    return _deadline_page(request, deadline, status=400, **{form_slot: form})


@login_required
@require_POST
def report_submit(request, pk):
    return _deadline_form_post(
        request,
        pk,
        form_class=lambda deadline, data, files: _report_form_for(
            deadline, list(deadline.reports.all()), data, files
        ),
        allowed=lambda user, deadline: permissions.can_submit_report(user, deadline),
        save=lambda deadline, data: services.report_submit(
            deadline=deadline,
            user=request.user,
            state=data["state"],
            percent=data["percent"],
            narrative=data["narrative"],
            files=data["evidence"],
            carry_evidence_ids=data.get("carry_evidence", []),
        ),
        success=(
            "Đã gửi báo cáo; báo cáo đang chờ Sở Ngoại vụ xác nhận. "
            "Nếu hạn này đã có báo cáo chờ xác nhận, báo cáo mới đã thay thế báo cáo đó."
        ),
        refusal="Báo cáo chưa được gửi",
        form_slot="report_form",
    )


@login_required
@require_POST
def contribution_add(request, pk):
    return _deadline_form_post(
        request,
        pk,
        form_class=lambda deadline, data, files: ContributionForm(data, files),
        allowed=lambda user, deadline: permissions.can_contribute(
            user, deadline.task, selectors.task_cooperating_ids(deadline.task)
        ),
        save=lambda deadline, data: services.contribution_add(
            deadline=deadline, user=request.user, text=data["text"], files=data["evidence"]
        ),
        success="Đã gửi ý kiến phối hợp cho cơ quan chủ trì.",
        refusal="Ý kiến phối hợp chưa được gửi",
        form_slot="contribution_form",
    )


@login_required
@require_POST
def report_withdraw(request, pk, report_pk):
    deadline = _deadline_for_page(request, pk)
    if not permissions.can_submit_report(request.user, deadline):
        raise PermissionDenied
    report = get_object_or_404(deadline.reports.all(), pk=report_pk)
    try:
        services.report_withdraw(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, "Chưa rút được báo cáo: " + " ".join(error.messages))
    else:
        messages.success(request, "Đã rút báo cáo; báo cáo không còn chờ Sở Ngoại vụ xác nhận.")
    return redirect("deadline-detail", pk=pk)


@login_required
@require_POST
@permission_required(permissions.REVIEW_REPORTS, raise_exception=True)
def deadline_waive(request, pk):
    return _deadline_form_post(
        request,
        pk,
        form_class=lambda deadline, data, files: WaiverForm(data),
        allowed=lambda user, deadline: permissions.can_review(user),
        save=lambda deadline, data: services.deadline_waive(
            deadline=deadline, user=request.user, reason=data["waiver_reason"]
        ),
        success="Đã miễn hạn này: hạn không còn được tính trong số liệu và vẫn hiện là “Đã miễn”.",
        refusal="Chưa miễn được hạn này",
        form_slot="waiver_form",
    )


@login_required
@require_POST
@permission_required(permissions.REVIEW_REPORTS, raise_exception=True)
def deadline_waiver_cancel(request, pk):
    deadline = _deadline_for_page(request, pk)
    try:
        services.deadline_waiver_cancel(deadline=deadline, user=request.user)
    except ValidationError as error:
        messages.error(request, "Chưa bỏ miễn được: " + " ".join(error.messages))
    else:
        messages.success(request, "Đã bỏ miễn: hạn này được tính lại trong số liệu.")
    return redirect("deadline-detail", pk=pk)


@login_required
@permission_required(permissions.REVIEW_REPORTS, raise_exception=True)
def review_queue(request):
    reports, sort = sorted_list(ReportSort, request.GET, selectors.report_review_queue(user=request.user))
    page = Paginator(reports, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    for report in page.object_list:
        # Separation of duties: the queue says which reports someone else must review.
        report.reviewable = permissions.can_review_report(request.user, report)
    return render(
        request,
        "workspace/review_queue.html",
        {"page": page, "review_form": ReviewForm(), "sort": sort, "query": query.urlencode()},
    )


@login_required
@require_POST
@permission_required(permissions.REVIEW_REPORTS, raise_exception=True)
def report_review(request, pk):
    report = _or_404(selectors.report_get_for_review, user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("review-queue")
    if not form.is_valid():
        for error in form.errors.get("comment", []) + form.errors.get("decision", []):
            messages.error(request, error)
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
            services.report_accept(report=report, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, f"Đã xác nhận báo cáo {report.deadline}.")
        else:
            services.report_return(report=report, user=request.user, comment=form.cleaned_data["comment"])
            if selectors.report_return_reachable(report=report):
                messages.success(
                    request, f"Đã trả lại báo cáo {report.deadline}; đơn vị sẽ nhận email thông báo."
                )
            else:
                messages.warning(
                    request,
                    f"Đã trả lại báo cáo {report.deadline}; chưa gửi được email: đơn vị chưa có địa chỉ. "
                    "Hãy báo đơn vị qua điện thoại hoặc văn bản, và thêm địa chỉ email của đơn vị "
                    "trong trang quản trị.",
                )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    return redirect(back)


@login_required
def evidence_download(request, pk):
    evidence = _or_404(selectors.evidence_get_for_download, user=request.user, pk=pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
