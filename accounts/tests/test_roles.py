import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role, role_of

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrating_with_their_permissions():
    coordinator = Group.objects.get(name=GROUP_NAMES[Role.COORDINATOR])
    perms = set(coordinator.permissions.values_list("codename", flat=True))
    assert {"add_task", "change_plan", "change_holiday", "view_deadline", "view_progressreport"} <= perms
    assert not {"change_progressreport", "add_deadline", "change_deadline"} & perms
    assert not Group.objects.get(name=GROUP_NAMES[Role.LEADER]).permissions.exists()
    assert not Group.objects.get(name=GROUP_NAMES[Role.OFFICER]).permissions.exists()


def test_widest_role_wins():
    user = User.objects.create_user("canbo", password="x")
    assert role_of(user) is None
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))
    assert role_of(user) == Role.OFFICER
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.COORDINATOR]))
    assert role_of(user) == Role.COORDINATOR
