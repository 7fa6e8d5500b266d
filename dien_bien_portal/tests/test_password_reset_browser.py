"""A forgotten password, end to end in a real browser: the officer asks for a link from
the login page, the portal sends it through a real local SMTP server (aiosmtpd, the one
the reminder tests use), the test reads the link from the message as delivered, and the
officer sets a new password and logs in with it."""

import email.policy
import re

import pytest
from django.contrib.auth import get_user_model

from workspace.tests.test_browser import chromium, watch_csp

OLD_PASSWORD = "Mat-khau-cu-2026-Dien-Bien"
NEW_PASSWORD = "Hoa-ban-no-trang-rung-2027"


@pytest.fixture
def mail_through_smtp(settings, smtp_server, smtp, live_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.SITE_URL = live_server.url
    return smtp


def text_of(message) -> str:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    return parsed.get_body(preferencelist=("plain",)).get_content()


def test_an_officer_resets_a_forgotten_password_from_the_email(
    transactional_db,
    live_server,
    chromium_path,
    mail_through_smtp,  # noqa: F811
):
    get_user_model().objects.create_user(
        "canbo.quenmk", password=OLD_PASSWORD, email="canbo.quenmk@dienbien.example", first_name="Cà Văn Quên"
    )
    violations = []
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
        watch_csp(page, violations)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("link", name="Quên mật khẩu?").click()
        page.get_by_label("Email của tài khoản").fill("canbo.quenmk@dienbien.example")
        page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
        assert "Nếu email vừa nhập thuộc một tài khoản" in page.get_by_role("status").inner_text()

        # The message as the SMTP server received it (sent while the request ran).
        [delivered] = mail_through_smtp.delivered
        assert delivered["to"] == ["canbo.quenmk@dienbien.example"]
        assert delivered["subject"] == "[Cổng đối ngoại Điện Biên] Đặt lại mật khẩu tài khoản canbo.quenmk"
        body = text_of(delivered["message"])
        [link] = re.findall(rf"{re.escape(live_server.url)}/accounts/password/reset/\S+/", body)

        page.goto(link)
        # Case-sensitive: "Mật khẩu mới", not "Xác nhận mật khẩu mới".
        page.get_by_label(re.compile("Mật khẩu mới")).fill(NEW_PASSWORD)
        page.get_by_label("Xác nhận mật khẩu mới").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Đặt mật khẩu mới").click()
        assert "Mật khẩu mới đã được lưu" in page.get_by_role("status").inner_text()

        page.get_by_role("link", name="Đăng nhập").last.click()
        page.get_by_label("Tên đăng nhập").fill("canbo.quenmk")
        page.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        # Logged in: past the login page, with the account in the (folded) menu.
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("#main-nav").get_by_text("canbo.quenmk").count() == 1
        page.evaluate("1")
    assert violations == [], "\n".join(violations)
    user = get_user_model().objects.get(username="canbo.quenmk")
    assert user.check_password(NEW_PASSWORD) and not user.check_password(OLD_PASSWORD)
