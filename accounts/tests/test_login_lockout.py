"""Brute force: five wrong passwords for one username from one address lock that pair out
(HTTP 429, a Vietnamese page), whatever X-Forwarded-For says; every login, failure and
logout is logged with the username and address, never the password."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-dung-2026"
WRONG = "Mat-khau-sai-0000"
CLIENT = "203.0.113.5"
PROXY = "10.0.0.2"


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("canbo", password=PASSWORD)


@pytest.fixture
def colleague(django_user_model):
    return django_user_model.objects.create_user("dongnghiep", password=PASSWORD)


def attempt(client, username, password, *, remote=CLIENT, forwarded=None, agent=None, url=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if agent is not None:
        extra["HTTP_USER_AGENT"] = agent
    return client.post(url or reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_five_failures_lock_the_user_out_even_with_the_right_password(client, officer):
    statuses = [attempt(client, "canbo", WRONG).status_code for _ in range(5)]
    # The form answers the first four; the fifth failure reaches the limit and is refused.
    assert statuses == [200, 200, 200, 200, 429]
    locked = attempt(client, "canbo", PASSWORD)
    assert locked.status_code == 429
    assert not logged_in(client)

    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html and "thử lại sau 30 phút" in html
    assert locked["Retry-After"] == "1800"
    for internal in ["axes", "Axes", "AccessAttempt", "Traceback", "ip_address", WRONG, PASSWORD]:
        assert internal not in html
    # What axes keeps holds no password either.
    attempt_row = AccessAttempt.objects.get(username="canbo")
    assert (attempt_row.ip_address, attempt_row.failures_since_start) == (CLIENT, 6)
    assert WRONG not in attempt_row.post_data and PASSWORD not in attempt_row.post_data


def test_the_lockout_ends_after_the_cool_off(client, officer):
    for _ in range(5):
        attempt(client, "canbo", WRONG)
    assert attempt(client, "canbo", PASSWORD).status_code == 429
    # Thirty minutes later (the attempts' time moved back rather than waiting).
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )
    response = attempt(client, "canbo", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_success_resets_the_count(client, officer):
    for _ in range(4):
        assert attempt(client, "canbo", WRONG).status_code == 200
    assert attempt(client, "canbo", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, "canbo", WRONG).status_code == 200
    assert attempt(client, "canbo", PASSWORD).status_code == 302


def test_the_lock_holds_one_username_on_one_address_only(client, officer, colleague):
    for _ in range(5):
        attempt(client, "canbo", WRONG)
    assert attempt(client, "canbo", PASSWORD).status_code == 429
    # A colleague in the same office (same address) still logs in,
    assert attempt(client, "dongnghiep", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    # and so does the locked user from another address.
    assert attempt(client, "canbo", PASSWORD, remote="198.51.100.77").status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(client, officer):
    """No trusted proxy (the default): X-Forwarded-For is ignored, REMOTE_ADDR counts; a
    changing User-Agent does not help either."""
    for n in range(5):
        attempt(client, "canbo", WRONG, forwarded=f"198.51.100.{n}", agent=f"Mozilla/5.0 (thu-{n})")
    assert attempt(client, "canbo", PASSWORD, forwarded="198.51.100.200").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_appended_counts_and_forged_entries_do_not(client, officer):
    # The client sends a different forged X-Forwarded-For each time; the proxy appends the
    # address it saw, and connects to the portal from its own address.
    for n in range(5):
        attempt(client, "canbo", WRONG, remote=PROXY, forwarded=f"198.51.100.{n}, 192.0.2.{n}, {CLIENT}")
    assert attempt(client, "canbo", PASSWORD, remote=PROXY, forwarded=f"1.2.3.4, {CLIENT}").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    # Someone else behind the same proxy is another address, not locked with them.
    assert attempt(client, "canbo", PASSWORD, remote=PROXY, forwarded="203.0.113.99").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_request_that_bypassed_it_counts_by_its_own_address(client, officer):
    # No X-Forwarded-For at all: the connection's peer is the only trustworthy address.
    for _ in range(5):
        attempt(client, "canbo", WRONG, remote=CLIENT)
    assert attempt(client, "canbo", PASSWORD, remote=CLIENT).status_code == 429


def test_the_admin_login_is_protected_too(client, django_user_model):
    django_user_model.objects.create_user("quantri", password=PASSWORD, is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    statuses = [attempt(client, "quantri", WRONG, url=admin_login).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = attempt(client, "quantri", PASSWORD, url=admin_login)
    assert locked.status_code == 429 and "Tạm khóa đăng nhập" in locked.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # still not logged in


def test_attempts_and_logins_are_listed_in_the_admin_in_vietnamese(client, officer, colleague, admin_user):
    for _ in range(2):
        attempt(client, "canbo", WRONG)
    attempt(client, "dongnghiep", PASSWORD)
    client.force_login(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Chống dò mật khẩu" in index and "Lượt đăng nhập sai" in index and "Nhật ký đăng nhập" in index
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "canbo" in attempts and "Địa chỉ IP" in attempts and CLIENT in attempts
    row = AccessAttempt.objects.get(username="canbo")
    assert client.get(reverse("admin:axes_accessattempt_change", args=[row.pk])).status_code == 200
    logs = client.get(reverse("admin:axes_accesslog_changelist"))
    assert logs.status_code == 200 and "dongnghiep" in logs.content.decode()
    log = AccessLog.objects.get(username="dongnghiep", ip_address=CLIENT)
    assert client.get(reverse("admin:axes_accesslog_change", args=[log.pk])).status_code == 200


def test_logins_failures_and_logouts_are_logged_without_the_password(client, officer, caplog):
    caplog.set_level(logging.INFO)
    attempt(client, "canbo", WRONG)
    attempt(client, "canbo", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=CLIENT)
    auth = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "portal.auth"]
    assert auth == [
        (logging.WARNING, f"Login failed: user='canbo' address={CLIENT}"),
        (logging.INFO, f"Login succeeded: user='canbo' address={CLIENT}"),
        (logging.INFO, f"Logout: user='canbo' address={CLIENT}"),
    ]
    # No logger at all (axes' included) wrote either password.
    assert WRONG not in caplog.text and PASSWORD not in caplog.text


def test_a_lockout_is_logged(client, officer, caplog):
    caplog.set_level(logging.INFO, logger="portal.auth")
    for _ in range(5):
        attempt(client, "canbo", WRONG)
    locked = [r for r in caplog.records if r.name == "portal.auth" and "locked out" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in locked] == [
        (logging.WARNING, f"Login locked out: user='canbo' address={CLIENT}")
    ]
