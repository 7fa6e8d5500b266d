"""Sessions: an idle one ends with a Vietnamese message, an active one is not written on
every request, and logging in always starts a new session key (no session fixation)."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from accounts.sessions import LAST_ACTIVITY_KEY

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-dung-2026"


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("canbo", password=PASSWORD)


@pytest.fixture
def logged_in(client, officer):
    client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    assert SESSION_KEY in client.session
    return client


def last_active(client, seconds_ago):
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds_ago
    session.save()


def stored(client):
    row = Session.objects.get(session_key=client.session.session_key)
    return row.get_decoded().get(LAST_ACTIVITY_KEY), row.expire_date


def test_login_starts_the_idle_clock(logged_in):
    assert abs(logged_in.session[LAST_ACTIVITY_KEY] - time.time()) <= 2


def test_a_session_idle_longer_than_the_timeout_is_logged_out(logged_in):
    last_active(logged_in, 1801)
    response = logged_in.get(reverse("plan-list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('plan-list')}"
    assert SESSION_KEY not in logged_in.session
    page = logged_in.get(response.url).content.decode()
    assert "Phiên làm việc đã hết hạn do không hoạt động quá 30 phút. Vui lòng đăng nhập lại." in page
    # Really logged out: the next page asks for a login again, without the message.
    again = logged_in.get(reverse("plan-list"))
    assert again.status_code == 302 and again.url.startswith(reverse("login"))


def test_a_session_within_the_timeout_stays(logged_in):
    last_active(logged_in, 1795)
    assert logged_in.get(reverse("plan-list")).status_code == 200
    assert SESSION_KEY in logged_in.session


def test_an_expired_session_on_the_login_page_shows_the_message_there(logged_in):
    last_active(logged_in, 4000)
    response = logged_in.get(reverse("login"))
    assert response.status_code == 200
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
    assert SESSION_KEY not in logged_in.session


@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=120)
def test_the_timeout_is_a_setting(logged_in):
    last_active(logged_in, 100)
    assert logged_in.get(reverse("plan-list")).status_code == 200
    last_active(logged_in, 121)
    response = logged_in.get(reverse("plan-list"), follow=True)
    assert "không hoạt động quá 2 phút" in response.content.decode()


def test_activity_is_written_at_most_once_a_minute(logged_in):
    last_active(logged_in, 30)
    before = stored(logged_in)
    for _ in range(3):
        assert logged_in.get(reverse("plan-list")).status_code == 200
    assert stored(logged_in) == before  # not written: neither the time nor the row's expiry

    last_active(logged_in, 90)
    written_at, written_expiry = stored(logged_in)
    assert logged_in.get(reverse("plan-list")).status_code == 200
    refreshed_at, expire_date = stored(logged_in)
    assert refreshed_at >= written_at + 89 and abs(refreshed_at - time.time()) <= 2
    assert expire_date > written_expiry


def test_logging_in_changes_the_session_key(client, officer):
    # A visitor's session, as an attacker could have planted it before the login.
    session = client.session
    session["dau-vet"] = "truoc-dang-nhap"
    session.save()
    planted = session.session_key
    assert client.post(reverse("login"), {"username": "canbo", "password": PASSWORD}).status_code == 302
    assert client.session.session_key != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert SESSION_KEY in client.session


def test_logging_out_ends_the_session(logged_in):
    key = logged_in.session.session_key
    logged_in.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
