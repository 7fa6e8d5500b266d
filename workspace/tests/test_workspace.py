"""The agency workspace, per role: who sees which deadline, who reports, who reviews,
and what a bad report is answered with. Nothing here is mocked: real views, forms,
services and database."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Contribution, Deadline, DeadlineStatus, EvidenceFile, ProgressReport
from plans.periods import ReportPeriod
from plans.selectors import area_progress, deadline_list_with_status, status_dates_get
from plans.signals import report_returned
from plans.tests.factories import ProgressReportFactory, TaskFactory, local_datetime
from plans.tests.sample_files import PDF_BYTES

pytestmark = pytest.mark.django_db


def pdf(name="bao-cao.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def report_data(**overrides):
    data = {"state": "in_progress", "percent": "50", "narrative": "Đang triển khai."}
    data.update(overrides)
    return data


def status_of(deadline):
    return deadline_list_with_status(dates=status_dates_get()).get(pk=deadline.pk).status


# Where each user lands.


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("officer_a", "agency-dashboard"),
        ("coordinator", "province-overview"),
        ("leader", "province-overview"),
    ],
)
def test_home_takes_each_user_to_their_own_dashboard(client, users, user, target):
    client.force_login(users[user])
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse(target)


def test_officer_without_agency_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("moi", password="Mat-khau-2026"))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "chưa được gắn với cơ quan" in response.content.decode()


def test_every_workspace_page_needs_login(client, deadline):
    report = ProgressReportFactory(deadline=deadline, pending=True)
    urls = [
        reverse("agency-dashboard"),
        reverse("province-overview"),
        reverse("deadline-list"),
        reverse("deadline-detail", args=[deadline.pk]),
        reverse("review-queue"),
        reverse("password_change"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url in [reverse("report-submit", args=[deadline.pk]), reverse("report-review", args=[report.pk])]:
        response = client.post(url, {})
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert ProgressReport.objects.count() == 1


# Who sees a deadline.


def test_lead_officer_sees_the_deadline_with_a_report_form(client, users, deadline):
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert deadline.task.title in html
    assert 'id="report-form"' in html and 'name="evidence"' in html
    assert "Gửi ý kiến phối hợp" not in html
    assert "ĐV B" in html  # the cooperating agency is listed


def test_cooperating_officer_sees_the_deadline_and_may_only_contribute(client, users, deadline):
    client.force_login(users["officer_b"])
    html = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert 'id="report-form"' not in html and "Gửi ý kiến phối hợp" in html
    response = client.post(reverse("report-submit", args=[deadline.pk]), report_data())
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_other_agency_gets_404_for_everything_about_the_deadline(client, users, deadline):
    report = ProgressReportFactory(deadline=deadline, pending=True)
    evidence = EvidenceFile.objects.create(
        report=report,
        file=pdf(),
        original_name="a.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_at=report.submitted_at,
    )
    client.force_login(users["officer_c"])
    assert client.get(reverse("deadline-detail", args=[deadline.pk])).status_code == 404
    assert client.post(reverse("report-submit", args=[deadline.pk]), report_data()).status_code == 404
    assert client.post(reverse("contribution-add", args=[deadline.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("deadline-detail", args=[999999])).status_code == 404
    assert ProgressReport.objects.count() == 1 and not Contribution.objects.exists()


def test_officer_list_holds_only_their_agency_deadlines(client, users, deadline, agencies):
    foreign = TaskFactory(lead_agency=agencies["c"], title="Nhiệm vụ của đơn vị khác")
    foreign.deadlines.create(
        responsible_agency_id=foreign.lead_agency_id,
        due_on=foreign.due_on,
        period_start=foreign.due_on,
        period_label="Thời hạn",
    )
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-list")).content.decode()
    assert deadline.task.title in html and foreign.title not in html
    # A user cannot widen the list by asking for another agency.
    html = client.get(reverse("deadline-list"), {"agency": agencies["c"].pk}).content.decode()
    assert foreign.title not in html
    client.force_login(users["officer_b"])
    cooperating = client.get(reverse("deadline-list"), {"relation": "cooperate"}).content.decode()
    assert deadline.task.title in cooperating
    leading = client.get(reverse("deadline-list")).content.decode()
    assert deadline.task.title not in leading


# Reports.


def test_lead_officer_submits_a_report_with_evidence(client, users, deadline):
    client.force_login(users["officer_a"])
    response = client.post(
        reverse("report-submit", args=[deadline.pk]), report_data(evidence=[pdf("a.pdf"), pdf("b.pdf")])
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.state, report.percent, report.submitted_by) == ("in_progress", 50, users["officer_a"])
    assert report.review_state == ProgressReport.ReviewState.SUBMITTED
    assert sorted(report.evidence.values_list("original_name", flat=True)) == ["a.pdf", "b.pdf"]
    html = client.get(response.url).content.decode()
    assert "Đã gửi báo cáo" in html and "a.pdf" in html
    # Submitted is not done: only an accepted report completes a deadline.
    assert status_of(deadline) != DeadlineStatus.DONE_ON_TIME


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (report_data(percent="150"), "Tỷ lệ hoàn thành phải từ 0 đến 100%."),
        (report_data(percent="-1"), "Tỷ lệ hoàn thành phải từ 0 đến 100%."),
        (report_data(state="done", percent="100", narrative="  "), "cần nêu kết quả thực hiện"),
        (report_data(state="xong"), "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_report_is_refused_with_a_message_and_nothing_saved(client, users, deadline, data, message):
    client.force_login(users["officer_a"])
    response = client.post(reverse("report-submit", args=[deadline.pk]), {**data, "evidence": [pdf()]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists() and not EvidenceFile.objects.exists()


def test_no_report_on_a_deadline_already_accepted_as_done(client, users, deadline):
    ProgressReportFactory(deadline=deadline)
    client.force_login(users["officer_a"])
    assert (
        'id="report-form"' not in client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    )
    response = client.post(reverse("report-submit", args=[deadline.pk]), report_data(evidence=[pdf()]))
    assert response.status_code == 400
    assert "đã có báo cáo hoàn thành được xác nhận" in response.content.decode()
    assert ProgressReport.objects.count() == 1 and not EvidenceFile.objects.exists()


def test_cooperating_agency_contribution_is_shown_to_the_lead(client, users, deadline):
    client.force_login(users["officer_b"])
    response = client.post(
        reverse("contribution-add", args=[deadline.pk]), {"text": "Đã cung cấp số liệu.", "evidence": [pdf()]}
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.agency.code == "agency-b" and contribution.evidence.count() == 1
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert "Đã cung cấp số liệu." in html
    evidence = contribution.evidence.get()
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 200
    # The lead agency reports; it does not contribute to its own task.
    assert client.post(reverse("contribution-add", args=[deadline.pk]), {"text": "x"}).status_code == 403


# Review.


def test_only_coordinators_reach_the_review_queue_and_review(client, users, deadline):
    report = ProgressReportFactory(deadline=deadline, pending=True)
    for name in ["officer_a", "officer_b", "leader"]:
        client.force_login(users[name])
        assert client.get(reverse("review-queue")).status_code == 403
        response = client.post(reverse("report-review", args=[report.pk]), {"decision": "accept"})
        assert response.status_code == 403
    report.refresh_from_db()
    assert report.review_state == ProgressReport.ReviewState.SUBMITTED
    client.force_login(users["coordinator"])
    html = client.get(reverse("review-queue")).content.decode()
    assert deadline.task.title in html


def test_accepting_a_done_report_completes_the_deadline_on_its_submission_date(
    client, users, deadline, today
):
    submitted = today - datetime.timedelta(days=3)
    report = ProgressReportFactory(
        deadline=deadline,
        state="done",
        percent=100,
        review_state="submitted",
        submitted_at=local_datetime(submitted),
    )
    assert status_of(deadline) != DeadlineStatus.DONE_ON_TIME
    client.force_login(users["coordinator"])
    response = client.post(reverse("report-review", args=[report.pk]), {"decision": "accept"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == "accepted" and report.reviewed_by == users["coordinator"]
    row = deadline_list_with_status(dates=status_dates_get()).get(pk=deadline.pk)
    assert row.status == DeadlineStatus.DONE_ON_TIME and row.completed_on == submitted


def test_returning_needs_a_comment_and_tells_the_agency(
    client, users, deadline, django_capture_on_commit_callbacks, mailoutbox
):
    officer = users["officer_a"]
    officer.email = "canbo.a@dienbien.gov.vn"
    officer.save()
    report = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=officer)
    heard = []

    def listener(sender, report_id, **kwargs):
        heard.append(report_id)

    report_returned.connect(listener)
    try:
        client.force_login(users["coordinator"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("report-review", args=[report.pk]), {"decision": "return"}, follow=True
            )
        assert "hãy nêu nội dung cần bổ sung" in response.content.decode()
        report.refresh_from_db()
        assert report.review_state == "submitted" and heard == [] and mailoutbox == []
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("report-review", args=[report.pk]),
                {"decision": "return", "comment": "Thiếu số liệu."},
            )
    finally:
        report_returned.disconnect(listener)
    report.refresh_from_db()
    assert report.review_state == "returned" and report.review_comment == "Thiếu số liệu."
    assert heard == [report.pk]
    # No broker in the test settings: the notice is sent directly, once the return commits.
    [notice] = mailoutbox
    assert notice.to == ["canbo.a@dienbien.gov.vn"]
    assert notice.subject.startswith("[Trả lại báo cáo] ĐV A") and "Thiếu số liệu." in notice.body
    client.force_login(officer)
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert "Thiếu số liệu." in html


def test_a_reviewed_report_cannot_be_reviewed_again(client, users, deadline):
    report = ProgressReportFactory(deadline=deadline, pending=True, review_state="returned")
    client.force_login(users["coordinator"])
    response = client.post(reverse("report-review", args=[report.pk]), {"decision": "accept"}, follow=True)
    assert "đã được xử lý" in response.content.decode()
    report.refresh_from_db()
    assert report.review_state == "returned"


def test_leader_reads_the_overview_and_changes_nothing(client, users, deadline):
    client.force_login(users["leader"])
    assert client.get(reverse("province-overview")).status_code == 200
    assert client.get(reverse("deadline-detail", args=[deadline.pk])).status_code == 200
    assert client.post(reverse("report-submit", args=[deadline.pk]), report_data()).status_code == 403
    assert client.post(reverse("contribution-add", args=[deadline.pk]), {"text": "x"}).status_code == 403
    assert not ProgressReport.objects.exists() and not Contribution.objects.exists()


def test_officer_cannot_open_the_province_overview(client, users):
    client.force_login(users["officer_a"])
    assert client.get(reverse("province-overview")).status_code == 403


# Dashboards.


def test_agency_dashboard_counts_by_status_and_links_each_number(client, users, agencies, today):
    overdue = TaskFactory(lead_agency=agencies["a"], due_on=today - datetime.timedelta(days=5))
    done = TaskFactory(lead_agency=agencies["a"], due_on=today - datetime.timedelta(days=20))
    cooperating = TaskFactory(lead_agency=agencies["c"], due_on=today + datetime.timedelta(days=5))
    cooperating.cooperating_agencies.add(agencies["a"])
    for task in (overdue, done, cooperating):
        task.deadlines.create(
            responsible_agency_id=task.lead_agency_id,
            due_on=task.due_on,
            period_start=today - datetime.timedelta(days=60),
            period_label="Thời hạn",
        )
    ProgressReportFactory(deadline=done.deadlines.get())
    client.force_login(users["officer_a"])
    response = client.get(reverse("agency-dashboard"))
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert dashboard.counts[DeadlineStatus.OVERDUE] == 1
    assert dashboard.counts[DeadlineStatus.DONE_ON_TIME] == 1
    assert dashboard.total == 2  # the cooperating task is counted apart
    assert (
        dashboard.cooperating_counts[DeadlineStatus.DUE_SOON]
        + dashboard.cooperating_counts[DeadlineStatus.NOT_YET_DUE]
        == 1
    )
    assert overdue.title in html and f"quá {(today - overdue.deadlines.get().ends_on).days} ngày" in html
    # Each figure links to the deadlines it counts (those whose period has begun).
    assert f'href="{reverse("deadline-list")}?status=overdue&amp;window=started"' in html
    assert (
        f'href="{reverse("deadline-list")}?relation=cooperate&amp;status=overdue&amp;window=started"' in html
    )
    listed = client.get(reverse("deadline-list"), {"status": "overdue", "window": "started"})
    assert listed.context["page"].paginator.count == dashboard.counts[DeadlineStatus.OVERDUE]
    assert overdue.title in listed.content.decode() and done.title not in listed.content.decode()


def test_dashboard_filters_by_plan_and_period_and_reports_a_bad_value(client, users, agencies, today):
    this_year = TaskFactory(lead_agency=agencies["a"], due_on=today + datetime.timedelta(days=40))
    this_year.deadlines.create(
        responsible_agency_id=this_year.lead_agency_id,
        due_on=this_year.due_on,
        period_start=today,
        period_label="Thời hạn",
    )
    client.force_login(users["officer_a"])
    response = client.get(reverse("agency-dashboard"), {"period": this_year.due_on.year - 5})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()  # a year with no deadline
    assert response.context["dashboard"].total == 1  # the bad filter is left off
    due = this_year.due_on
    month = next(
        period for period in ReportPeriod.all_in_year(due.year)[7:] if period.start <= due <= period.end
    )
    response = client.get(reverse("agency-dashboard"), {"plan": this_year.plan_id, "period": month.code})
    assert response.context["dashboard"].total == 1
    html = response.content.decode()
    assert f"{month.label}: các hạn trong kỳ" in html
    other_plan = TaskFactory(lead_agency=agencies["a"]).plan
    response = client.get(reverse("agency-dashboard"), {"plan": other_plan.pk})
    assert response.context["dashboard"].total == 0


def test_province_overview_shows_agencies_areas_and_the_overdue_share(client, users, agencies, today):
    for agency, days in [("a", -30), ("a", 20), ("b", -2), ("c", 20)]:
        task = TaskFactory(lead_agency=agencies[agency], due_on=today + datetime.timedelta(days=days))
        task.deadlines.create(
            responsible_agency_id=task.lead_agency_id,
            due_on=task.due_on,
            period_start=today - datetime.timedelta(days=60),
            period_label="x",
        )
    client.force_login(users["coordinator"])
    response = client.get(reverse("province-overview"))
    overview = response.context["overview"]
    assert overview.counts[DeadlineStatus.OVERDUE] == 2 and overview.total == 4
    assert overview.overdue_share == 0.5
    assert "50,0%" in response.content.decode()
    by_agency = {group.label: group.counts[DeadlineStatus.OVERDUE] for group in overview.agencies}
    assert by_agency == {"ĐV A": 1, "ĐV B": 1, "ĐV C": 0}
    assert [d.task.lead_agency.short_name for d in overview.longest_overdue] == ["ĐV A", "ĐV B"]
    assert "<svg" in response.content.decode()
    filtered = client.get(reverse("province-overview"), {"agency": agencies["b"].pk}).context["overview"]
    assert filtered.total == 1


def test_password_change(client, users):
    client.force_login(users["officer_a"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Mat-khau-2026",
            "new_password1": "Doi-mat-khau-moi-9",
            "new_password2": "Doi-mat-khau-moi-9",
        },
    )
    assert response.status_code == 302
    users["officer_a"].refresh_from_db()
    assert users["officer_a"].check_password("Doi-mat-khau-moi-9")


def test_error_pages_speak_vietnamese(client, users, deadline):
    from django.test import Client

    client.force_login(users["officer_c"])
    assert (
        "Không tìm thấy trang" in client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    )
    client.force_login(users["leader"])
    forbidden = client.post(reverse("report-submit", args=[deadline.pk]), report_data())
    assert forbidden.status_code == 403 and "Không có quyền truy cập" in forbidden.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["officer_a"])
    refused = strict.post(reverse("report-submit", args=[deadline.pk]), report_data())
    assert refused.status_code == 403 and "Không gửi được biểu mẫu" in refused.content.decode()
    assert not ProgressReport.objects.exists()


def test_report_form_starts_from_the_last_report(client, users, deadline):
    ProgressReportFactory(deadline=deadline, pending=True, percent=40)
    client.force_login(users["officer_a"])
    form = client.get(reverse("deadline-detail", args=[deadline.pk])).context["report_form"]
    # The waiting report would be replaced: the form starts from it, text included.
    assert form.initial == {"state": "in_progress", "percent": 40, "narrative": "Đã hoàn thành."}
    assert "" not in dict(form.fields["state"].choices)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_review_never_redirects_off_the_portal(client, users, deadline, target):
    report = ProgressReportFactory(deadline=deadline, pending=True)
    client.force_login(users["coordinator"])
    response = client.post(reverse("report-review", args=[report.pk]), {"decision": "accept", "next": target})
    assert response.status_code == 302 and response.url == reverse("review-queue")
    same_site = client.post(
        reverse("report-review", args=[report.pk]), {"decision": "accept", "next": "/deadlines/1/"}
    )
    assert same_site.url == "/deadlines/1/"


def test_long_lists_are_paged_keeping_their_filters(client, users, agencies, today):
    task = TaskFactory(lead_agency=agencies["a"])
    for n in range(55):
        due = today - datetime.timedelta(days=n + 1)
        task.deadlines.create(
            responsible_agency_id=task.lead_agency_id, due_on=due, period_start=due, period_label=f"Kỳ {n}"
        )
    client.force_login(users["officer_a"])
    first = client.get(reverse("deadline-list"), {"status": "overdue"}).content.decode()
    assert "Trang 1/2" in first and 'href="?status=overdue&amp;page=2"' in first
    second = client.get(reverse("deadline-list"), {"status": "overdue", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_area_progress_names_the_plan_when_several_are_shown(today):
    for number in ["20/KH-UBND", "139/KH-UBND"]:
        task = TaskFactory(area__plan__number=number, area__number=1, area__title="Đối ngoại chính trị")
        Deadline.objects.create(
            task=task,
            responsible_agency_id=task.lead_agency_id,
            due_on=today,
            period_start=today,
            period_label="Kỳ",
        )
    dates = status_dates_get(today=today)
    rows = area_progress(deadline_list_with_status(dates=dates))
    assert [(row.label, row.detail) for row in rows] == [
        ("1. Đối ngoại chính trị", "Kế hoạch 139/KH-UBND"),
        ("1. Đối ngoại chính trị", "Kế hoạch 20/KH-UBND"),
    ]
    one_plan = area_progress(deadline_list_with_status(dates=dates).filter(task__plan__number="20/KH-UBND"))
    assert [(row.label, row.detail) for row in one_plan] == [("1. Đối ngoại chính trị", "")]


def test_the_progress_bars_name_their_counts(client, users, deadline):
    client.force_login(users["coordinator"])
    html = client.get("/overview/").content.decode()
    # The province's bar: an image named by its counts (also its tooltip), one rectangle
    # per status present (the grey track is its background).
    assert '<svg class="status-bar"' in html and 'role="img"' in html
    assert "<title>Toàn tỉnh – Chưa đến hạn: 1;</title>" in html
    bar = html[html.index("<title>Toàn tỉnh") : html.index("</svg>", html.index("<title>Toàn tỉnh"))]
    assert bar.count("<rect") == 1
    # A table row's bar repeats the counts written in its own row: hidden from screen
    # readers, without a title.
    table = html[html.index('id="agencies-heading"') :]
    row_bar = table[table.index('<svg class="status-bar"') : table.index("</svg>") + len("</svg>")]
    assert 'aria-hidden="true"' in row_bar and "<title>" not in row_bar and 'role="img"' not in row_bar
    assert row_bar.count("<rect") == 1
