"""Excel exports of the deadline list and of the province overview's agency table, read
back with openpyxl: what the file holds is what the page shows the same user."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Deadline, DeadlineStatus, ProgressReport
from plans.selectors import STATUS_ORDER
from plans.tests.factories import (
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    populate,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "STT",
    "Kế hoạch",
    "Nội dung",
    "Mã nhiệm vụ",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Kỳ",
    "Hạn",
    "Hết hạn",
    "Tình trạng",
    "Ngày hoàn thành",
    "Báo cáo gần nhất",
]


def deadline_of(agency, due_on, *, plan=None, cooperating=(), label="Năm 2026"):
    kwargs = {"area": ContentAreaFactory(plan=plan), "plan": plan} if plan else {}
    task = TaskFactory(lead_agency=agency, due_on=due_on, **kwargs)
    task.cooperating_agencies.add(*cooperating)
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due_on,
        period_start=due_on - datetime.timedelta(days=90),
        period_label=label,
    )


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def data_rows(wb):
    """The main sheet's rows after the header, as dicts by header."""
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def filter_lines(wb):
    return [row[0] for row in wb["Điều kiện lọc"].iter_rows(values_only=True) if row and row[0]]


def test_deadline_export_holds_real_dates_status_labels_and_reports(client, users, agencies, today):
    overdue = deadline_of(agencies["a"], today - datetime.timedelta(days=5), cooperating=[agencies["b"]])
    done = deadline_of(agencies["c"], today - datetime.timedelta(days=20), label="Quý III/2026")
    ProgressReportFactory(deadline=done)  # accepted "hoàn thành", submitted on the due date
    ProgressReportFactory(deadline=overdue, pending=True)
    client.force_login(users["coordinator"])

    response = client.get(reverse("deadline-list-export"))
    assert response["Content-Disposition"] == f'attachment; filename="han-nhiem-vu-{today:%Y-%m-%d}.xlsx"'
    wb = workbook(response)
    ws = wb.worksheets[0]
    assert [cell.value for cell in ws[1]] == HEADERS
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M3"
    assert ws.column_dimensions["E"].width == 60

    rows = data_rows(wb)
    assert [row["STT"] for row in rows] == [1, 2]
    first, second = rows  # ordered by due date, as the list is
    assert first["Mã nhiệm vụ"] == done.task.code and first["Nhiệm vụ"] == done.task.title
    assert first["Kế hoạch"] == done.task.plan.number
    assert first["Nội dung"] == f"{done.task.area.number}. {done.task.area.title}"
    assert first["Kỳ"] == "Quý III/2026"
    assert first["Tình trạng"] == "Đã hoàn thành đúng hạn"
    assert first["Ngày hoàn thành"].date() == done.due_on
    assert first["Báo cáo gần nhất"] == "Hoàn thành – Đã xác nhận"
    # The marker beside the status: a report waits for review.
    assert second["Tình trạng"] == "Chưa hoàn thành, quá hạn (chờ xác nhận)"
    assert second["Cơ quan chủ trì"] == "ĐV A" and second["Cơ quan phối hợp"] == "ĐV B"
    assert second["Ngày hoàn thành"] is None
    assert second["Báo cáo gần nhất"] == "Đang thực hiện – Chờ xác nhận"

    due_cell = ws["I3"]
    assert isinstance(due_cell.value, datetime.datetime) and due_cell.value.date() == overdue.due_on
    assert due_cell.is_date and due_cell.number_format == "DD/MM/YYYY"
    assert ws["J3"].value.date() == overdue.ends_on
    assert ws["L2"].is_date and ws["L2"].number_format == "DD/MM/YYYY"

    lines = filter_lines(wb)
    assert lines[0] == "Điều kiện lọc" and lines[1] == "Không lọc"
    assert any(line.startswith("Thời điểm xuất: ") for line in lines)
    assert "Số dòng: 2" in lines


def test_officer_exports_only_their_agency_deadlines(client, users, agencies, today):
    led = deadline_of(agencies["a"], today + datetime.timedelta(days=3))
    cooperated = deadline_of(agencies["c"], today + datetime.timedelta(days=4), cooperating=[agencies["a"]])
    other = deadline_of(agencies["c"], today + datetime.timedelta(days=5))
    client.force_login(users["officer_a"])

    wb = workbook(client.get(reverse("deadline-list-export")))
    codes = [row["Mã nhiệm vụ"] for row in data_rows(wb)]
    assert codes == [led.task.code]  # an officer's list is what their agency leads, by default
    assert filter_lines(wb)[1:3] == ["Đơn vị: ĐV A", "Vai trò của đơn vị: Chủ trì"]

    wb = workbook(client.get(reverse("deadline-list-export"), {"relation": "cooperate"}))
    assert [row["Mã nhiệm vụ"] for row in data_rows(wb)] == [cooperated.task.code]
    assert "Vai trò của đơn vị: Phối hợp" in filter_lines(wb)
    # Another agency's deadline never shows, not even when asked for by its agency.
    wb = workbook(client.get(reverse("deadline-list-export"), {"agency": agencies["c"].pk}))
    assert other.task.code not in [row["Mã nhiệm vụ"] for row in data_rows(wb)]


