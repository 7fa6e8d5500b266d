"""The officer's "Việc cần làm tiếp": overdue deadlines first (the longest overdue
first), then reports returned for rework, then deadlines due soon; counted as the
menu's badges count them, and following every change."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Deadline
from plans.tests.factories import ProgressReportFactory, TaskFactory
from workspace.tests.test_waiting_badges import badges

pytestmark = pytest.mark.django_db


def make_deadline(task, days, label):
    due = timezone.localdate() + datetime.timedelta(days=days)
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due,
        ends_on=due,
        period_start=due.replace(month=1, day=1) if days < 0 else due - datetime.timedelta(days=30),
        period_label=label,
    )


def steps(html: str) -> list[tuple[str, str]]:
    section = html[html.index('id="next-steps"') : html.index("</section>", html.index('id="next-steps"'))]
    return re.findall(r'data-kind="(\w+)">.*?href="/deadlines/(\d+)/"', section, re.S)


def counts(html: str) -> dict[str, int]:
    line = re.search(r'id="next-counts">(.*?)</p>', html, re.S).group(1)
    return {
        kind: int(n) for n, kind in re.findall(r">(\d+) (hạn quá hạn|báo cáo bị trả lại|hạn sắp đến)<", line)
    }


def test_overdue_then_returned_then_due_soon_counted_as_the_badges(client, users, task, today):
    recent = make_deadline(task, -3, "Quá hạn gần")
    oldest = make_deadline(task, -30, "Quá hạn lâu")
    soon = make_deadline(task, 1, "Sắp đến hạn")
    returned = make_deadline(task, 20, "Bị trả lại")
    report = ProgressReportFactory(deadline=returned, pending=True, submitted_by=users["officer_a"])
    services.report_return(report=report, user=users["coordinator"], comment="Bổ sung danh mục tài liệu.")

    client.force_login(users["officer_a"])
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert steps(html) == [
        ("overdue", str(oldest.pk)),
        ("overdue", str(recent.pk)),
        ("returned", str(returned.pk)),
        ("due_soon", str(soon.pk)),
    ]
    assert counts(html) == {"hạn quá hạn": 2, "báo cáo bị trả lại": 1, "hạn sắp đến": 1}
    assert badges(html) == {"overdue": 2, "returned": 1}
    assert "“Bổ sung danh mục tài liệu.”" in html

    # Reported and accepted as done: the oldest leaves the list and the counts.
    services.report_accept(
        report=ProgressReportFactory(
            deadline=oldest, pending=True, state="done", percent=100, submitted_by=users["officer_a"]
        ),
        user=users["coordinator"],
        comment="",
    )
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert [kind for kind, _ in steps(html)] == ["overdue", "returned", "due_soon"]
    assert counts(html)["hạn quá hạn"] == badges(html)["overdue"] == 1


@pytest.mark.parametrize("narrowed", [False, True])
def test_a_plan_filter_narrows_the_page_but_not_what_to_do_next(client, users, task, agencies, narrowed):
    """With a plan chosen the dashboard's lists are that plan's; the list of what to do
    next still covers every plan, as the badges do."""
    other_plan_task = TaskFactory(lead_agency=agencies["a"])
    other_plan_task.deadlines.all().delete()
    elsewhere = make_deadline(other_plan_task, -8, "Quá hạn kế hoạch khác")
    here = make_deadline(task, -2, "Quá hạn")
    soon = make_deadline(task, 1, "Sắp đến hạn")
    client.force_login(users["officer_a"])
    query = {"plan": task.plan_id} if narrowed else {}
    html = client.get(reverse("agency-dashboard"), query).content.decode()
    assert steps(html) == [
        ("overdue", str(elsewhere.pk)),
        ("overdue", str(here.pk)),
        ("due_soon", str(soon.pk)),
    ]
    assert counts(html) == {"hạn quá hạn": 2, "báo cáo bị trả lại": 0, "hạn sắp đến": 1}
    assert badges(html) == {"overdue": 2}


def test_the_list_stops_at_five(client, users, task):
    for days in range(-10, -3):
        make_deadline(task, days, f"Quá hạn {days}")
    client.force_login(users["officer_a"])
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert len(steps(html)) == 5
    assert counts(html)["hạn quá hạn"] == 7 == badges(html)["overdue"]


def test_nothing_waiting_says_so(client, users, deadline):
    client.force_login(users["officer_a"])
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert 'id="next-none"' in html
    assert steps(html) == []
