"""People and deadlines of the agency workspace tests.

Agency A leads a task on which B cooperates; C has nothing to do with it. Users get
their roles through the real groups that ``migrate`` creates."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from plans.models import Deadline
from plans.tests.factories import AgencyFactory, TaskFactory

GROUPS = {
    "officer": "Cán bộ đơn vị",
    "coordinator": "Cán bộ đầu mối (Sở Ngoại vụ)",
    "leader": "Lãnh đạo",
}


def make_user(django_user_model, username, role, agency=None):
    user = django_user_model.objects.create_user(username, password="Mat-khau-2026", agency=agency)
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    return user


@pytest.fixture
def agencies():
    return {key: AgencyFactory(code=f"agency-{key}", short_name=f"ĐV {key.upper()}") for key in "abc"}


@pytest.fixture
def users(django_user_model, agencies):
    return {
        "officer_a": make_user(django_user_model, "canbo.a", "officer", agencies["a"]),
        "officer_b": make_user(django_user_model, "canbo.b", "officer", agencies["b"]),
        "officer_c": make_user(django_user_model, "canbo.c", "officer", agencies["c"]),
        "coordinator": make_user(
            django_user_model, "ngoaivu", "coordinator", AgencyFactory(code="so-ngoai-vu")
        ),
        "leader": make_user(django_user_model, "lanhdao", "leader"),
    }


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def task(agencies, today):
    """A one-off task led by A with B cooperating, due in 10 days."""
    task = TaskFactory(lead_agency=agencies["a"], due_on=today + datetime.timedelta(days=10))
    task.cooperating_agencies.add(agencies["b"])
    return task


@pytest.fixture
def deadline(task):
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=task.due_on,
        period_start=task.due_on.replace(month=1, day=1),
        period_label="Thời hạn",
    )
