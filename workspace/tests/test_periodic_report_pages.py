"""The periodic report's pages: coordinators list, draft, edit, preview, issue and
download; leaders read issued reports only; officers get 404 everywhere."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from documents import services
from documents.models import PeriodicReport
from documents.report_docx import CONTENT_TYPE
from plans.models import Deadline
from plans.tests.factories import (
    AgencyFactory,
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
)

D = datetime.date


@pytest.fixture
def plan(today):
    """A plan with one area and one task due in this quarter's period, not yet done."""
    coordinating = AgencyFactory(code="so-ngoai-vu-tt", name="Sở Ngoại vụ (thử)", short_name="SNgV")
    plan = PlanFactory(number="139/KH-UBND", coordinating_agency=coordinating)
    area = ContentAreaFactory(plan=plan, number=1, title="Thông tin đối ngoại")
    task = TaskFactory(
        area=area, code="1.1", title="Cập nhật chuyên trang", lead_agency=AgencyFactory(), due_on=today
    )
    Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=today,
        period_start=today,
        period_label=f"Thời hạn {today:%d/%m/%Y}",
    )
    return plan


@pytest.fixture(autouse=True)
def signer(settings):
    settings.REPORT_SIGNER_NAME = "Nguyễn Văn A"


def period_code(today):
    from plans.periods import ReportPeriod

    return ReportPeriod.quarter_containing(today).code


def draft(client, plan, today):
    return client.post(reverse("periodic-report-create"), {"plan": plan.pk, "period": period_code(today)})


