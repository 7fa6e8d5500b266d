"""The Django admin, where plans are edited: every page loads, bad input is refused in
Vietnamese and nothing is saved, and saving a task regenerates its deadlines."""

import datetime
import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import Agency, AgencyGroup, ContentArea, Deadline, Holiday, Plan, Task
from plans.selectors import ReorganisationSpec
from plans.services import deadline_sync_for_task, reorganisation_apply
from plans.sources.sample import SAMPLE_PLAN_NUMBER
from plans.tests.factories import AgencyFactory, ContentAreaFactory, TaskFactory

D = datetime.date
pytestmark = pytest.mark.django_db


PASSWORD = "Mat-khau-demo-2026"


@pytest.fixture
def seeded():
    # The sample data placed around the real day: the admin's lists compute statuses
    # against it, so a fixed day would leave no deadline "due soon" once it has passed.
    call_command("seed_demo", password=PASSWORD, today=timezone.localdate(), stdout=io.StringIO())
    Holiday.objects.create(date=D(2026, 12, 31), kind=Holiday.Kind.DAY_OFF, name="Nghỉ bù")
    group = AgencyGroup.objects.create(name="Các sở, ban, ngành tỉnh")
    group.members.set(Agency.objects.filter(kind=Agency.Kind.DEPARTMENT))
    # A reorganisation event, so that its admin pages have a row to show.
    renamed = Agency(name="Sở Dân tộc và Tôn giáo", short_name="Sở DT&TG", code="so-dttg", kind="department")
    spec = ReorganisationSpec(
        kind="rename",
        effective_on=D(2025, 3, 1),
        predecessors=(Agency.objects.get(code="ban-dan-toc"),),
        successors=(renamed,),
        legal_basis="1/NQ-HĐND",
        legal_basis_date=D(2025, 2, 20),
    )
    reorganisation_apply(
        spec=spec, user=get_user_model().objects.get(username="admin"), today=D(2026, 11, 28)
    )


@pytest.fixture
def seeded_admin(client, seeded, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    return client


def url_name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


# The background-work app's admin pages are tested with its own data in tasks/tests, the
# login lockout's (axes) with login attempts in accounts/tests, the periodic reports' with a
# report in workspace/tests/test_periodic_report_pages.py, the import's saved agency names'
# with a name decided in an import in documents/tests/test_import_decisions.py.
@pytest.mark.parametrize(
    "model",
    [
        m
        for m in admin.site._registry
        if m._meta.app_label not in {"tasks", "axes"}
        and m._meta.label not in {"documents.PeriodicReport", "documents.AgencyNameMapping"}
    ],
    ids=lambda m: m._meta.label,
)
def test_every_changelist_add_and_change_page_loads_for_a_superuser(seeded_admin, model):
    model_admin = admin.site._registry[model]
    admin_client = seeded_admin
    assert admin_client.get(reverse(url_name(model, "changelist"))).status_code == 200
    add = admin_client.get(reverse(url_name(model, "add")))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)
    obj = model.objects.first()
    assert obj is not None, "the seeded data should hold a row of every model"
    assert admin_client.get(reverse(url_name(model, "change"), args=[obj.pk])).status_code == 200


def test_task_changelist_filters_by_computed_status(seeded_admin):
    admin_client = seeded_admin
    response = admin_client.get(reverse("admin:plans_task_changelist"), {"tinh_trang": "done_late"})
    codes = [task.code for task in response.context["cl"].result_list]
    assert codes == ["MAU-03"]
    response = admin_client.get(reverse("admin:plans_task_changelist"), {"q": "MAU-0"})
    assert response.context["cl"].result_count == 9


def test_deadline_changelist_filters_by_computed_status(seeded_admin):
    admin_client = seeded_admin
    response = admin_client.get(reverse("admin:plans_deadline_changelist"), {"tinh_trang": "due_soon"})
    assert response.status_code == 200
    assert {d.status for d in response.context["cl"].result_list} == {"due_soon"}


