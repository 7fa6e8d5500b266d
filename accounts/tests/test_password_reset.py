"""A forgotten password reset by email (Django's own views, Vietnamese pages and mail):
the same answer whether or not an account has the address, limited per client address
and per email, and a completed reset lifts the account's login lockout."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-dung-2026"
NEW_PASSWORD = "Mua-xuan-Muong-Thanh-2027"
WRONG = "Mat-khau-sai-0000"
CLIENT = "203.0.113.5"
SITE_URL = "https://doingoai.dienbien.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user(
        "canbo", password=PASSWORD, email="canbo@dienbien.example", first_name="Lò Văn Pọm"
    )


def request_reset(client, email, *, remote=CLIENT):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=remote)


def reset_link(message) -> str:
    [link] = re.findall(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body)
    return link


def test_the_owner_gets_a_link_to_the_portal_and_sets_a_new_password(client, officer):
    response = request_reset(client, "CanBo@dienbien.example")

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["canbo@dienbien.example"]
    assert message.subject == "[Cổng đối ngoại Điện Biên] Đặt lại mật khẩu tài khoản canbo"
    assert "Kính gửi Lò Văn Pọm" in message.body and "trong 2 giờ" in message.body
    link = reset_link(message)
    assert link.startswith(SITE_URL + "/accounts/password/reset/")
    # The HTML part carries the same link.
    assert link in message.alternatives[0][0]

    form_page = client.get(link.removeprefix(SITE_URL), follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Mật khẩu mới đã được lưu" in done.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link.removeprefix(SITE_URL), follow=True).content.decode()
    assert "Đường dẫn đặt lại mật khẩu không dùng được" in again


def test_the_answer_does_not_tell_whether_an_account_exists(client, django_user_model, officer):
    django_user_model.objects.create_user("nghiviec", email="nghiviec@dienbien.example", is_active=False)
    django_user_model.objects.create_user("khongmail", email="")

    answers = []
    for email in ["canbo@dienbien.example", "khong-ai@dienbien.example", "nghiviec@dienbien.example"]:
        response = request_reset(client, email)
        page = client.get(response.url)
        answers.append((response.status_code, response.url, page.content.decode()))

    assert answers[0] == answers[1] == answers[2]
    assert "Nếu email vừa nhập thuộc một tài khoản đang hoạt động" in answers[0][2]
    # Only the active account with that address got a message.
    assert [message.to for message in mail.outbox] == [["canbo@dienbien.example"]]


def test_a_bad_address_is_refused_in_vietnamese(client, officer):
    response = request_reset(client, "khong-phai-email")
    assert response.status_code == 200
    assert "Địa chỉ email không hợp lệ" in response.content.decode()
    assert mail.outbox == []


def test_one_email_gets_at_most_three_links_an_hour_and_the_page_says_nothing(client, officer, settings):
    answers = [request_reset(client, "canbo@dienbien.example", remote=f"203.0.113.{n}") for n in range(5)]

    assert {(answer.status_code, answer.url) for answer in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 3


def test_one_client_address_is_stopped_after_ten_requests(client, officer):
    answers = [request_reset(client, f"nguoi{n}@dienbien.example").status_code for n in range(11)]
    assert answers == [302] * 10 + [429]

    refused = request_reset(client, "canbo@dienbien.example")
    assert refused.status_code == 429
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in refused.content.decode()
    assert mail.outbox == []
    # Another address is not affected.
    assert request_reset(client, "canbo@dienbien.example", remote="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 1


def test_the_new_password_follows_the_portals_rules(client, officer):
    request_reset(client, "canbo@dienbien.example")
    form_page = client.get(reset_link(mail.outbox[0]).removeprefix(SITE_URL), follow=True)
    refused = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "matkhau123", "new_password2": "matkhau123"}
    )
    assert refused.status_code == 200
    assert "Mật khẩu này quá phổ biến." in refused.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_lockout_page_offers_the_reset_and_a_reset_lifts_the_lockout(client, officer):
    for _ in range(5):
        client.post(reverse("login"), {"username": "canbo", "password": WRONG}, REMOTE_ADDR=CLIENT)
    locked = client.post(reverse("login"), {"username": "canbo", "password": PASSWORD}, REMOTE_ADDR=CLIENT)
    assert locked.status_code == 429
    assert f'href="{reverse("password_reset")}"' in locked.content.decode()
    assert "đặt xong, tài khoản được mở khóa" in locked.content.decode()

    request_reset(client, "canbo@dienbien.example")
    form_page = client.get(reset_link(mail.outbox[0]).removeprefix(SITE_URL), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    logged_in = client.post(
        reverse("login"), {"username": "canbo", "password": NEW_PASSWORD}, REMOTE_ADDR=CLIENT
    )
    assert logged_in.status_code == 302


def test_the_login_page_links_to_the_reset(client):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).content.decode()


def test_every_accepted_request_takes_the_same_least_time(client, officer, settings):
    """Sending takes time only for an existing account: the answer waits for
    PASSWORD_RESET_MIN_SECONDS in every case, so its delay does not tell."""
    settings.PASSWORD_RESET_MIN_SECONDS = 0.3
    durations = {}
    for email in ["canbo@dienbien.example", "khong-ai@dienbien.example"]:
        started = time.monotonic()
        assert request_reset(client, email).status_code == 302
        durations[email] = time.monotonic() - started
    assert min(durations.values()) >= 0.3, durations
    assert len(mail.outbox) == 1


def test_an_address_block_offers_the_reset_without_promising_to_lift_it(client, officer, settings):
    """A reset lifts the account's lockouts, not the block of an address that failed for
    many usernames: that page offers the reset but does not say it unlocks."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for name in ["canbo1", "canbo2", "canbo3"]:
        client.post(reverse("login"), {"username": name, "password": WRONG}, REMOTE_ADDR=CLIENT)
    blocked = client.post(reverse("login"), {"username": "canbo", "password": PASSWORD}, REMOTE_ADDR=CLIENT)
    html = blocked.content.decode()
    assert blocked.status_code == 429 and "Từ địa chỉ mạng của bạn" in html
    assert f'href="{reverse("password_reset")}"' in html
    assert "tài khoản được mở khóa" not in html
