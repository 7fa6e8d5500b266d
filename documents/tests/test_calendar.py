"""Agencies' private iCalendar feeds, parsed back with icalendar: which deadlines an
agency's calendar holds, how each event reads, and how the token that opens it is
issued and revoked."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from documents import services as document_services
from plans.models import Agency, Deadline, Plan
from plans.tests.factories import (
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    populate,
)
from plans.tests.fixtures import make_user

pytestmark = pytest.mark.django_db

SITE_URL = "https://doingoai.dienbien.example/"
HOST = "doingoai.dienbien.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


def deadline_of(agency, due_on, *, cooperating=(), plan_status=Plan.Status.ACTIVE, label="Năm 2026"):
    area = ContentAreaFactory(plan=PlanFactory(status=plan_status))
    task = TaskFactory(area=area, plan=area.plan, lead_agency=agency, due_on=due_on)
    task.cooperating_agencies.add(*cooperating)
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due_on,
        period_start=due_on - datetime.timedelta(days=90),
        period_label=label,
    )


def feed_url(agency):
    return reverse(
        "agency-calendar-feed", args=[document_services.calendar_token_get_or_create(agency=agency)]
    )


def parse(response):
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.content)


def events_by_uid(calendar):
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def uid(deadline):
    return f"deadline-{deadline.pk}@{HOST}"


def test_feed_holds_the_agency_led_and_cooperated_deadlines(client, agencies, today):
    led = deadline_of(agencies["a"], today + datetime.timedelta(days=10), label="Quý IV/2026")
    cooperated = deadline_of(agencies["c"], today + datetime.timedelta(days=20), cooperating=[agencies["a"]])
    done = deadline_of(agencies["a"], today - datetime.timedelta(days=30))
    ProgressReportFactory(deadline=done)
    others = deadline_of(agencies["c"], today + datetime.timedelta(days=10), cooperating=[agencies["b"]])
    draft = deadline_of(agencies["a"], today + datetime.timedelta(days=10), plan_status=Plan.Status.DRAFT)
    long_past = deadline_of(agencies["a"], today - datetime.timedelta(days=400))

    response = client.get(feed_url(agencies["a"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="lich-han-agency-a.ics"'
    assert response["Cache-Control"] == "private, max-age=900"
    calendar = parse(response)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]).startswith("-//")
    assert str(calendar["calscale"]) == "GREGORIAN" and str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "Hạn nhiệm vụ – ĐV A"
    assert str(calendar["x-wr-timezone"]) == "Asia/Ho_Chi_Minh"
    assert str(calendar["x-published-ttl"]) == "PT1H"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]

    events = events_by_uid(calendar)
    assert set(events) == {uid(led), uid(cooperated), uid(done)}
    assert not {uid(others), uid(draft), uid(long_past)} & set(events)

    event = events[uid(led)]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert type(start) is datetime.date and start == led.ends_on
    assert type(end) is datetime.date and end == led.ends_on + datetime.timedelta(days=1)
    stamp = event.decoded("dtstamp")
    assert stamp.utcoffset() == datetime.timedelta(0) and stamp.tzinfo == zoneinfo.ZoneInfo("UTC")
    assert str(event["summary"]) == f"Hạn: {led.task.code} {led.task.title}"
    link = f"https://doingoai.dienbien.example/deadlines/{led.pk}/"
    description = str(event["description"])
    for text in [
        led.task.plan.number,
        "Kỳ: Quý IV/2026",
        "Cơ quan chủ trì: ĐV A",
        "Chưa đến hạn",
        link,
    ]:
        assert text in description, text
    assert str(event["url"]) == link
    assert str(event["status"]) == "CONFIRMED"
    assert [str(c) for c in event.get("categories").cats] == ["Chưa đến hạn"]
    alarms = event.walk("VALARM")
    assert len(alarms) == 1 and str(alarms[0]["action"]) == "DISPLAY"
    assert alarms[0].decoded("trigger") == datetime.timedelta(days=-1)

    event = events[uid(cooperated)]
    assert str(event["summary"]) == f"Phối hợp: Hạn: {cooperated.task.code} {cooperated.task.title}"
    assert "Cơ quan chủ trì: ĐV C" in str(event["description"])

    # A deadline done stays, so the calendar keeps the history, marked and without a reminder.
    event = events[uid(done)]
    assert str(event["summary"]).startswith("✓ Hạn: ")
    assert "Đã hoàn thành đúng hạn" in str(event["description"])
    assert not event.walk("VALARM")


def test_uids_are_stable_across_fetches(client, agencies, today):
    deadline = deadline_of(agencies["a"], today + datetime.timedelta(days=5))
    url = feed_url(agencies["a"])
    first, second = parse(client.get(url)), parse(client.get(url))
    assert list(events_by_uid(first)) == list(events_by_uid(second)) == [uid(deadline)]


def test_unknown_or_inactive_token_is_404(client, agencies):
    assert client.get(reverse("agency-calendar-feed", args=["khong-ton-tai"])).status_code == 404
    assert client.get("/calendar/.ics").status_code == 404
    url = feed_url(agencies["a"])
    assert client.get(url).status_code == 200
    agencies["a"].is_active = False
    agencies["a"].save()
    assert client.get(url).status_code == 404


def test_token_is_issued_once_and_replaced_on_regeneration(agencies, users):
    agency = agencies["a"]
    assert agency.calendar_token is None
    token = document_services.calendar_token_get_or_create(agency=agency)
    assert len(token) >= 43 and document_services.calendar_token_get_or_create(agency=agency) == token
    assert Agency.objects.get(pk=agency.pk).calendar_token == token
    new = document_services.calendar_token_regenerate(agency=agency, user=users["officer_a"])
    assert new != token and Agency.objects.get(pk=agency.pk).calendar_token == new


def test_calendar_page_shows_the_feed_url_and_how_to_subscribe(client, users, agencies):
    client.force_login(users["officer_a"])
    client.post(reverse("agency-calendar"))
    html = client.get(reverse("agency-calendar")).content.decode()
    agencies["a"].refresh_from_db()
    url = f"https://doingoai.dienbien.example/calendar/{agencies['a'].calendar_token}.ics"
    assert f'value="{url}"' in html
    for text in [
        "Thêm lịch → Từ Internet",
        "Thêm lịch khác → Từ URL",
        "Thêm lịch đã đăng ký",
        "Ai có đường dẫn",
    ]:
        assert text in html, text
    assert "Tạo đường dẫn mới" in html and "csrfmiddlewaretoken" in html
    # The dashboard links to it.
    assert f'href="{reverse("agency-calendar")}"' in client.get(reverse("agency-dashboard")).content.decode()


def test_regenerating_revokes_the_old_url(client, users, agencies, today):
    deadline_of(agencies["a"], today + datetime.timedelta(days=5))
    old_url = feed_url(agencies["a"])
    client.force_login(users["officer_a"])
    response = client.post(reverse("agency-calendar"), follow=True)
    assert response.redirect_chain == [(reverse("agency-calendar"), 302)]
    assert "Đường dẫn cũ không còn dùng được" in response.content.decode()
    agencies["a"].refresh_from_db()
    new_url = reverse("agency-calendar-feed", args=[agencies["a"].calendar_token])
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert len(parse(client.get(new_url)).walk("VEVENT")) == 1


def test_regeneration_needs_the_csrf_token(users, agencies):
    token = document_services.calendar_token_get_or_create(agency=agencies["a"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["officer_a"])
    assert client.post(reverse("agency-calendar")).status_code == 403
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token == token


def test_calendar_page_needs_a_login_and_an_agency(client, django_user_model):
    response = client.get(reverse("agency-calendar"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("agency-calendar"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(django_user_model.objects.create_user("moi", password="Mat-khau-2026"))
    response = client.get(reverse("agency-calendar"), follow=True)
    assert response.status_code == 403 and "chưa được gắn với cơ quan" in response.content.decode()
    client.post(reverse("agency-calendar"))
    assert not Agency.objects.exclude(calendar_token=None).exists()


def measure(client, agencies, today, *, tasks, deadlines_per_task):
    populate(agencies, tasks=tasks, deadlines_per_task=deadlines_per_task, today=today)
    url = feed_url(agencies["a"])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        calendar = parse(client.get(url))
    return len(ctx.captured_queries), len(calendar.walk("VEVENT"))


def test_feed_runs_a_constant_number_of_queries(client, agencies, today):
    small_queries, small_events = measure(client, agencies, today, tasks=2, deadlines_per_task=5)
    large_queries, large_events = measure(client, agencies, today, tasks=20, deadlines_per_task=100)
    assert Deadline.objects.count() == 2010
    assert small_events == 10 and large_events == 2010  # A leads or cooperates on every task
    assert large_queries == small_queries <= 4


def test_an_event_falls_on_the_day_the_deadline_really_ends(client, agencies):
    """Due Saturday 26/12/2026: the calendar shows it on Monday 28/12 (Civil Code Art. 148(5))."""
    saturday = deadline_of(agencies["a"], datetime.date(2026, 12, 26))
    event = events_by_uid(parse(client.get(feed_url(agencies["a"]))))[uid(saturday)]
    assert event.decoded("dtstart") == datetime.date(2026, 12, 28)
    assert "Hạn: 26/12/2026, hết hạn 28/12/2026 (hạn rơi vào ngày nghỉ)" in str(event["description"])


def test_a_get_never_writes_and_offers_to_create_the_url(client, users, agencies):
    client.force_login(users["officer_a"])
    html = client.get(reverse("agency-calendar")).content.decode()
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token is None
    assert "Đơn vị chưa có đường dẫn lịch" in html and "Tạo đường dẫn lịch" in html
    response = client.post(reverse("agency-calendar"), follow=True)
    assert "Đã tạo đường dẫn lịch của đơn vị" in response.content.decode()
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token


@pytest.fixture
def leader_of_a(django_user_model, agencies):
    """A department's director: a leader whose account belongs to agency A."""
    return make_user(django_user_model, "giamdoc.a", "leader", agencies["a"])


def test_a_leader_neither_creates_nor_rotates_the_feed(client, agencies, leader_of_a):
    client.force_login(leader_of_a)
    html = client.get(reverse("agency-calendar")).content.decode()
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token is None
    assert "Tạo đường dẫn" not in html and f'action="{reverse("agency-calendar")}"' not in html
    assert client.post(reverse("agency-calendar")).status_code == 403
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token is None
    token = document_services.calendar_token_get_or_create(agency=agencies["a"])
    assert client.post(reverse("agency-calendar")).status_code == 403
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token == token
    html = client.get(reverse("agency-calendar")).content.decode()
    assert token in html and "Tạo đường dẫn mới" not in html


def test_only_the_agencys_own_officer_rotates_it_in_the_service(users, agencies, leader_of_a):
    token = document_services.calendar_token_get_or_create(agency=agencies["a"])
    for who in (leader_of_a, users["officer_b"], users["leader"]):
        with pytest.raises(PermissionDenied):
            document_services.calendar_token_regenerate(agency=agencies["a"], user=who)
    assert Agency.objects.get(pk=agencies["a"].pk).calendar_token == token
