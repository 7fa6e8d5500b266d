"""Password rules: at least 10 characters, not a common or all-digit password, not like the
user's own details; long passphrases with spaces and Vietnamese letters are welcome."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-hien-tai-2026"
# 64 characters: spaces and Vietnamese letters.
PASSPHRASE = "Hoa ban nở trắng núi rừng Điện Biên, mùa xuân về trên bản Mường."


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user(
        "nguyenvanan", password=PASSWORD, first_name="Nguyễn Văn An", email="an@dienbien.gov.vn"
    )


def refusals(password, user=None):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return refused.value.messages


def test_the_passphrase_is_64_characters():
    assert len(PASSPHRASE) == 64 and " " in PASSPHRASE and "Điện" in PASSPHRASE


def test_validate_password_refuses_weak_passwords_in_vietnamese(officer):
    assert refusals("Ab3$xyz") == ["Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."]
    assert refusals("password123") == ["Mật khẩu này quá phổ biến."]
    assert refusals("1234567890") == ["Mật khẩu này quá phổ biến.", "Mật khẩu này hoàn toàn là số."]
    assert refusals("9081726354") == ["Mật khẩu này hoàn toàn là số."]
    assert any("Mật khẩu quá giống với" in m for m in refusals("nguyenvanan1", officer))
    assert validate_password(PASSPHRASE, officer) is None
    assert validate_password("Ab3$xyz9kQ", officer) is None  # ten characters are enough


def change(client, new, confirm=None):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": confirm or new},
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab3$xyz", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."),
        ("password123", "Mật khẩu này quá phổ biến."),
        ("9081726354", "Mật khẩu này hoàn toàn là số."),
    ],
)
def test_the_password_page_refuses_weak_passwords_and_changes_nothing(client, officer, new, message):
    client.force_login(officer)
    response = change(client, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD) and not officer.check_password(new)


def test_a_64_character_passphrase_is_accepted_and_logs_in(client, officer):
    client.force_login(officer)
    response = change(client, PASSPHRASE)
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    client.post(reverse("logout"))
    # The old password no longer works; the passphrase does, through the login form.
    assert client.post(reverse("login"), {"username": "nguyenvanan", "password": PASSWORD}).status_code == 200
    response = client.post(reverse("login"), {"username": "nguyenvanan", "password": PASSPHRASE})
    assert response.status_code == 302 and response.url == reverse("home")
    assert SESSION_KEY in client.session
