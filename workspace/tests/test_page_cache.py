"""The dashboard's and the overview's content is rendered once and served from the cache
(workspace.page_cache) until the plan data changes: a change shows on the very next request,
each agency gets its own copy, and nothing personal is shared."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans.models import AgencyGroup, Deadline, Holiday, ProgressReport
from plans.selectors import data_version_get
from plans.services import deadline_sync_for_task
from plans.tests.factories import AgencyFactory, TaskFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
OVERVIEW = "/overview/"


def get_counting(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [query["sql"] for query in ctx.captured_queries]


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def without_csrf(html):
    """The page without its CSRF token, which is masked afresh on every response."""
    return CSRF_TOKEN.sub("", html)


def is_fingerprint(sql):
    """The data fingerprint's query: newest history ids only (and, for an agency, the
    newest entry of its journal of changes)."""
    return sql.startswith('SELECT (SELECT MAX("history_id")')


def reads_deadlines(sql_list):
    """Whether any query but the fingerprint reads the deadline table."""
    return any(
        re.search(r'FROM "plans_deadline"(?! *\))', sql) for sql in sql_list if not is_fingerprint(sql)
    )


@pytest.mark.parametrize("user, url", [("officer_a", DASHBOARD), ("coordinator", OVERVIEW)])
def test_a_repeated_page_comes_from_the_cache_without_reading_deadlines(client, users, deadline, user, url):
    client.force_login(users[user])
    first, first_sql = get_counting(client, url)
    again, again_sql = get_counting(client, url)
    assert without_csrf(again) == without_csrf(first)
    assert reads_deadlines(first_sql)
    assert not reads_deadlines(again_sql), again_sql
    assert len(again_sql) < len(first_sql)


def test_a_submitted_report_shows_on_the_next_dashboard(client, users, deadline):
    client.force_login(users["officer_a"])
    before, _ = get_counting(client, DASHBOARD)
    assert "Đơn vị chưa gửi báo cáo nào." in before
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "in_progress", "percent": "40", "narrative": "Đang làm."},
    )
    assert response.status_code == 302
    after, _ = get_counting(client, DASHBOARD)
    assert "Đơn vị chưa gửi báo cáo nào." not in after
    assert "40%" in after


def test_an_accepted_report_moves_the_overview_at_once(client, users, deadline):
    client.force_login(users["officer_a"])
    client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "done", "percent": "100", "narrative": "Xong."},
    )
    client.force_login(users["coordinator"])
    before, _ = get_counting(client, OVERVIEW)
    report = ProgressReport.objects.get()
    assert client.post(reverse("report-review", args=[report.pk]), {"decision": "accept"}).status_code == 302
    after, _ = get_counting(client, OVERVIEW)
    assert after != before
    assert 'id="overdue-share"' in after


def test_every_kind_of_change_moves_the_data_fingerprint(agencies, deadline):
    seen = {data_version_get()}

    def changed():
        version = data_version_get()
        assert version not in seen
        seen.add(version)

    task = deadline.task
    task.title = "Tên mới"
    task.save()
    changed()
    task.cooperating_agencies.add(agencies["c"])
    changed()
    deadline.due_on = deadline.due_on.replace(day=1)
    deadline.save()
    changed()
    ProgressReport.objects.create(
        deadline=deadline, state="in_progress", percent=5, narrative="…", submitted_at=timezone.now()
    )
    changed()
    later = deadline.due_on.replace(year=deadline.due_on.year + 1)
    bulk_create_with_history(
        [
            Deadline(
                task=task,
                responsible_agency_id=task.lead_agency_id,
                due_on=later,
                ends_on=later,
                period_start=later,
            )
        ],
        Deadline,
    )
    changed()
    Holiday.objects.create(date=later, name="Nghỉ bù")
    changed()
    TaskFactory()
    changed()
    Deadline.objects.get(task=task, due_on=later).delete()
    changed()


def test_each_agency_gets_its_own_dashboard(client, users, agencies, deadline):
    client.force_login(users["officer_a"])
    page_a, _ = get_counting(client, DASHBOARD)
    client.force_login(users["officer_c"])
    page_c, _ = get_counting(client, DASHBOARD)
    assert agencies["a"].name in page_a and agencies["a"].name not in page_c
    assert agencies["c"].name in page_c
    assert deadline.task.title not in page_c


def test_the_shared_overview_carries_nothing_of_the_first_viewer(client, users, deadline):
    client.force_login(users["coordinator"])
    first, _ = get_counting(client, OVERVIEW)
    client.force_login(users["leader"])
    second, second_sql = get_counting(client, OVERVIEW)
    assert not reads_deadlines(second_sql)  # the coordinator's copy was served
    assert "ngoaivu" in first and "ngoaivu" not in second
    assert "lanhdao" in second
    # Each page carries its own viewer's CSRF token (the logout form), never a cached one.
    assert CSRF_TOKEN.findall(first) and CSRF_TOKEN.findall(second)
    assert set(CSRF_TOKEN.findall(first)).isdisjoint(CSRF_TOKEN.findall(second))


def test_filters_are_part_of_the_key(client, users, deadline, today):
    client.force_login(users["coordinator"])
    url = f"{OVERVIEW}?period={today.year}"
    get_counting(client, url)
    _, sql = get_counting(client, url)
    assert not reads_deadlines(sql)
    plan_id = deadline.task.plan_id
    other, sql = get_counting(client, f"{url}&plan={plan_id}")
    assert reads_deadlines(sql)
    assert f'<option value="{plan_id}" selected>' in other


@pytest.mark.parametrize("query", ["?q=x", "?plan=abc", "?period=2020&period=2021", "?period=" + "9" * 11])
def test_anything_but_plain_filters_is_rendered_fresh_and_not_kept(client, users, deadline, query):
    client.force_login(users["officer_a"])
    get_counting(client, DASHBOARD + query)
    _, sql = get_counting(client, DASHBOARD + query)
    assert reads_deadlines(sql)
    assert not any(key.startswith(":1:page:") for key in cache._cache)  # nothing stored


def deadline_of(agency, *, due_on, cooperating=()):
    task = TaskFactory(lead_agency=agency, due_on=due_on)
    for other in cooperating:
        task.cooperating_agencies.add(other)
    return Deadline.objects.create(
        task=task,
        responsible_agency=agency,
        due_on=due_on,
        period_start=due_on.replace(month=1, day=1),
        period_label="Thời hạn",
    )


def submit(client, deadline, percent):
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "in_progress", "percent": str(percent), "narrative": "Đang làm."},
    )
    assert response.status_code == 302


def test_another_agencys_report_leaves_a_dashboard_cached(client, users, agencies, deadline, today):
    """C's report on its own deadline (a task A has nothing to do with) does not render
    A's dashboard again; A's own report does, on A's next view."""
    theirs = deadline_of(agencies["c"], due_on=today + datetime.timedelta(days=5))
    client.force_login(users["officer_a"])
    first, first_sql = get_counting(client, DASHBOARD)
    assert reads_deadlines(first_sql)
    fingerprint_a = data_version_get(agency_id=agencies["a"].pk)
    overview = data_version_get()

    officer_c = Client()
    officer_c.force_login(users["officer_c"])
    submit(officer_c, theirs, 30)
    assert data_version_get(agency_id=agencies["a"].pk) == fingerprint_a
    assert data_version_get() != overview  # the province's figures do move

    again, again_sql = get_counting(client, DASHBOARD)
    assert not reads_deadlines(again_sql), again_sql
    assert without_csrf(again) == without_csrf(first)

    submit(client, deadline, 40)
    after, after_sql = get_counting(client, DASHBOARD)
    assert reads_deadlines(after_sql)
    assert "40%" in after


