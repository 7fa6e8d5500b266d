"""Lists sort by due date, status, agency and code; the sort is kept in the URL (the
sort bar's links, the filter form, the pages) and in the Excel export."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from plans.models import Deadline
from plans.tests.factories import AgencyFactory, PlanFactory, ProgressReportFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(users, today):
    """Three deadlines: led by "Đài" (overdue), "Ban" (due in 10 days) and "Cục"
    (done on time), codes in yet another order."""
    plan = PlanFactory(number="139/KH-UBND")
    made = {}
    for name, code, days in [("Đài PT-TH", "1.2", -5), ("Ban Dân tộc", "3.1", 10), ("Cục Thuế", "2.4", -20)]:
        agency = AgencyFactory(short_name=name)
        task = TaskFactory(
            plan=plan, area__plan=plan, code=code, title=f"Nhiệm vụ {code}", lead_agency=agency
        )
        task.deadlines.all().delete()
        due = today + datetime.timedelta(days=days)
        made[name] = Deadline.objects.create(
            task=task,
            responsible_agency=agency,
            due_on=due,
            ends_on=due,
            period_start=due.replace(month=1, day=1),
            period_label="Thời hạn",
        )
    ProgressReportFactory(deadline=made["Cục Thuế"], submitted_by=users["officer_a"])
    return made


def codes(response) -> list[str]:
    return [deadline.task.code for deadline in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["2.4", "1.2", "3.1"]),  # by due date, the default
        ("due", ["2.4", "1.2", "3.1"]),
        ("-due", ["3.1", "1.2", "2.4"]),
        ("code", ["1.2", "2.4", "3.1"]),
        ("-code", ["3.1", "2.4", "1.2"]),
        # Overdue, due soon / not yet due, done: the pages' order of statuses.
        ("status", ["1.2", "3.1", "2.4"]),
        # Vietnamese order: Ban, Cục, Đài (Đ after every D and C).
        ("agency", ["3.1", "2.4", "1.2"]),
        ("-agency", ["1.2", "2.4", "3.1"]),
        ("khong-co", ["2.4", "1.2", "3.1"]),  # an unknown sort: the default
    ],
)
def test_the_deadline_list_sorts(client, users, rows, sort, expected):
    client.force_login(users["coordinator"])
    response = client.get(reverse("deadline-list"), {"sort": sort} if sort else {})
    assert response.status_code == 200
    assert codes(response) == expected


def test_the_sort_bar_keeps_the_filters_and_turns_the_direction(client, users, rows):
    client.force_login(users["coordinator"])
    html = client.get(reverse("deadline-list") + "?window=started&sort=agency&page=1").content.decode()
    links = dict(re.findall(r'href="\?([^"]*)"[^>]*data-sort="(\w+)"', html)[::1])
    by_key = {key: query.replace("&amp;", "&") for query, key in links.items()}
    assert by_key["agency"] == "window=started&sort=-agency"  # the active sort turns around
    assert by_key["due"] == "window=started&sort=due"
    assert 'aria-current="true" data-sort="agency"' in html
    # The filter form keeps the sort when the filters change.
    assert '<input type="hidden" name="sort" value="agency">' in html


def test_the_excel_export_comes_in_the_pages_order_and_names_it(client, users, rows):
    client.force_login(users["coordinator"])
    response = client.get(reverse("deadline-list-export"), {"sort": "agency"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = list(workbook.worksheets[0].iter_rows(values_only=True))
    task_codes = [row[3] for row in values[1:]]
    assert task_codes == ["3.1", "2.4", "1.2"]
    notes = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert notes[1:3] == ["Không lọc", "Sắp xếp theo: Cơ quan chủ trì"]
    page = client.get(reverse("deadline-list"), {"sort": "agency"}).content.decode()
    assert f"{reverse('deadline-list-export')}?sort=agency" in page


def test_the_review_queue_sorts_by_agency_and_due_date(client, users, rows):
    for deadline in rows.values():
        ProgressReportFactory(deadline=deadline, pending=True, submitted_by=users["officer_a"])
    client.force_login(users["coordinator"])

    def queue(sort):
        response = client.get(reverse("review-queue"), {"sort": sort})
        return [report.deadline.task.code for report in response.context["page"].object_list]

    assert queue("agency") == ["3.1", "2.4", "1.2"]
    assert queue("-due") == ["3.1", "1.2", "2.4"]
    assert queue("code") == ["1.2", "2.4", "3.1"]


def test_the_plan_list_sorts_by_number(client, users):
    for number in ("50/KH-UBND", "139/KH-UBND", "07/KH-UBND"):
        PlanFactory(number=number)
    client.force_login(users["officer_c"])
    numbers = [plan.number for plan in client.get(reverse("plan-list"), {"sort": "code"}).context["plans"]]
    assert numbers == ["07/KH-UBND", "139/KH-UBND", "50/KH-UBND"]
    reverse_numbers = [
        plan.number for plan in client.get(reverse("plan-list"), {"sort": "-code"}).context["plans"]
    ]
    assert reverse_numbers == numbers[::-1]
