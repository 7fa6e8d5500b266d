"""Every workspace page runs the same number of SQL queries whatever the data size
(DESIGN §7): each is measured at 10 and at 2,000 deadlines and the counts must match."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import Contribution, Deadline, EvidenceFile, ProgressReport
from plans.tests.conftest import PDF_BYTES
from plans.tests.factories import ContentAreaFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


def populate(agencies, *, tasks, deadlines_per_task, today):
    """Deadlines around today for tasks led by A (B cooperating) and by C, with every
    kind of report: accepted completions, pending ones with evidence, returned ones,
    and contributions."""
    plan = PlanFactory()
    areas = [ContentAreaFactory(plan=plan, number=n) for n in (1, 2, 3)]
    deadlines = []
    for n in range(tasks):
        lead = agencies["a"] if n % 3 else agencies["c"]
        task = TaskFactory(area=areas[n % 3], plan=plan, lead_agency=lead)
        task.cooperating_agencies.add(agencies["b"] if lead == agencies["a"] else agencies["a"])
        for k in range(deadlines_per_task):
            due = today + datetime.timedelta(days=(k - deadlines_per_task // 2) * 3 + n)
            deadlines.append(
                Deadline(
                    task=task, due_on=due, period_start=due - datetime.timedelta(days=60), period_label="Kỳ"
                )
            )
    deadlines = Deadline.objects.bulk_create(deadlines)
    now = timezone.now()
    reports, contributions = [], []
    for i, deadline in enumerate(deadlines):
        if i % 4 == 0:
            reports.append(
                ProgressReport(
                    deadline=deadline,
                    state="done",
                    percent=100,
                    narrative="Xong.",
                    submitted_at=now,
                    review_state="accepted",
                )
            )
        elif i % 4 == 1:
            reports.append(
                ProgressReport(deadline=deadline, state="in_progress", percent=50, submitted_at=now)
            )
        elif i % 4 == 2:
            reports.append(
                ProgressReport(
                    deadline=deadline,
                    state="in_progress",
                    percent=20,
                    submitted_at=now,
                    review_state="returned",
                    review_comment="Bổ sung.",
                    reviewed_at=now,
                )
            )
        contributions.append(
            Contribution(deadline=deadline, agency=agencies["b"], text="Ý kiến.", submitted_at=now)
        )
    reports = ProgressReport.objects.bulk_create(reports)
    Contribution.objects.bulk_create(contributions)
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            report=report,
            file="evidence/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            uploaded_at=now,
        )
        for report in reports
    )
    return deadlines


def queries(client, url):
    client.get(url)  # warm caches (content types, sessions) so only the page is counted
    # Count the page rendered afresh, not its cached copy (plans.page_cache): that one
    # is measured below.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def pages(deadline, agency):
    return {
        "agency-dashboard": reverse("agency-dashboard"),
        "deadline-list": reverse("deadline-list"),
        "deadline-list-cooperating": reverse("deadline-list") + "?relation=cooperate&status=overdue",
        "deadline-detail": reverse("deadline-detail", args=[deadline.pk]),
        "province-overview": reverse("province-overview"),
        "province-overview-filtered": reverse("province-overview") + f"?agency={agency.pk}",
        "review-queue": reverse("review-queue"),
        "plan-list": reverse("plan-list"),
    }


def measure(client, users, agencies, today, *, tasks, deadlines_per_task):
    deadlines = populate(agencies, tasks=tasks, deadlines_per_task=deadlines_per_task, today=today)
    # The page of a deadline of A's with a report of every kind.
    deadline = next(d for d in deadlines if d.task.lead_agency == agencies["a"])
    counts = {}
    for user in ["officer_a", "coordinator"]:
        client.force_login(users[user])
        for name, url in pages(deadline, agencies["a"]).items():
            if user == "officer_a" and name.startswith(("province", "review")):
                continue
            counts[user, name] = queries(client, url)
    return counts


def test_workspace_pages_run_a_constant_number_of_queries(client, users, agencies, today):
    small = measure(client, users, agencies, today, tasks=2, deadlines_per_task=5)
    assert Deadline.objects.count() == 10
    large = measure(client, users, agencies, today, tasks=20, deadlines_per_task=100)
    assert Deadline.objects.count() == 2010
    assert large == small
    # And the counts are small: a regression to a query per row would show here too.
    assert max(small.values()) <= 20, small


def test_cached_dashboard_and_overview_run_a_few_queries_whatever_the_size(client, users, agencies, today):
    populate(agencies, tasks=20, deadlines_per_task=100, today=today)
    counts = {}
    for user, url in [
        ("officer_a", reverse("agency-dashboard")),
        ("coordinator", reverse("province-overview")),
    ]:
        client.force_login(users[user])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    # Session, user with agency, permissions (for the menu and the overview's check) and
    # the data fingerprint.
    assert counts == {reverse("agency-dashboard"): 4, reverse("province-overview"): 4}, counts