def test_an_agencys_fingerprint_follows_every_deadline_it_sees(agencies, deadline, today):
    """Reports on a task A cooperates on, a deadline moved away from A, and A's report
    on someone else's deadline all move A's fingerprint; the same on a stranger's task
    does not."""
    a = agencies["a"].pk

    def moves(change):
        before = data_version_get(agency_id=a)
        change()
        return data_version_get(agency_id=a) != before

    cooperated = deadline_of(agencies["c"], due_on=today, cooperating=[agencies["a"]])
    stranger = deadline_of(agencies["c"], due_on=today)
    report = {"state": "in_progress", "percent": 5, "narrative": "…", "submitted_at": timezone.now()}
    assert moves(lambda: ProgressReport.objects.create(deadline=cooperated, agency=agencies["c"], **report))
    assert not moves(lambda: ProgressReport.objects.create(deadline=stranger, agency=agencies["c"], **report))
    other = deadline_of(agencies["c"], due_on=today + datetime.timedelta(days=1))
    assert moves(lambda: ProgressReport.objects.create(deadline=other, agency=agencies["a"], **report))

    def move_away():
        deadline.responsible_agency = agencies["c"]
        deadline.save()

    assert moves(move_away)
    # Moved away and its task's lead changed too: a later report on it still moves A's
    # page, which listed the deadline as A's until the move.
    later = {**report, "submitted_at": timezone.now()}
    assert moves(lambda: ProgressReport.objects.create(deadline=deadline, agency=agencies["c"], **later))