def test_export_applies_the_list_filters_and_names_them(client, users, agencies, today):
    plan = PlanFactory(number="9/KH-UBND")  # outside the factory sequence (100/… on)
    overdue = deadline_of(agencies["a"], today - datetime.timedelta(days=2), plan=plan)
    deadline_of(agencies["a"], today + datetime.timedelta(days=40), plan=plan)  # in time
    deadline_of(agencies["b"], today - datetime.timedelta(days=2))  # overdue, another plan
    client.force_login(users["coordinator"])
    query = {"plan": plan.pk, "status": "overdue", "year": "bad"}

    page = client.get(reverse("deadline-list"), query)
    wb = workbook(client.get(reverse("deadline-list-export"), query))
    rows = data_rows(wb)
    assert [row["Mã nhiệm vụ"] for row in rows] == [overdue.task.code]
    assert len(rows) == page.context["page"].paginator.count
    assert {row["Tình trạng"] for row in rows} == {"Chưa hoàn thành, quá hạn (chưa có báo cáo)"}
    # The refused year is left off, as the page leaves it off.
    assert filter_lines(wb)[1:3] == ["Kế hoạch: 9/KH-UBND", "Tình trạng: Chưa hoàn thành, quá hạn"]

    wb = workbook(client.get(reverse("deadline-list-export"), {"agency": agencies["b"].pk}))
    # The agency's role is an officer's filter; a coordinator's list names the lead agency.
    assert filter_lines(wb)[1] == "Cơ quan chủ trì: ĐV B"
    assert not any(line.startswith("Vai trò của đơn vị") for line in filter_lines(wb))


def test_list_page_offers_the_export_with_its_filters(client, users, agencies):
    client.force_login(users["coordinator"])
    html = client.get(reverse("deadline-list"), {"status": "overdue", "page": "2"}).content.decode()
    assert f'href="{reverse("deadline-list-export")}?status=overdue"' in html
    assert "Xuất Excel" in html


def test_overview_export_totals_equal_the_page(client, users, agencies, today):
    for agency, days in [("a", -30), ("a", 20), ("a", 400), ("b", -2), ("c", 20)]:
        deadline_of(agencies[agency], today + datetime.timedelta(days=days))
    done = deadline_of(agencies["c"], today - datetime.timedelta(days=10))
    ProgressReportFactory(deadline=done)
    client.force_login(users["coordinator"])

    overview = client.get(reverse("province-overview")).context["overview"]
    response = client.get(reverse("province-overview-export"))
    assert response["Content-Disposition"].startswith('attachment; filename="tong-hop-theo-co-quan-')
    wb = workbook(response)
    ws = wb.worksheets[0]
    labels = [str(DeadlineStatus(status).label) for status in STATUS_ORDER]
    assert [cell.value for cell in ws[1]] == ["Cơ quan", *labels, "Tổng", "Tỷ lệ quá hạn"]
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(overview.agencies) + 1
    for group, row in zip(overview.agencies, rows, strict=False):
        assert row[0] == group.detail
        assert list(row[1:6]) == [group.counts[status] for status in STATUS_ORDER]
        assert row[6] == group.total
    total = rows[-1]
    assert total[0] == "Tổng cộng"
    assert list(total[1:6]) == [overview.counts[status] for status in STATUS_ORDER]
    # The deadline 400 days ahead has not begun its period, so the figures leave it out.
    assert total[6] == overview.total == 5
    assert total[7] == pytest.approx(overview.overdue_share) and overview.overdue_share == 0.4
    share = ws.cell(row=len(rows) + 1, column=8)
    assert share.number_format == "0.0%" and isinstance(share.value, float)
    # ĐV A: one overdue of two whose period has begun.
    by_agency = {row[0]: row[7] for row in rows}
    assert by_agency[agencies["a"].name] == 0.5
    assert filter_lines(wb)[1] == "Không lọc"

    filtered = client.get(reverse("province-overview-export"), {"agency": agencies["b"].pk})
    wb = workbook(filtered)
    assert [row[0] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        agencies["b"].name,
        "Tổng cộng",
    ]
    assert filter_lines(wb)[1] == "Cơ quan chủ trì: ĐV B"


def test_overview_offers_the_export_with_its_filters(client, users, agencies):
    client.force_login(users["leader"])
    html = client.get(reverse("province-overview"), {"agency": agencies["a"].pk}).content.decode()
    assert f'href="{reverse("province-overview-export")}?agency={agencies["a"].pk}"' in html


def test_who_may_export(client, users):
    for url in [reverse("deadline-list-export"), reverse("province-overview-export")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.force_login(users["officer_a"])
    assert client.get(reverse("province-overview-export")).status_code == 403
    assert client.get(reverse("deadline-list-export")).status_code == 200
    client.force_login(users["leader"])
    assert client.get(reverse("province-overview-export")).status_code == 200


def queries(client, url):
    client.get(url)  # warm caches (content types, sessions) so only the export is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(load_workbook(io.BytesIO(response.content)).worksheets[0]["A"])


def measure(client, users, agencies, today, *, tasks, deadlines_per_task):
    populate(agencies, tasks=tasks, deadlines_per_task=deadlines_per_task, today=today)
    counts = {}
    for user in ["officer_a", "coordinator"]:
        client.force_login(users[user])
        urls = {
            "list": reverse("deadline-list-export"),
            "list-filtered": reverse("deadline-list-export") + "?relation=cooperate&status=overdue",
        }
        if user == "coordinator":
            urls["overview"] = reverse("province-overview-export")
        for name, url in urls.items():
            counts[user, name] = queries(client, url)
    return counts


def test_exports_run_a_constant_number_of_queries(client, users, agencies, today):
    small = measure(client, users, agencies, today, tasks=2, deadlines_per_task=5)
    assert Deadline.objects.count() == 10
    large = measure(client, users, agencies, today, tasks=20, deadlines_per_task=100)
    assert Deadline.objects.count() == 2010
    assert {key: n for key, (n, _) in large.items()} == {key: n for key, (n, _) in small.items()}
    # The whole list is exported, not a page of it.
    assert large["coordinator", "list"][1] == 2010 + 1
    assert max(n for n, _ in small.values()) <= 12, small
    assert ProgressReport.objects.exists()
