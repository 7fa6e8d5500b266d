"""The portal's authentication backend answers exactly as Django's model backend, with
fewer queries."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import AgencyModelBackend
from plans.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def people(django_user_model):
    group = Group.objects.create(name="Nhóm thử")
    group.permissions.add(Permission.objects.get(codename="view_task"))
    both = django_user_model.objects.create_user("ca-hai", agency=AgencyFactory())
    both.groups.add(group)
    both.user_permissions.add(Permission.objects.get(codename="add_holiday"))
    only_group = django_user_model.objects.create_user("nhom")
    only_group.groups.add(group, Group.objects.get(name="Lãnh đạo"))
    return {
        "both": both,
        "only_group": only_group,
        "only_own": django_user_model.objects.create_user("rieng"),
        "superuser": django_user_model.objects.create_superuser("quantri"),
        "inactive": django_user_model.objects.create_user("nghi", is_active=False),
        "none": django_user_model.objects.create_user("trong"),
    }


def test_permissions_are_those_of_the_model_backend(people):
    people["only_own"].user_permissions.add(Permission.objects.get(codename="change_deadline"))
    for name, user in people.items():
        expected = ModelBackend().get_all_permissions(fresh(user))
        assert AgencyModelBackend().get_all_permissions(fresh(user)) == expected, name
    assert {"plans.view_task", "plans.add_holiday"} <= AgencyModelBackend().get_all_permissions(
        people["both"]
    )
    assert AgencyModelBackend().get_all_permissions(fresh(people["inactive"])) == set()


def test_permissions_take_one_query_and_are_kept_for_the_request(people):
    user = fresh(people["both"])
    backend = AgencyModelBackend()
    with CaptureQueriesContext(connection) as ctx:
        assert backend.has_perm(user, "plans.view_task")
        assert backend.has_perm(user, "plans.add_holiday")
        assert not backend.has_perm(user, "plans.delete_plan")
    assert len(ctx.captured_queries) == 1


def test_the_user_comes_with_the_agency(people):
    with CaptureQueriesContext(connection) as ctx:
        user = AgencyModelBackend().get_user(people["both"].pk)
        assert user.agency.name
    assert len(ctx.captured_queries) == 1
    assert AgencyModelBackend().get_user(people["inactive"].pk) is None
    assert AgencyModelBackend().get_user(-1) is None
