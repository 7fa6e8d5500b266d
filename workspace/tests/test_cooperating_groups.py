"""Task 5.1's cooperating agencies as Plan 139 words them: two collective phrases whose
members have access, shown and exported as written."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Agency, Task
from plans.services import deadline_sync_for_task
from plans.tests.fixtures import make_user

pytestmark = pytest.mark.django_db

PHRASE = "các sở, ban, ngành tỉnh; UBND các huyện, thị xã, thành phố"


@pytest.fixture
def task_5_1(today):
    call_command("load_plan139", stdout=io.StringIO())
    task = Task.objects.get(code="5.1")
    # The sources give no deadline: an admin has filled one in.
    task.schedule = Task.Schedule.ONE_OFF
    task.due_on = today + datetime.timedelta(days=20)
    task.full_clean()
    task.save()
    deadline_sync_for_task(task=task, today=today)
    return task


def officer_of(django_user_model, code):
    return make_user(django_user_model, f"canbo.{code}", "officer", Agency.objects.get(code=code))


def test_members_of_the_phrases_see_the_deadline_and_may_contribute(client, django_user_model, task_5_1):
    deadline = task_5_1.deadlines.get()
    url = reverse("deadline-detail", args=[deadline.pk])
    for code in ("so-y-te", "h-muong-nhe"):  # a department, a district
        client.force_login(officer_of(django_user_model, code))
        html = client.get(url).content.decode()
        assert f'id="deadline-cooperating">{PHRASE}</dd>' in html
        assert 'name="text"' in html  # the contribution form
        dashboard = client.get(reverse("agency-dashboard")).content.decode()
        assert task_5_1.title[:60] in dashboard  # among the tasks it cooperates on


def test_an_agency_outside_the_phrases_does_not_see_the_deadline(client, django_user_model, task_5_1):
    client.force_login(officer_of(django_user_model, "cong-an-tinh"))
    assert client.get(reverse("deadline-detail", args=[task_5_1.deadlines.get().pk])).status_code == 404


def test_the_lead_is_not_its_own_cooperator_though_the_phrase_includes_it(
    client, django_user_model, task_5_1
):
    client.force_login(officer_of(django_user_model, "so-tttt"))
    html = client.get(reverse("deadline-detail", args=[task_5_1.deadlines.get().pk])).content.decode()
    assert 'name="text"' not in html  # no contribution form: it reports as the lead
    assert 'name="narrative"' in html


def test_the_plan_page_and_the_excel_export_print_the_phrase(client, django_user_model, task_5_1):
    client.force_login(
        make_user(django_user_model, "ngoaivu", "coordinator", Agency.objects.get(code="so-ngoai-vu"))
    )
    html = client.get(reverse("plan-detail", args=[task_5_1.plan_id])).content.decode()
    assert f'Phối hợp: <span class="text-body">{PHRASE}</span>' in html
    response = client.get(reverse("deadline-list-export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Mã nhiệm vụ"] == "5.1"
    assert row["Cơ quan phối hợp"] == PHRASE
