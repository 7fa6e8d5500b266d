"""One's own account page: name, email, phone and the reminder opt-in; nothing else of
the account can be changed there, and a refused form changes nothing."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(users):
    user = users["officer_a"]
    user.first_name = "Lò Thị Hoa"
    user.email = "hoa@dienbien.example"
    user.save()
    return user


def test_the_profile_shows_the_account_and_links_to_the_password_change(client, officer):
    client.force_login(officer)
    html = client.get(reverse("profile")).content.decode()
    assert 'value="Lò Thị Hoa"' in html and 'value="hoa@dienbien.example"' in html
    assert "Nhận email nhắc việc của đơn vị" in html
    assert f'href="{reverse("password_change")}"' in html
    # The menu leads to it from every page.
    assert f'href="{reverse("profile")}"' in client.get(reverse("deadline-list")).content.decode()


def test_the_user_changes_name_email_phone_and_opts_out_of_reminders(client, officer, agencies):
    client.force_login(officer)
    response = client.post(
        reverse("profile"),
        {
            "first_name": "Lò Thị Hoa Ban",
            "email": "hoaban@dienbien.example",
            "phone": "0215 3826 123",
            # Not fields of the page: ignored.
            "username": "khac",
            "agency": agencies["c"].pk,
            "is_staff": "on",
        },
        follow=True,
    )
    assert "Đã lưu thông tin tài khoản." in response.content.decode()
    saved = User.objects.get(pk=officer.pk)
    assert (saved.first_name, saved.email, saved.phone, saved.receives_reminders) == (
        "Lò Thị Hoa Ban",
        "hoaban@dienbien.example",
        "0215 3826 123",
        False,
    )
    assert (saved.username, saved.agency_id, saved.is_staff) == ("canbo.a", agencies["a"].pk, False)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "hoa-at-dienbien", "Địa chỉ email không hợp lệ, ví dụ: ten@dienbien.gov.vn."),
        ("phone", "gọi tôi", "Số điện thoại chỉ gồm chữ số"),
        ("first_name", "", "Trường này là bắt buộc."),
    ],
)
def test_a_bad_value_is_refused_in_vietnamese_and_nothing_changes(client, officer, field, value, message):
    client.force_login(officer)
    data = {"first_name": "Tên mới", "email": "moi@dienbien.example", "phone": "0912345678"}
    data[field] = value
    response = client.post(reverse("profile"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Thông tin chưa được lưu" in html
    saved = User.objects.get(pk=officer.pk)
    assert (saved.first_name, saved.email, saved.phone, saved.receives_reminders) == (
        "Lò Thị Hoa",
        "hoa@dienbien.example",
        "",
        True,
    )


def test_the_profile_needs_a_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
