"""The pages' Vietnamese: no machine-made phrases (a deadline's date said twice, "bởi",
"hạn quá hạn", task deadlines called "hạn báo cáo")."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from plans.models import Deadline, ProgressReport
from plans.tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_off(deadline):
    """The fixture's deadline as generation labels a one-off one."""
    deadline.period_label = f"Thời hạn {deadline.due_on:%d/%m/%Y}"
    deadline.save()
    return deadline


def test_a_one_off_deadline_shows_its_date_once(client, users, one_off):
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-detail", args=[one_off.pk])).content.decode()
    assert "Thời hạn " + one_off.due_on.strftime("%d/%m/%Y") not in html
    assert '<dt class="col-5">Kỳ</dt>' not in html
    assert f'id="deadline-due">{one_off.due_on:%d/%m/%Y}' in html
    listing = client.get(reverse("deadline-list")).content.decode()
    assert one_off.task.title[:40] in listing and "Thời hạn " not in listing
    assert "1 hạn nhiệm vụ" in listing
    export = load_workbook(io.BytesIO(client.get(reverse("deadline-list-export")).content)).worksheets[0]
    header, row = list(export.iter_rows(values_only=True))[:2]
    assert dict(zip(header, row, strict=True))["Kỳ"] in ("", None)


def test_a_recurring_deadline_keeps_its_cycle(client, users, task):
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency=task.lead_agency,
        due_on=task.due_on,
        period_start=task.due_on.replace(day=1),
        period_label="Quý IV/2026",
    )
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert '<dt class="col-5">Kỳ</dt><dd class="col-7">Quý IV/2026</dd>' in html


def test_the_calendar_feed_does_not_call_a_date_a_period(client, users, one_off):
    client.force_login(users["officer_a"])
    client.post(reverse("agency-calendar"))
    agency = users["officer_a"].agency
    agency.refresh_from_db()
    feed = client.get(reverse("agency-calendar-feed", args=[agency.calendar_token]))
    event = Calendar.from_ical(feed.content).walk("VEVENT")[0]
    description = str(event["description"])
    assert "Kỳ:" not in description
    assert f"Hạn: {one_off.due_on:%d/%m/%Y}" in description


def test_who_sent_and_who_returned_read_as_vietnamese(client, users, one_off):
    ProgressReportFactory(deadline=one_off, pending=True, submitted_by=users["officer_a"])
    client.force_login(users["coordinator"])
    queue = client.get(reverse("review-queue")).content.decode()
    assert " bởi " not in queue
    assert "canbo.a gửi lúc " in queue

    report = ProgressReport.objects.get()
    report.review_state = ProgressReport.ReviewState.RETURNED
    report.review_comment = "Thiếu số liệu."
    report.reviewed_by = users["coordinator"]
    report.reviewed_at = timezone.now()
    report.save()
    client.force_login(users["officer_a"])
    dashboard = client.get(reverse("agency-dashboard")).content.decode()
    assert " bởi " not in dashboard
    assert f"ngoaivu trả lại ngày {timezone.localdate():%d/%m/%Y}" in dashboard


def test_counts_name_what_they_count(client, users, deadline, today):
    deadline.due_on = deadline.ends_on = today - datetime.timedelta(days=3)
    deadline.period_start = today.replace(month=1, day=1)
    deadline.save()
    client.force_login(users["officer_a"])
    dashboard = client.get(reverse("agency-dashboard")).content.decode()
    assert "(tổng số 1 hạn thực hiện)" in dashboard
    assert "(1 hạn)" not in dashboard
    assert "Hạn nhiệm vụ</a>" in dashboard and "Hạn báo cáo" not in dashboard
    client.force_login(users["coordinator"])
    overview = client.get(reverse("province-overview")).content.decode()
    assert "trong tổng số 1 hạn được tính đã quá hạn mà chưa hoàn thành" in overview
    assert "hạn quá hạn" not in overview


def test_the_deadline_list_is_called_a_list_of_task_deadlines(client, users, deadline):
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-list")).content.decode()
    assert "<title>Danh sách hạn nhiệm vụ" in html
    assert "hạn báo cáo" not in html.lower()
