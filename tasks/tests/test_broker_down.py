"""Redis stopped: dashboards, report submission and returning a report keep working,
and send_reminders sends.

A private redis-server on a free port stands in for the broker, so that stopping it
touches nothing else on the machine.
"""

import io
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plans.models import ProgressReport
from plans.signals import report_returned
from plans.tests.factories import ProgressReportFactory
from plans.tests.fixtures import make_user
from tasks.models import ReminderLog
from tasks.tests.conftest import SWEEP_DAY, deadline_make

pytestmark = pytest.mark.django_db

LIMIT_SECONDS = 2.0


def timed(action):
    start = time.monotonic()
    result = action()
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_SECONDS, f"took {elapsed:.2f} s"
    return result


@pytest.fixture
def returned_report(plan, agency, django_user_model):
    officer = django_user_model.objects.create_user(
        "canbo.cu", email="canbo@stttt.dienbien.gov.vn", agency=agency, password="Mat-khau-2026"
    )
    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    report = ProgressReportFactory(
        deadline=deadline,
        pending=True,
        submitted_by=officer,
        review_state=ProgressReport.ReviewState.RETURNED,
        reviewed_at=timezone.now(),
        review_comment="Bổ sung minh chứng.",
    )
    return officer, deadline, report


@pytest.fixture
def workspace(plan, agency, coordinator_agency, django_user_model):
    """An officer of the lead agency, a coordinator, and a deadline due on the sweep day."""
    officer = make_user(django_user_model, "canbo", "officer", agency)
    officer.email = "canbo@stttt.dienbien.gov.vn"
    officer.save()
    coordinator = make_user(django_user_model, "ngoaivu", "coordinator", coordinator_agency)
    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    return officer, coordinator, deadline


def test_with_redis_stopped_pages_answer_reports_notify_and_send_reminders_sends(
    private_redis, settings, client, workspace, django_capture_on_commit_callbacks
):
    redis_client = private_redis.client()
    officer, coordinator, deadline = workspace
    settings.CELERY_BROKER_URL = private_redis.url
    submit_url = reverse("report-submit", kwargs={"pk": deadline.pk})
    report = {"state": "in_progress", "percent": "40", "narrative": "Đang làm."}

    def return_latest_report():
        latest = deadline.reports.latest("submitted_at")
        url = reverse("report-review", kwargs={"pk": latest.pk})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"decision": "return", "comment": "Bổ sung minh chứng."})

    # While Redis runs, the notice of a returned report is queued for a worker.
    client.force_login(officer)
    assert client.post(submit_url, report).status_code == 302
    client.force_login(coordinator)
    assert return_latest_report().status_code == 302
    assert redis_client.llen("celery") == 1 and mail.outbox == []

    private_redis.stop()

    # Redis stopped: the officer's pages and report submission answer in time…
    client.force_login(officer)
    assert timed(lambda: client.get(reverse("agency-dashboard"))).status_code == 200
    assert (
        timed(lambda: client.get(reverse("deadline-detail", kwargs={"pk": deadline.pk}))).status_code == 200
    )
    assert timed(lambda: client.post(submit_url, report)).status_code == 302
    assert deadline.reports.count() == 2
    # …and returning a report sends its notice directly.
    client.force_login(coordinator)
    assert timed(return_latest_report).status_code == 302
    assert [m.subject for m in mail.outbox] == [
        f"[Trả lại báo cáo] Sở TT&TT – {deadline.task.code} – {deadline.period_label}"
    ]

    call_command("send_reminders", "--date", SWEEP_DAY.isoformat(), stdout=io.StringIO())
    assert [m.subject for m in mail.outbox[1:]] == ["[Nhắc việc] Sở TT&TT: 1 nhiệm vụ đến hạn hôm nay"]
    assert ReminderLog.objects.get().state == "sent"


def test_with_redis_frozen_returning_a_report_waits_at_most_the_timeout(
    private_redis, settings, returned_report
):
    _officer, _deadline, report = returned_report
    settings.CELERY_BROKER_URL = private_redis.url
    private_redis.freeze()
    timed(lambda: report_returned.send(sender=ProgressReport, report_id=report.pk))
    assert len(mail.outbox) == 1