def test_each_agency_has_its_own_fingerprint_from_the_one_query_built(agencies, deadline, today):
    """The agency fingerprint's query is built once and reused with each agency's id:
    A's report moves A's fingerprint and not C's, C's report C's and not A's."""
    a, c = agencies["a"].pk, agencies["c"].pk
    theirs = deadline_of(agencies["c"], due_on=today)
    report = {"state": "in_progress", "percent": 5, "narrative": "…", "submitted_at": timezone.now()}

    def versions():
        return data_version_get(agency_id=a), data_version_get(agency_id=c)

    before = versions()
    assert before[0] != before[1]
    ProgressReport.objects.create(deadline=deadline, agency=agencies["a"], **report)
    after_a = versions()
    assert after_a[0] != before[0] and after_a[1] == before[1]
    ProgressReport.objects.create(deadline=theirs, agency=agencies["c"], **report)
    after_c = versions()
    assert after_c[0] == after_a[0] and after_c[1] != after_a[1]


def test_deadlines_generated_in_bulk_move_the_fingerprints_of_the_agencies_that_see_them(agencies, today):
    """Deadline generation inserts its rows in bulk, which sends no signal: it journals
    the agencies that see them itself (the lead, a named cooperator, a member of a
    cooperating group); an agency with no part in the task keeps its fingerprint."""
    member = AgencyFactory(code="agency-member")
    group = AgencyGroup.objects.create(name="Các đơn vị thử nghiệm")
    group.members.add(member)
    task = TaskFactory(lead_agency=agencies["a"], due_on=today + datetime.timedelta(days=20))
    task.cooperating_agencies.add(agencies["b"])
    task.cooperating_groups.add(group)
    watched = [agencies["a"].pk, agencies["b"].pk, member.pk, agencies["c"].pk]
    before = [data_version_get(agency_id=agency_id) for agency_id in watched]

    assert deadline_sync_for_task(task=task, today=today).created == 1

    after = [data_version_get(agency_id=agency_id) for agency_id in watched]
    assert [b != a for b, a in zip(before, after, strict=True)] == [True, True, True, False]


def test_the_agency_fingerprint_reads_no_history_of_deadlines_or_reports(agencies, deadline):
    """However long an agency's history grows, its fingerprint reads the shared tables'
    newest history ids and its own newest journal entry, nothing per deadline."""
    with CaptureQueriesContext(connection) as ctx:
        data_version_get(agency_id=agencies["a"].pk)
    (sql,) = [query["sql"] for query in ctx.captured_queries]
    assert "plans_agencychange" in sql
    assert "plans_historicaldeadline" not in sql and "plans_historicalprogressreport" not in sql