@pytest.mark.django_db
def test_coordinator_drafts_edits_previews_issues_and_downloads(client, users, plan, today):
    client.force_login(users["coordinator"])
    page = client.get(reverse("periodic-report-list")).content.decode()
    assert "Lập dự thảo báo cáo" in page and "Chưa có báo cáo định kỳ nào." in page

    response = draft(client, plan, today)
    report = PeriodicReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "periodic-report-edit", args=[report.pk]
    )

    edit = client.get(reverse("periodic-report-edit", args=[report.pk])).content.decode()
    assert "1. Thông tin đối ngoại" in edit and "II. Tồn tại, hạn chế và nguyên nhân" in edit
    response = client.post(
        reverse("periodic-report-edit", args=[report.pk]),
        {
            "area_1": "Đã cập nhật chuyên trang thông tin đối ngoại.",
            "shortcomings": "Một số đơn vị báo cáo chậm.",
            "proposals": "Đề nghị bố trí kinh phí.",
            "signer_authority": "KT.",
            "signer_authority_of": "GIÁM ĐỐC",
            "signer_title": "PHÓ GIÁM ĐỐC",
            "signer_name": "Lò Văn B",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.area_summaries == {"1": "Đã cập nhật chuyên trang thông tin đối ngoại."}
    assert report.signer_name == "Lò Văn B"

    preview = client.get(reverse("periodic-report-detail", args=[report.pk])).content.decode()
    for text in [
        "Đã cập nhật chuyên trang thông tin đối ngoại.",
        "Một số đơn vị báo cáo chậm.",
        "Đề nghị bố trí kinh phí.",
        "KT. GIÁM ĐỐC",
        "Lò Văn B",
        "I. KẾT QUẢ THỰC HIỆN",
        "Trong kỳ có 1 hạn thực hiện nhiệm vụ",
        "Tỷ lệ chưa hoàn thành, quá hạn: 0,0% (0 trên 1 hạn).",
        'id="agency-table"',
        "Ban hành báo cáo",
    ]:
        assert text in preview, text

    response = client.post(
        reverse("periodic-report-issue", args=[report.pk]),
        {"number": "15/BC-SNgV", "issued_on": today.isoformat()},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.number, report.issued_on) == ("issued", "15/BC-SNgV", today)

    response = client.get(reverse("periodic-report-download", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == CONTENT_TYPE
    assert (
        response["Content-Disposition"] == f'attachment; filename="BC-139-KH-UBND-{period_code(today)}.docx"'
    )
    document = Document(io.BytesIO(response.content))
    left, right = document.tables[0].rows[0].cells
    assert "Số: 15/BC-SNgV" in [p.text for p in left.paragraphs]
    assert [p.text for p in document.tables[-2].rows[0].cells[1].paragraphs] == [
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Lò Văn B",
    ]
    # Issued: no edit link, no issue form, and the edit page sends back with a message.
    preview = client.get(reverse("periodic-report-detail", args=[report.pk])).content.decode()
    assert "Sửa dự thảo" not in preview and "Ban hành báo cáo" not in preview
    response = client.get(reverse("periodic-report-edit", args=[report.pk]), follow=True)
    assert "đã ban hành nên không sửa được nữa" in response.content.decode()


@pytest.mark.django_db
def test_a_draft_downloads_with_a_blank_number_and_date(client, users, plan, today):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    report = PeriodicReport.objects.get()
    document = Document(io.BytesIO(client.get(reverse("periodic-report-download", args=[report.pk])).content))
    left, right = document.tables[0].rows[0].cells
    assert "Số:      /BC" in [p.text for p in left.paragraphs]
    assert right.paragraphs[-1].text == f"Điện Biên, ngày      tháng      năm {today.year}"


@pytest.mark.django_db
def test_bad_issue_is_refused_in_vietnamese_and_changes_nothing(client, users, plan, today):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    report = PeriodicReport.objects.get()
    url = reverse("periodic-report-issue", args=[report.pk])
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    for data, message in [
        ({"number": "", "issued_on": today.isoformat()}, "Chưa ban hành được"),
        ({"number": "15/BC-SNgV", "issued_on": "31/02/2026"}, "Chưa ban hành được"),
        ({"number": "15/BC-SNgV", "issued_on": tomorrow}, "Ngày ban hành không được sau hôm nay."),
    ]:
        page = client.post(url, data, follow=True).content.decode()
        assert message in page
    report.refresh_from_db()
    assert report.state == "draft" and report.number == ""


@pytest.mark.django_db
def test_a_second_draft_of_the_same_period_is_refused_then_after_issue_is_a_new_version(
    client, users, plan, today
):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    page = draft(client, plan, today)
    page = client.get(reverse("periodic-report-list")).content.decode()
    assert "hãy sửa dự thảo đó" in page
    first = PeriodicReport.objects.get()
    services.periodic_report_issue(user=users["coordinator"], report=first, number="1/BC", issued_on=today)
    draft(client, plan, today)
    assert list(PeriodicReport.objects.order_by("version").values_list("version", "state")) == [
        (1, "issued"),
        (2, "draft"),
    ]


@pytest.mark.django_db
def test_leader_reads_issued_reports_only(client, users, plan, today):
    coordinator = users["coordinator"]
    client.force_login(coordinator)
    draft(client, plan, today)
    issued = PeriodicReport.objects.get()
    services.periodic_report_issue(user=coordinator, report=issued, number="1/BC", issued_on=today)
    draft(client, plan, today)
    pending = PeriodicReport.objects.get(state="draft")

    client.force_login(users["leader"])
    page = client.get(reverse("periodic-report-list")).content.decode()
    assert reverse("periodic-report-detail", args=[issued.pk]) in page
    assert reverse("periodic-report-detail", args=[pending.pk]) not in page
    assert "Lập dự thảo báo cáo" not in page
    preview = client.get(reverse("periodic-report-detail", args=[issued.pk])).content.decode()
    assert "Sửa dự thảo" not in preview and "Ban hành báo cáo" not in preview
    assert client.get(reverse("periodic-report-download", args=[issued.pk])).status_code == 200
    assert client.get(reverse("periodic-report-detail", args=[pending.pk])).status_code == 404
    assert client.get(reverse("periodic-report-download", args=[pending.pk])).status_code == 404
    # Leaders change nothing.
    assert draft(client, plan, today).status_code == 403
    assert client.get(reverse("periodic-report-edit", args=[pending.pk])).status_code == 403
    response = client.post(
        reverse("periodic-report-issue", args=[pending.pk]),
        {"number": "2/BC", "issued_on": today.isoformat()},
    )
    assert response.status_code == 403
    assert PeriodicReport.objects.filter(state="draft").count() == 1


@pytest.mark.django_db
def test_officers_get_404_everywhere(client, users, plan, today):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    report = PeriodicReport.objects.get()
    client.force_login(users["officer_a"])
    for name, args in [
        ("periodic-report-list", []),
        ("periodic-report-detail", [report.pk]),
        ("periodic-report-edit", [report.pk]),
        ("periodic-report-download", [report.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert draft(client, plan, today).status_code == 404
    assert (
        client.post(reverse("periodic-report-issue", args=[report.pk]), {"number": "1/BC"}).status_code == 404
    )
    assert PeriodicReport.objects.count() == 1


@pytest.mark.django_db
def test_the_overview_leads_to_the_reports(client, users, plan):
    for role in ("coordinator", "leader"):
        client.force_login(users[role])
        html = client.get(reverse("province-overview")).content.decode()
        assert f'href="{reverse("periodic-report-list")}">Báo cáo định kỳ</a>' in html, role


@pytest.mark.django_db
def test_the_admin_reads_the_report_and_its_history(client, users, plan, today, admin_user):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    report = PeriodicReport.objects.get()
    data = {
        "area_1": "Kết quả.",
        "proposals": "Đề xuất mới.",
        "signer_title": "GIÁM ĐỐC",
        "signer_authority": "",
    }
    assert client.post(reverse("periodic-report-edit", args=[report.pk]), data).status_code == 302
    assert report.history.count() == 2
    client.force_login(admin_user)
    history = client.get(reverse("admin:documents_periodicreport_history", args=[report.pk]))
    assert history.status_code == 200
    assert history.content.decode().count("ngoaivu") >= 2  # created, then changed, by the coordinator
    assert client.get(reverse("admin:documents_periodicreport_changelist")).status_code == 200
    assert client.get(reverse("admin:documents_periodicreport_add")).status_code == 403
    change = client.get(reverse("admin:documents_periodicreport_change", args=[report.pk]))
    assert change.status_code == 200 and 'name="proposals"' not in change.content.decode()


@pytest.mark.django_db
def test_coordinator_takes_a_drafts_figures_again(client, users, plan, today):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    report = PeriodicReport.objects.get()
    deadline = plan.tasks.get().deadlines.get()
    ProgressReportFactory(deadline=deadline)
    page = client.post(reverse("periodic-report-refresh", args=[report.pk]), follow=True).content.decode()
    assert "Đã lấy lại số liệu" in page
    report.refresh_from_db()
    assert report.figures["counts"]["done_on_time"] == 1
    client.force_login(users["leader"])
    assert client.post(reverse("periodic-report-refresh", args=[report.pk])).status_code == 403


@pytest.mark.django_db
def test_the_report_pages_run_a_constant_number_of_queries(
    client, users, plan, today, django_assert_max_num_queries
):
    client.force_login(users["coordinator"])
    draft(client, plan, today)
    report = PeriodicReport.objects.get()
    for name in (
        "periodic-report-list",
        "periodic-report-detail",
        "periodic-report-download",
        "periodic-report-edit",
    ):
        args = [] if name == "periodic-report-list" else [report.pk]
        # At most 8 for the page, and 3 for the menu's badges (counted once per data change).
        with django_assert_max_num_queries(8 + 3):
            assert client.get(reverse(name, args=args)).status_code == 200, name
