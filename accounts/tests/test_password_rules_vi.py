"""The second review's weak passwords: "matkhau123", "dienbien2026" (Vietnamese common
passwords, Django's own list being English) and "bfuser2bfuser2" (the username twice)
are refused wherever a password is set or changed, and so is anything under 10
characters."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.validators import VIETNAMESE_COMMON_PASSWORDS

pytestmark = pytest.mark.django_db

CURRENT = "Mat-khau-hien-tai-2026"
COMMON = "Mật khẩu này quá phổ biến."
HAS_USERNAME = "Mật khẩu không được chứa tên đăng nhập."
TOO_SHORT = "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."
WEAK = [
    ("matkhau123", COMMON),
    ("dienbien2026", COMMON),
    ("anhyeuem123", COMMON),
    ("DienBien@2025", COMMON),  # compared in lower case
    ("bfuser2bfuser2", HAS_USERNAME),
    ("Xy7#kq2Lm", TOO_SHORT),  # nine characters
]


@pytest.fixture
def bfuser(django_user_model):
    return django_user_model.objects.create_user("bfuser2", password=CURRENT)


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("quantri", password=CURRENT))
    return client


def test_the_list_notes_its_sources_and_holds_the_reviews_examples():
    lines = VIETNAMESE_COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and "build_common_vi.py" in lines[1]
    assert {"matkhau123", "dienbien2026", "qwertyuiop"} <= set(lines)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_validate_password_refuses(bfuser, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, bfuser)
    assert message in refused.value.messages


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_the_password_page_refuses_and_changes_nothing(client, bfuser, password, message):
    client.force_login(bfuser)
    response = client.post(
        reverse("password_change"),
        {"old_password": CURRENT, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200 and message in response.content.decode()
    bfuser.refresh_from_db()
    assert bfuser.check_password(CURRENT)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_the_admins_set_password_form_refuses(admin_client, bfuser, password, message):
    url = reverse("admin:auth_user_password_change", args=[bfuser.pk])
    response = admin_client.post(
        url, {"password1": password, "password2": password, "usable_password": "true"}
    )
    assert response.status_code == 200 and message in response.content.decode()
    bfuser.refresh_from_db()
    assert bfuser.check_password(CURRENT)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_the_admins_new_user_form_refuses(admin_client, django_user_model, password, message):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "bfuser2", "password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not django_user_model.objects.filter(username="bfuser2").exists()


def test_a_strong_password_still_passes(admin_client, django_user_model):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "bfuser2", "password1": "Hoa ban trắng 2026", "password2": "Hoa ban trắng 2026"},
    )
    assert response.status_code == 302
    assert django_user_model.objects.get(username="bfuser2").check_password("Hoa ban trắng 2026")