def plan_form(**overrides):
    data = {
        "number": "12/KH-UBND",
        "title": "Kế hoạch thử",
        "issuer": "UBND tỉnh Điện Biên",
        "status": "active",
        "period_start": "01/01/2020",
        "period_end": "31/12/2022",
        "coordinating_agency": AgencyFactory().pk,
        "summary": "",
        "source_note": "",
        "areas-TOTAL_FORMS": "1",
        "areas-INITIAL_FORMS": "0",
        "areas-0-number": "1",
        "areas-0-title": "Nội dung một",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def plan_change_form(task, **overrides):
    """The change form of a task's plan, with its one area inline, as the admin posts it."""
    plan, area = task.plan, task.area
    return plan_form(
        number=plan.number,
        title=plan.title,
        coordinating_agency=plan.coordinating_agency.pk,
        **{
            "areas-TOTAL_FORMS": "1",
            "areas-INITIAL_FORMS": "1",
            "areas-0-id": area.pk,
            "areas-0-plan": plan.pk,
            "areas-0-number": area.number,
            "areas-0-title": area.title,
        },
        **overrides,
    )


def test_plan_with_areas_is_added(admin_client):
    response = admin_client.post(reverse("admin:plans_plan_add"), plan_form())
    assert response.status_code == 302
    plan = Plan.objects.get(number="12/KH-UBND")
    assert plan.period_start == D(2020, 1, 1)
    assert list(plan.areas.values_list("number", "title")) == [(1, "Nội dung một")]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"number": "KH-12"}, "Số, ký hiệu văn bản “KH-12” không đúng mẫu."),
        ({"period_end": "31/12/2019"}, "Thời gian kết thúc không được trước thời gian bắt đầu."),
        (
            {"areas-TOTAL_FORMS": "2", "areas-1-number": "1", "areas-1-title": "Trùng số"},
            "Số thứ tự nội dung 1 bị trùng: mỗi nội dung một số riêng.",
        ),
    ],
    ids=["document-number", "period", "duplicate-area"],
)
def test_bad_plan_is_refused_in_vietnamese_and_nothing_saved(admin_client, overrides, message):
    response = admin_client.post(reverse("admin:plans_plan_add"), plan_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Plan.objects.count() == 0
    assert ContentArea.objects.count() == 0


def task_form(area, **overrides):
    data = {
        "plan": area.plan.pk,
        "area": area.pk,
        "code": "1.1",
        "title": "Nhiệm vụ thử",
        "description": "",
        "expected_output": "Báo cáo",
        "lead_agency": AgencyFactory().pk,
        "schedule": "yearly",
        "due_on": "",
        "due_day": "15",
        "due_month": "12",
        "report_cycle": "",
        "start_on": "",
        "source_note": "",
        # The deadlines the save creates were previewed and confirmed.
        "confirm_deadlines": "on",
        "deadlines-TOTAL_FORMS": "0",
        "deadlines-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_adding_a_task_generates_its_deadlines(admin_client):
    area = ContentAreaFactory(plan__period_start=D(2020, 1, 1), plan__period_end=D(2022, 12, 31))
    response = admin_client.post(reverse("admin:plans_task_add"), task_form(area))
    assert response.status_code == 302
    task = Task.objects.get(code="1.1")
    assert list(task.deadlines.values_list("due_on", flat=True)) == [
        D(2020, 12, 15),
        D(2021, 12, 15),
        D(2022, 12, 15),
    ]


def test_changing_a_task_schedule_in_admin_regenerates_future_deadlines(admin_client):
    area = ContentAreaFactory(plan__period_start=D(2020, 1, 1), plan__period_end=D(2035, 12, 31))
    admin_client.post(reverse("admin:plans_task_add"), task_form(area))
    task = Task.objects.get(code="1.1")
    past = set(task.deadlines.filter(due_on__lt=timezone.localdate()).values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:plans_task_change", args=[task.pk]),
        task_form(area, schedule="half_yearly", due_day="", due_month="", lead_agency=task.lead_agency.pk),
    )
    assert response.status_code == 302
    assert set(task.deadlines.filter(due_on__lt=timezone.localdate()).values_list("pk", flat=True)) == past
    future = task.deadlines.filter(due_on__gte=timezone.localdate())
    assert future.exists()
    assert {(d.month, d.day) for d in future.values_list("due_on", flat=True)} == {(6, 30), (12, 31)}


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"lead_agency": ""}, "Mỗi nhiệm vụ phải có một cơ quan chủ trì."),
        (
            {"schedule": "one_off", "due_on": "31/12/2023", "due_day": "", "due_month": ""},
            "Hạn 31/12/2023 nằm ngoài thời gian của kế hoạch (01/01/2020 – 31/12/2022).",
        ),
        ({"due_month": ""}, "Nhiệm vụ hằng năm cần ngày và tháng hạn (ví dụ 15/12)."),
        ({"schedule": "ongoing", "due_day": "", "due_month": ""}, "Nhiệm vụ thường xuyên cần kỳ báo cáo."),
    ],
    ids=["no-lead", "one-off-outside-period", "yearly-without-month", "ongoing-without-cycle"],
)
def test_bad_task_is_refused_in_vietnamese_and_nothing_saved(admin_client, overrides, field_message):
    area = ContentAreaFactory(plan__period_start=D(2020, 1, 1), plan__period_end=D(2022, 12, 31))
    response = admin_client.post(reverse("admin:plans_task_add"), task_form(area, **overrides))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert Task.objects.count() == 0
    assert Deadline.objects.count() == 0


