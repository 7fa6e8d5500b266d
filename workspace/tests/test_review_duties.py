"""Separation of duties: nobody accepts or returns a report their own agency submitted.
Another coordinator, or a leader given the review right, does it; the queue says so."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from plans import services
from plans.models import Deadline, ProgressReport
from plans.tests.factories import TaskFactory
from plans.tests.fixtures import make_user


@pytest.fixture
def own_report(users, today):
    """Sở Ngoại vụ leads a task; its coordinator (who also reports for it) says done."""
    coordinator = users["coordinator"]
    task = TaskFactory(lead_agency=coordinator.agency, due_on=today + datetime.timedelta(days=5))
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=task.due_on,
        period_start=task.due_on.replace(month=1, day=1),
        period_label="Thời hạn",
    )
    coordinator.user_permissions.add(Permission.objects.get(codename="submit_progressreport"))
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # fresh permission cache
    return services.report_submit(
        deadline=deadline, user=coordinator, state="done", percent=100, narrative="Đã xong."
    )


@pytest.fixture
def reviewing_leader(django_user_model):
    leader = make_user(django_user_model, "lanhdao.duyet", "leader")
    leader.user_permissions.add(Permission.objects.get(codename="review_progressreport"))
    return leader


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["accept", "return"])
def test_a_coordinator_cannot_review_their_own_agencys_report(client, users, own_report, decision):
    client.force_login(users["coordinator"])
    response = client.post(
        f"/reports/{own_report.pk}/review/", {"decision": decision, "comment": "Tự xác nhận"}, follow=True
    )
    own_report.refresh_from_db()
    assert own_report.review_state == ProgressReport.ReviewState.SUBMITTED
    assert own_report.reviewed_by is None
    assert "Báo cáo do đơn vị của bạn gửi" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.report_accept(report=own_report, user=users["coordinator"])


@pytest.mark.django_db
def test_a_leader_given_the_right_reviews_it(client, own_report, reviewing_leader):
    client.force_login(reviewing_leader)
    client.post(f"/reports/{own_report.pk}/review/", {"decision": "accept", "comment": ""})
    own_report.refresh_from_db()
    assert own_report.review_state == ProgressReport.ReviewState.ACCEPTED
    assert own_report.reviewed_by == reviewing_leader


@pytest.mark.django_db
def test_the_queue_says_who_must_review(client, users, own_report, reviewing_leader, deadline):
    other = services.report_submit(
        deadline=deadline, user=users["officer_a"], state="in_progress", percent=30, narrative="Đang làm."
    )
    client.force_login(users["coordinator"])
    page = client.get("/review/").content.decode()
    # Agency A's report has the buttons; Sở Ngoại vụ's own says another person reviews it.
    assert f'action="/reports/{other.pk}/review/"' in page
    assert f'action="/reports/{own_report.pk}/review/"' not in page
    assert page.count('class="own-agency-report') == 1
    client.force_login(reviewing_leader)
    page = client.get("/review/").content.decode()
    assert f'action="/reports/{own_report.pk}/review/"' in page and "own-agency-report" not in page
    # The deadline page tells the coordinator the same.
    client.force_login(users["coordinator"])
    page = client.get(f"/deadlines/{own_report.deadline_id}/").content.decode()
    assert "own-agency-report" in page and f'action="/reports/{own_report.pk}/review/"' not in page
