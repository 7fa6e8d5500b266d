"""Change history: every change to plans, areas, tasks, deadlines, reports and holiday
corrections is recorded
with who made it and what changed, and the admin shows it in Vietnamese."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from plans.history import HistoryBypassError, RecordedQuerySet
from plans.models import ContentArea, Deadline, Holiday, Plan, ProgressReport, Task
from plans.services import deadline_sync_for_task
from plans.tests.factories import AgencyFactory, TaskFactory

pytestmark = pytest.mark.django_db

D = datetime.date
RECORDED = [Plan, ContentArea, Task, Deadline, ProgressReport, Holiday]


def recorded_models():
    return [
        model
        for model in apps.get_app_config("plans").get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ]


def test_the_plan_domain_is_recorded():
    assert sorted(model.__name__ for model in recorded_models()) == sorted(m.__name__ for m in RECORDED)


@pytest.mark.parametrize("model", RECORDED, ids=lambda model: model.__name__)
def test_queryset_update_is_refused_on_recorded_models(model):
    # update() sends no signal, so it would change rows without a history record.
    assert isinstance(model.objects.all(), RecordedQuerySet)
    with pytest.raises(HistoryBypassError, match="without recording"):
        model.objects.filter(pk=-1).update(pk=-2)


def test_every_recorded_model_guards_its_default_manager():
    # A model given history later must also get the guard.
    for model in recorded_models():
        assert isinstance(model._default_manager.all(), RecordedQuerySet), model.__name__


def test_admin_edit_of_a_task_records_who_and_what(admin_client, admin_user):
    task = TaskFactory(schedule="yearly", due_day=15, due_month=12, due_on=None)
    new_partner = AgencyFactory(short_name="Sở Y tế")
    url = reverse("admin:plans_task_change", args=[task.pk])
    data = {
        "plan": task.plan.pk,
        "area": task.area.pk,
        "code": task.code,
        "title": "Tiêu đề đã sửa",
        "description": "",
        "expected_output": task.expected_output,
        "lead_agency": task.lead_agency.pk,
        "cooperating_agencies": [new_partner.pk],
        "schedule": "yearly",
        "due_on": "",
        "due_day": "15",
        "due_month": "12",
        "report_cycle": "",
        "start_on": "",
        "source_note": "",
        "deadlines-TOTAL_FORMS": "0",
        "deadlines-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    latest = task.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    changes = {
        change.field: (change.old, change.new)
        for change in latest.diff_against(task.history.earliest()).changes
    }
    assert changes["title"] == (task.title, "Tiêu đề đã sửa")
    assert [row["agency"] for row in changes["cooperating_agencies"][1]] == [new_partner.pk]

    page = admin_client.get(reverse("admin:plans_task_history", args=[task.pk])).content.decode()
    assert "Lịch sử thay đổi: " in page
    assert "Người thực hiện" in page and "Nội dung thay đổi" in page
    assert (
        "<strong>Nhiệm vụ:</strong>" in page and "Tiêu đề đã sửa" in page
    )  # field's verbose name, old → new
    assert admin_user.username in page


def test_a_report_and_its_review_are_recorded_with_their_users(client, users, deadline):
    client.force_login(users["officer_a"])
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "done", "percent": "100", "narrative": "Đã hoàn thành."},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(deadline=deadline)
    client.force_login(users["coordinator"])
    client.post(reverse("report-review", args=[report.pk]), {"decision": "accept"})

    versions = list(
        report.history.order_by("history_date").values_list("history_user__username", "review_state")
    )
    assert versions == [("canbo.a", "submitted"), ("ngoaivu", "accepted")]


def test_generated_and_deleted_deadlines_are_recorded():
    task = TaskFactory(
        schedule="quarterly",
        due_on=None,
        area__plan__period_start=D(2030, 1, 1),
        area__plan__period_end=D(2030, 12, 31),
    )
    deadline_sync_for_task(task=task, today=D(2029, 6, 1))
    created = Deadline.history.filter(task_id=task.pk, history_type="+")
    assert created.count() == 4 == task.deadlines.count()

    task.schedule = "half_yearly"
    task.save()
    deadline_sync_for_task(task=task, today=D(2029, 6, 1))
    deleted = set(Deadline.history.filter(task_id=task.pk, history_type="-").values_list("due_on", flat=True))
    assert deleted == {D(2030, 3, 31), D(2030, 9, 30)}


def test_history_of_a_plan_is_shown_in_admin(admin_client):
    plan = TaskFactory().plan
    plan.title = "Trích yếu mới"
    plan.save()
    page = admin_client.get(reverse("admin:plans_plan_history", args=[plan.pk])).content.decode()
    assert page.count("<tr>") >= 3  # header + created + changed
    assert "Tạo mới" in page and "Sửa" in page and "Trích yếu mới" in page