def test_lead_agency_cannot_also_cooperate(admin_client):
    area = ContentAreaFactory()
    lead = AgencyFactory(short_name="Sở TT&TT")
    response = admin_client.post(
        reverse("admin:plans_task_add"),
        task_form(area, lead_agency=lead.pk, cooperating_agencies=[lead.pk]),
    )
    assert (
        "Sở TT&amp;TT đã là cơ quan chủ trì, không đồng thời là cơ quan phối hợp."
        in response.content.decode()
    )
    assert Task.objects.count() == 0


def test_changing_the_plan_period_regenerates_deadlines(admin_client):
    task = TaskFactory(
        schedule="yearly", due_on=None, due_day=1, due_month=6, area__plan__period_end=D(2030, 12, 31)
    )
    deadline_sync_for_task(task=task)
    data = plan_change_form(task, period_start="01/01/2019", period_end="31/12/2040")
    response = admin_client.post(reverse("admin:plans_plan_change", args=[task.plan.pk]), data)
    assert response.status_code == 302
    assert task.deadlines.order_by("due_on").last().due_on == D(2040, 6, 1)


def test_coordinator_edits_plans_and_only_reads_reports(client, seeded, django_user_model):
    client.force_login(django_user_model.objects.get(username="ngoaivu"))
    assert client.get(reverse("admin:plans_task_add")).status_code == 200
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 200
    assert client.get(reverse("admin:plans_progressreport_changelist")).status_code == 200
    assert client.get(reverse("admin:plans_progressreport_add")).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_report_evidence_in_admin_links_to_the_checked_download(admin_client):
    from django.utils import timezone

    from plans.models import EvidenceFile
    from plans.tests.factories import ProgressReportFactory

    task = TaskFactory()
    deadline_sync_for_task(task=task)
    report = ProgressReportFactory(deadline=task.deadlines.get(), pending=True)
    evidence = EvidenceFile.objects.create(
        report=report,
        file="evidence/2026/11/x.pdf",
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=3,
        uploaded_at=timezone.now(),
    )
    html = admin_client.get(reverse("admin:plans_progressreport_change", args=[report.pk])).content.decode()
    assert f'href="{reverse("evidence-download", args=[evidence.pk])}">bien-ban.pdf</a>' in html
    assert "evidence/2026/11/x.pdf" not in html
    assert admin_client.get(reverse("admin:plans_contribution_changelist")).status_code == 200


