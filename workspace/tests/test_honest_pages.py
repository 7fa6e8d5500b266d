"""Pages say what really happened and what they really show: a returned report tells
whether anyone can be emailed, a narrowed overview is not called the whole province's,
no share of zero is printed as an alarm, and coordinators are not offered an officer's
filter."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from plans.tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db


def return_report(client, report):
    return client.post(
        reverse("report-review", args=[report.pk]),
        {"decision": "return", "comment": "Bổ sung số liệu quý."},
        follow=True,
    )


def messages_of(response):
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_return_says_no_email_could_be_sent_when_the_agency_has_no_address(
    client, users, deadline, django_capture_on_commit_callbacks
):
    report = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=users["officer_a"])
    client.force_login(users["coordinator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = return_report(client, report)

    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert "chưa gửi được email: đơn vị chưa có địa chỉ" in text
    assert "sẽ nhận email" not in text
    assert mail.outbox == []
    report.refresh_from_db()
    assert report.review_state == "returned"


@pytest.mark.parametrize("who", ["agency", "submitter", "colleague"])
def test_return_says_the_agency_will_be_emailed_when_someone_can_be(
    client, users, agencies, deadline, who, django_capture_on_commit_callbacks
):
    if who == "agency":
        agencies["a"].reminder_emails = "vanthu@donvi-a.dienbien.example"
        agencies["a"].save()
    elif who == "submitter":
        users["officer_a"].email = "canbo.a@dienbien.example"
        users["officer_a"].save()
    else:
        users["officer_a"].agency.users.create(
            username="dongnghiep.a", email="dongnghiep.a@dienbien.example", is_active=True
        )
    report = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=users["officer_a"])
    client.force_login(users["coordinator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = return_report(client, report)

    [(level, text)] = messages_of(response)
    assert level == "success"
    assert "đơn vị sẽ nhận email thông báo" in text
    # And it was: the notice ran in-process (no broker in tests).
    assert len(mail.outbox) == 1


def test_overview_without_filters_is_the_province_and_narrowed_says_what_it_covers(
    client, users, agencies, deadline
):
    client.force_login(users["leader"])

    whole = client.get(reverse("province-overview")).content.decode()
    narrowed = client.get(reverse("province-overview"), {"agency": agencies["a"].pk}).content.decode()

    assert "<title>Tổng hợp toàn tỉnh" in whole and ">Tổng hợp toàn tỉnh</h1>" in whole
    assert "Đang lọc" not in whole
    assert "Tổng hợp toàn tỉnh" not in narrowed
    assert "<title>Tổng hợp theo bộ lọc" in narrowed
    assert "Đang lọc: Cơ quan chủ trì: <strong>ĐV A</strong>." in narrowed


def test_a_share_of_zero_is_not_printed_as_an_alarm(client, users, deadline, today):
    client.force_login(users["leader"])
    # The only deadline has begun and is not overdue: 0 % overdue.
    deadline.period_start = today - datetime.timedelta(days=30)
    deadline.save()
    calm = client.get(reverse("province-overview")).content.decode()
    assert '<div class="headline-figure text-body" id="overdue-share">0,0%</div>' in calm

    deadline.due_on = deadline.ends_on = today - datetime.timedelta(days=20)
    deadline.save()
    alarm = client.get(reverse("province-overview")).content.decode()
    assert '<div class="headline-figure text-danger" id="overdue-share">100,0%</div>' in alarm


def test_the_agency_role_filter_is_an_officers_only(client, users):
    client.force_login(users["coordinator"])
    coordinator_page = client.get(reverse("deadline-list"))
    client.force_login(users["officer_a"])
    officer_page = client.get(reverse("deadline-list"))

    assert "relation" not in coordinator_page.context["form"].fields
    assert "Vai trò của đơn vị" not in coordinator_page.content.decode()
    assert "Cơ quan chủ trì" in coordinator_page.content.decode()
    assert "Vai trò của đơn vị" in officer_page.content.decode()
