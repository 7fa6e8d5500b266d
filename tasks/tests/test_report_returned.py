"""A returned report emails the lead agency (receiver of plans.signals.report_returned)."""

import pytest
from django.core import mail
from django.utils import timezone

from plans.models import ProgressReport
from plans.signals import report_returned
from plans.tests.factories import ProgressReportFactory
from tasks.tests.conftest import deadline_make

pytestmark = pytest.mark.django_db


def test_returned_report_emails_submitter_agency_addresses_and_agency_users(
    plan, agency, django_user_model, coordinator_agency
):
    submitter = django_user_model.objects.create_user(
        "canbo", email="canbo@stttt.dienbien.gov.vn", agency=agency
    )
    django_user_model.objects.create_user("pho", email="pho@stttt.dienbien.gov.vn", agency=agency)
    django_user_model.objects.create_user(
        "nghi", email="nghi@stttt.dienbien.gov.vn", agency=agency, is_active=False
    )
    django_user_model.objects.create_user(
        "khac", email="khac@songoaivu.dienbien.gov.vn", agency=coordinator_agency
    )
    reviewer = django_user_model.objects.create_user(
        "ngoaivu", first_name="Lê Thị Hoa", agency=coordinator_agency
    )
    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=timezone.localdate(), label="Năm 2020")
    deadline.task.code = "5.1"
    deadline.task.save()
    report = ProgressReportFactory(
        deadline=deadline,
        pending=True,
        submitted_by=submitter,
        review_state=ProgressReport.ReviewState.RETURNED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        review_comment="Đề nghị bổ sung danh sách đoàn ra & kết quả <cụ thể>.",
    )

    report_returned.send(sender=ProgressReport, report_id=report.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Trả lại báo cáo] Sở TT&TT – 5.1 – Năm 2020"
    assert message.to == [
        "canbo@stttt.dienbien.gov.vn",
        "vanthu@stttt.dienbien.gov.vn",
        "pho@stttt.dienbien.gov.vn",
    ]
    url = f"http://127.0.0.1:8000/deadlines/{deadline.pk}/"
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert url in body and deadline.task.title in body and "Năm 2020" in body
        assert timezone.localdate().strftime("%d/%m/%Y") in body
    assert "Đề nghị bổ sung danh sách đoàn ra & kết quả <cụ thể>." in message.body
    assert "Đề nghị bổ sung danh sách đoàn ra &amp; kết quả &lt;cụ thể&gt;." in html
    assert "Lê Thị Hoa" in message.body