@pytest.mark.parametrize("username", ["sotttt", "lanhdao"])
def test_officers_and_leaders_have_no_admin(client, seeded, username, django_user_model):
    client.force_login(django_user_model.objects.get(username=username))
    response = client.get(reverse("admin:plans_task_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_area_filter_lists_the_chosen_plan_areas_and_filters_tasks(seeded_admin):
    plan = Plan.objects.get(number="139/KH-UBND")
    other_area = ContentAreaFactory(title="Nội dung của kế hoạch khác")
    area5 = plan.areas.get(number=5)
    url = reverse("admin:plans_task_changelist")
    response = seeded_admin.get(url, {"plan__id__exact": plan.pk, "area": area5.pk})
    assert {task.area_id for task in response.context["cl"].result_list} == {area5.pk}
    specs = response.context["cl"].filter_specs
    area_filter = next(spec for spec in specs if getattr(spec, "parameter_name", "") == "area")
    labels = [label for _pk, label in area_filter.lookup_choices]
    assert "139/KH-UBND – 5. Công tác thông tin đối ngoại" in labels
    assert len(labels) == 9 and not any(other_area.title[:20] in label for label in labels)


def test_plan_period_that_would_leave_a_one_off_deadline_outside_is_refused(admin_client):
    task = TaskFactory(code="2.3", due_on=D(2026, 12, 31), area__plan__period_end=D(2030, 12, 31))
    plan = task.plan
    data = plan_change_form(task, period_start="01/01/2019", period_end="31/12/2025")
    response = admin_client.post(reverse("admin:plans_plan_change", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "Thời gian mới không chứa hạn của các nhiệm vụ: 2.3 (31/12/2026)." in response.content.decode()
    plan.refresh_from_db()
    assert plan.period_end == D(2030, 12, 31)


def test_one_off_task_cannot_start_after_its_deadline(admin_client):
    area = ContentAreaFactory(plan__period_start=D(2020, 1, 1), plan__period_end=D(2022, 12, 31))
    data = task_form(
        area, schedule="one_off", due_on="30/06/2021", due_day="", due_month="", start_on="01/07/2021"
    )
    response = admin_client.post(reverse("admin:plans_task_add"), data)
    assert "Ngày bắt đầu không được sau hạn hoàn thành." in response.content.decode()
    assert Task.objects.count() == 0


def test_a_plan_without_reports_can_be_deleted_with_its_tasks(admin_client):
    task = TaskFactory()
    deadline_sync_for_task(task=task)
    response = admin_client.post(reverse("admin:plans_plan_delete", args=[task.plan.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Plan.objects.exists() and not Task.objects.exists() and not Deadline.objects.exists()


def test_a_plan_whose_deadlines_have_reports_cannot_be_deleted(seeded_admin):
    plan = Plan.objects.get(number=SAMPLE_PLAN_NUMBER)
    response = seeded_admin.post(reverse("admin:plans_plan_delete", args=[plan.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "báo cáo tiến độ" in response.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_admin_search_folds_vietnamese_case(seeded_admin):
    response = seeded_admin.get(reverse("admin:plans_agency_changelist"), {"q": "điện biên"})
    names = {agency.name for agency in response.context["cl"].result_list}
    assert names == set(Agency.objects.filter(name__contains="Điện Biên").values_list("name", flat=True))
    assert len(names) == 4
    response = seeded_admin.get(reverse("admin:plans_agency_changelist"), {"q": "ủy ban"})
    assert [agency.code for agency in response.context["cl"].result_list] == ["ubmttq-tinh"]


def admin_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in ctx.captured_queries]


# Statuses are computed from each deadline's own columns: no status list joins the
# reports to find completions (the accepted-completion condition), and the status
# expression (found by its overdue branch) runs for a list's page only, not for its count,
# date hierarchy or filters (the task page twice: its deadlines and its current status).
@pytest.mark.parametrize(
    "url, status_expressions",
    [("/admin/plans/task/", 1), ("/admin/plans/deadline/", 1), ("/admin/plans/task/{task}/change/", 2)],
)
def test_status_pages_read_the_calendar_once_and_do_not_grow_with_data(seeded_admin, url, status_expressions):
    url = url.format(task=Task.objects.get(code="MAU-13").pk)
    admin_queries(seeded_admin, url)  # first request fills per-process caches
    small = admin_queries(seeded_admin, url)
    assert sum('"plans_holiday"' in sql for sql in small) == 1
    assert sum(sql.count(""""review_state" = 'accepted'""") for sql in small) == 0
    assert sum(sql.count("THEN 'overdue'") for sql in small) == status_expressions
    area = ContentArea.objects.get(plan__number="139/KH-UBND", number=2)
    for _ in range(30):
        task = TaskFactory(
            area=area, plan=area.plan, lead_agency=AgencyFactory(), due_on=None, schedule="quarterly"
        )
        deadline_sync_for_task(task=task)
    assert len(admin_queries(seeded_admin, url)) == len(small)


def test_area_autocomplete_labels_areas_with_their_plan_in_constant_queries(seeded_admin):
    url = "/admin/autocomplete/?app_label=plans&model_name=task&field_name=area&term=công tác"
    admin_queries(seeded_admin, url)  # first request fills per-process caches
    before = len(admin_queries(seeded_admin, url))
    for number in range(10, 16):
        ContentAreaFactory(number=number, title=f"Công tác thử {number}")
    response = seeded_admin.get(url)
    labels = [result["text"] for result in response.json()["results"]]
    assert "139/KH-UBND – 4. Công tác ngoại giao văn hóa" in labels
    assert len(labels) == 18  # Plan 139's, the sample plan's and the six new ones
    assert len(admin_queries(seeded_admin, url)) == before
