"""The menu's "what waits for me" badges: reports waiting for the coordinator's review,
the officer's agency's returned reports and overdue deadlines. They count exactly what
the review queue and the dashboard list, and follow every change at once."""

import datetime
import re

import pytest
from django.urls import reverse

from plans import services
from plans.models import Deadline
from plans.tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db


def badges(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'id="badge-(\w+)"[^>]*>(\d+)<', html)}


def ended_deadline(task, due, label="Quá hạn"):
    """A deadline of ``task`` for its lead agency, due and ended on ``due``."""
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due,
        ends_on=due,
        period_start=due.replace(month=1, day=1),
        period_label=label,
    )


@pytest.fixture
def overdue(task, today):
    """A second deadline of A's task, ended 20 days ago, unfinished."""
    return ended_deadline(task, today - datetime.timedelta(days=20))


def test_the_coordinator_sees_the_review_queue_length_and_it_follows_a_review(
    client, users, deadline, overdue
):
    first = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=users["officer_a"])
    ProgressReportFactory(deadline=overdue, pending=True, submitted_by=users["officer_a"])
    client.force_login(users["coordinator"])

    page = client.get(reverse("review-queue"))
    assert badges(page.content.decode())["review"] == page.context["page"].paginator.count == 2

    services.report_accept(report=first, user=users["coordinator"], comment="")
    assert badges(client.get(reverse("plan-list")).content.decode())["review"] == 1


def test_the_officer_sees_overdue_and_returned_as_the_dashboard_counts_them(client, users, deadline, overdue):
    client.force_login(users["officer_a"])
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert badges(html) == {"overdue": 1}

    report = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=users["officer_a"])
    services.report_return(report=report, user=users["coordinator"], comment="Bổ sung minh chứng.")
    page = client.get(reverse("agency-dashboard"))
    html = page.content.decode()
    # Each badge says what it counts, for those who do not see the colour.
    assert badges(html) == {"overdue": 1, "returned": 1}
    assert '1<span class="visually-hidden"> báo cáo bị trả lại</span>' in html
    assert '1<span class="visually-hidden"> hạn quá hạn</span>' in html

    # A new report after the return: nothing is returned any more.
    ProgressReportFactory(
        deadline=deadline,
        pending=True,
        submitted_by=users["officer_a"],
        submitted_at=report.submitted_at + datetime.timedelta(hours=1),
    )
    assert badges(client.get(reverse("deadline-list")).content.decode()) == {"overdue": 1}


def test_another_agency_and_a_leader_see_nothing_waiting(client, users, deadline, overdue):
    client.force_login(users["officer_c"])
    assert badges(client.get(reverse("agency-dashboard")).content.decode()) == {}
    client.force_login(users["leader"])
    assert badges(client.get(reverse("province-overview")).content.decode()) == {}


def test_the_unfiltered_dashboard_gives_the_badges_its_overdue_count(client, users, task, today):
    """The dashboard's overdue figure is the badge's count: the page reads it from
    there, and it equals the count made apart."""
    from plans import selectors

    for n in range(3):
        deadline = ended_deadline(task, today - datetime.timedelta(days=30 + n), f"Kỳ {n}")
        if n:
            report = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=users["officer_a"])
            services.report_return(report=report, user=users["coordinator"], comment="Bổ sung.")
    officer = users["officer_a"]
    dates = selectors.status_dates_get()
    apart = selectors.waiting_counts_get(user=officer, dates=dates, reviews=False)
    dashboard = selectors.agency_dashboard_get(
        user=officer, agency_id=officer.agency_id, filters=selectors.DeadlineFilter(), dates=dates
    )
    read = selectors.waiting_counts_get(
        user=officer, dates=dates, reviews=False, overdue=dashboard.counts["overdue"]
    )
    assert read == apart == selectors.WaitingCounts(returned=2, overdue=3)
    client.force_login(officer)
    html = client.get(reverse("agency-dashboard")).content.decode()
    assert badges(html) == {"overdue": 3, "returned": 2}


def test_the_unfiltered_overview_gives_the_coordinator_the_overdue_count_of_their_agency(
    client, users, today
):
    """The coordinator's own agency's overdue deadlines, read from the overview's agency
    table, are those the badge counts apart: one of them, and none for an agency with
    no row in the table."""
    from plans import selectors
    from plans.tests.factories import TaskFactory

    coordinator = users["coordinator"]
    dates = selectors.status_dates_get()
    overview = selectors.province_overview_get(
        user=coordinator, filters=selectors.DeadlineFilter(), dates=dates
    )
    assert overview.agency_counts(coordinator.agency_id)["overdue"] == 0
    due = today - datetime.timedelta(days=5)
    ended_deadline(TaskFactory(lead_agency=coordinator.agency, due_on=due), due)
    overview = selectors.province_overview_get(
        user=coordinator, filters=selectors.DeadlineFilter(), dates=dates
    )
    apart = selectors.waiting_counts_get(user=coordinator, dates=dates, reviews=True)
    assert overview.agency_counts(coordinator.agency_id)["overdue"] == apart.overdue == 1
    client.force_login(coordinator)
    assert badges(client.get(reverse("province-overview")).content.decode()) == {"overdue": 1}
