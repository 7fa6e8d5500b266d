import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from plans.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrating_with_their_permissions():
    coordinator = Group.objects.get(name=GROUP_NAMES[Role.COORDINATOR])
    perms = set(coordinator.permissions.values_list("codename", flat=True))
    assert {"add_task", "change_plan", "change_holiday", "view_deadline", "view_progressreport"} <= perms
    assert {"view_all_agencies", "review_progressreport"} <= perms
    assert not {"change_progressreport", "add_deadline", "change_deadline"} & perms

    def codenames(role):
        return set(Group.objects.get(name=GROUP_NAMES[role]).permissions.values_list("codename", flat=True))

    # Leaders read everything and change nothing; officers see only their agency.
    assert codenames(Role.LEADER) == {"view_all_agencies"}
    assert codenames(Role.OFFICER) == {"submit_progressreport"}


def admin_user_form(**overrides):
    data = {
        "username": "canbo.moi",
        "first_name": "Nguyễn Văn A",
        "usable_password": "true",
        "password1": "Mot-mat-khau-dai-2026",
        "password2": "Mot-mat-khau-dai-2026",
    }
    data.update(overrides)
    return data


def test_officer_without_agency_is_refused_in_admin(admin_client):
    officer_group = Group.objects.get(name=GROUP_NAMES[Role.OFFICER])
    response = admin_client.post(
        reverse("admin:accounts_user_add"), admin_user_form(groups=[officer_group.pk])
    )
    assert response.status_code == 200
    assert "Cán bộ đơn vị phải thuộc một cơ quan, đơn vị." in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()

    agency = AgencyFactory()
    response = admin_client.post(
        reverse("admin:accounts_user_add"), admin_user_form(groups=[officer_group.pk], agency=agency.pk)
    )
    assert response.status_code == 302
    user = User.objects.get(username="canbo.moi")
    assert (user.agency, list(user.groups.values_list("name", flat=True))) == (
        agency,
        [GROUP_NAMES[Role.OFFICER]],
    )
