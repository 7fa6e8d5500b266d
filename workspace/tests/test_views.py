"""The portal's plan pages: login required, Vietnamese, dd/mm/yyyy, constant queries."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Agency
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("canbo", password="Mat-khau-2026", agency=AgencyFactory())


def test_anonymous_user_is_sent_to_login(client):
    for url in [reverse("home"), reverse("plan-list"), reverse("plan-detail", args=[PlanFactory().pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese_and_loads_nothing_from_outside(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "https://" not in html and "http://" not in html


def test_login_takes_the_user_home(client, officer):
    response = client.post(reverse("login"), {"username": "canbo", "password": "Mat-khau-2026"})
    assert response.status_code == 302 and response.url == reverse("home")


def test_plan_list_and_detail_show_the_plan_with_dates_as_dd_mm_yyyy(client, officer):
    client.force_login(officer)
    plan = PlanFactory(number="139/KH-UBND", period_start=datetime.date(2019, 1, 5), period_end=None)
    task = TaskFactory(area__plan=plan, area__number=5, code="5.1", due_on=datetime.date(2019, 2, 3))
    listing = client.get(reverse("plan-list")).content.decode()
    assert "139/KH-UBND" in listing and "Từ 05/01/2019 (không thời hạn)" in listing
    detail = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert task.title in detail and "03/02/2019" in detail
    assert str(task.lead_agency) in detail


def test_a_draft_plan_is_shown_only_to_those_who_edit_plans(client, officer, django_user_model):
    draft = PlanFactory(number="200/KH-UBND", status="draft", title="Dự thảo kế hoạch")
    client.force_login(officer)
    assert "200/KH-UBND" not in client.get(reverse("plan-list")).content.decode()
    assert client.get(reverse("plan-detail", args=[draft.pk])).status_code == 404
    coordinator = django_user_model.objects.create_user("ngoaivu", agency=AgencyFactory())
    coordinator.groups.add(Group.objects.get(name="Cán bộ đầu mối (Sở Ngoại vụ)"))
    client.force_login(coordinator)
    assert "200/KH-UBND" in client.get(reverse("plan-list")).content.decode()
    assert "Dự thảo kế hoạch" in client.get(reverse("plan-detail", args=[draft.pk])).content.decode()


def test_unknown_plan_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("plan-detail", args=[999999])).status_code == 404


def make_plan_content(plan, tasks):
    cooperating = AgencyFactory()
    area = ContentAreaFactory(plan=plan)
    for n in range(tasks):
        task = TaskFactory(area=area, plan=plan, lead_agency=AgencyFactory(code=f"lead-{plan.pk}-{n % 7}"))
        task.cooperating_agencies.add(cooperating)


def queries_for(client, url):
    # The menu's counts are kept between requests (workspace.page_cache): count them afresh
    # every time, as after any change.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_plan_pages_run_a_constant_number_of_queries(client, officer):
    client.force_login(officer)
    small, large = PlanFactory(), PlanFactory()
    make_plan_content(small, 3)
    make_plan_content(large, 60)
    assert queries_for(client, reverse("plan-detail", args=[small.pk])) == queries_for(
        client, reverse("plan-detail", args=[large.pk])
    )
    baseline = queries_for(client, reverse("plan-list"))
    for _ in range(5):
        make_plan_content(PlanFactory(), 5)
    assert queries_for(client, reverse("plan-list")) == baseline
    assert Agency.objects.count() > 7
