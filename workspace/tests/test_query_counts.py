"""Every workspace page runs the same number of SQL queries whatever the data size
(docs/architecture.md, Budgets): each is measured at 10 and at 2,000 deadlines and the counts must match."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Deadline
from plans.tests.factories import populate

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)  # warm caches (content types, sessions) so only the page is counted
    # Count the page rendered afresh, not its cached copy (workspace.page_cache): that one
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
        # Sorted by agency, status, code: the order changes, not the number of queries.
        "deadline-list-by-agency": reverse("deadline-list") + "?sort=agency&status=overdue",
        "deadline-list-by-status": reverse("deadline-list") + "?sort=-status",
        "review-queue-by-agency": reverse("review-queue") + "?sort=agency",
        "plan-list-by-code": reverse("plan-list") + "?sort=code",
        "search": reverse("search") + "?q=thu+nghiem",
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
