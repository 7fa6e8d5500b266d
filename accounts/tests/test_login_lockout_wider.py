"""The limits beyond one username on one address: an account guessed from many
addresses is locked everywhere for a longer cool-down, an address failing for many
usernames is blocked, and IPv6 clients count by their /64 (the findings of the second
security review, replayed)."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.tests.test_login_lockout import PASSWORD, WRONG, attempt, logged_in

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
NETWORK = "2001:db8:77:1"  # one IPv6 /64


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("canbo", password=PASSWORD)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_walking_an_ipv6_64_counts_as_one_address(client, officer):
    """The review: 4 wrong passwords from each of 8 addresses of one /64 behind the
    deployment's proxy, then the right password. Now the fifth failure from the /64 locks
    the pair, as from one address."""
    statuses = [
        attempt(client, "canbo", WRONG, remote=PROXY, forwarded=f"{NETWORK}::{host:x}").status_code
        for host in range(1, 9)
        for _ in range(4)
    ]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    assert attempt(client, "canbo", PASSWORD, remote=PROXY, forwarded=f"{NETWORK}::abcd").status_code == 429
    assert not logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"{NETWORK}::"}


def test_an_account_guessed_from_many_addresses_is_locked_everywhere(client, officer, caplog):
    caplog.set_level(logging.WARNING, logger="portal.auth")
    # Ten failures, two from each of five addresses: no pair reaches axes' limit of five.
    statuses = [
        attempt(client, "canbo", WRONG, remote=f"198.51.100.{n}").status_code
        for n in range(5)
        for _ in range(2)
    ]
    assert statuses == [200] * 9 + [429]
    locked = attempt(client, "canbo", PASSWORD, remote="192.0.2.200")
    assert locked.status_code == 429 and not logged_in(client)
    html = locked.content.decode()
    assert "Tài khoản này đã bị nhập sai mật khẩu 10 lần" in html and "mở khóa" in html
    assert 7000 < int(locked["Retry-After"]) <= 7200  # the longer cool-down: two hours
    assert any(
        "Login locked out (account, all addresses): user='canbo'" in r.getMessage() for r in caplog.records
    )
    # Two hours later the account opens again.
    AccessFailureLog.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=121)
    )
    assert attempt(client, "canbo", PASSWORD, remote="192.0.2.200").status_code == 302


def test_a_success_starts_the_account_count_again(client, officer):
    for n in range(9):
        assert attempt(client, "canbo", WRONG, remote=f"198.51.100.{n}").status_code == 200
    assert attempt(client, "canbo", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for n in range(9):
        assert attempt(client, "canbo", WRONG, remote=f"198.51.100.{n}").status_code == 200
    assert attempt(client, "canbo", PASSWORD).status_code == 302


def test_an_address_failing_for_many_usernames_is_blocked(client, django_user_model, caplog):
    """The review: 20 tries over several usernames from one address, none reaching the
    pair limit of five (here 4 each over 5 usernames). The 20th is refused, and so is
    anyone's login from there, even with the right password; other addresses are not."""
    caplog.set_level(logging.WARNING, logger="portal.auth")
    django_user_model.objects.create_user("nguoikhac", password=PASSWORD)
    names = ["canbo1", "canbo2", "canbo3", "canbo4", "canbo5"]
    statuses = [attempt(client, name, WRONG).status_code for _ in range(4) for name in names]
    assert statuses == [200] * 19 + [429]
    blocked = attempt(client, "nguoikhac", PASSWORD)
    assert blocked.status_code == 429 and "Từ địa chỉ mạng của bạn" in blocked.content.decode()
    assert any("Login locked out (address, all users)" in r.getMessage() for r in caplog.records)
    assert attempt(client, "nguoikhac", PASSWORD, remote="198.51.100.9").status_code == 302


def test_the_per_address_pair_limit_is_kept(client, officer):
    statuses = [attempt(client, "canbo", WRONG).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_an_administrator_unlocks_an_account(client, officer):
    for n in range(10):
        attempt(client, "canbo", WRONG, remote=f"198.51.100.{n}")
    assert attempt(client, "canbo", PASSWORD).status_code == 429
    call_command("login_unlock", "canbo")
    assert attempt(client, "canbo", PASSWORD).status_code == 302


def test_an_administrator_unblocks_an_address(client, django_user_model):
    django_user_model.objects.create_user("nguoikhac", password=PASSWORD)
    for n in range(20):
        attempt(client, f"khong-co-{n}", WRONG)
    assert attempt(client, "nguoikhac", PASSWORD).status_code == 429
    call_command("login_unlock", "--address", "203.0.113.5")
    assert attempt(client, "nguoikhac", PASSWORD).status_code == 302
