"""The second review's smaller findings: signed-in pages are never stored by a cache,
every response carries a Permissions-Policy, one request carries at most
EVIDENCE_MAX_FILES files, and calendar text holds no markup."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from icalendar import Calendar

from documents import services as document_services
from plans.models import ProgressReport
from plans.tests.sample_files import PDF_BYTES
from workspace.forms import ProgressReportForm

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = ["/dashboard/", "/deadlines/", "/calendar/", "/plans/", "/accounts/password/"]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_are_private_and_not_stored(client, users, deadline, path):
    client.force_login(users["officer_a"])
    response = client.get(path)
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, users, deadline):
    """The calendar feed may be cached privately for 15 minutes (calendar apps poll)."""
    token = document_services.calendar_token_get_or_create(agency=users["officer_a"].agency)
    client.force_login(users["officer_a"])
    assert client.get(f"/calendar/{token}.ics")["Cache-Control"] == "private, max-age=900"


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_response_carries_a_permissions_policy(client, users, signed_in):
    if signed_in:
        client.force_login(users["officer_a"])
    response = client.get(reverse("login"))
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


def _pdfs(count):
    return [
        SimpleUploadedFile(f"minh-chung-{n}.pdf", PDF_BYTES, content_type="application/pdf")
        for n in range(count)
    ]


def test_one_request_carries_at_most_the_file_limit(client, users, deadline):
    assert settings.EVIDENCE_MAX_FILES == settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10
    client.force_login(users["officer_a"])
    url = reverse("report-submit", args=[deadline.pk])
    data = {"state": "in_progress", "percent": 30, "narrative": "Đang làm."}
    refused = client.post(url, {**data, "evidence": _pdfs(11)})
    assert refused.status_code == 400 and "tối đa 10 tệp" in refused.content.decode()
    assert not ProgressReport.objects.exists()
    accepted = client.post(url, {**data, "evidence": _pdfs(10)})
    assert accepted.status_code == 302
    assert ProgressReport.objects.get().evidence.count() == 10


def test_the_form_says_the_file_limit_in_vietnamese():
    form = ProgressReportForm(
        {"state": "in_progress", "percent": 30, "narrative": ""}, MultiValueDict({"evidence": _pdfs(11)})
    )
    assert not form.is_valid()
    assert form.errors["evidence"] == ["Mỗi lần gửi tối đa 10 tệp minh chứng; đã chọn 11 tệp."]


def test_calendar_text_holds_no_markup(client, users, deadline):
    task = deadline.task
    task.title = '<script>alert("x")</script> Họp <b>báo</b> quý IV'
    task.save()
    token = document_services.calendar_token_get_or_create(agency=users["officer_a"].agency)
    feed = client.get(f"/calendar/{token}.ics")
    calendar = Calendar.from_ical(feed.content)
    (event,) = calendar.walk("VEVENT")
    texts = [str(event["summary"]), str(event["description"])] + [
        str(alarm["description"]) for alarm in event.walk("VALARM")
    ]
    assert all("<" not in text and ">" not in text for text in texts), texts
    assert str(event["summary"]).endswith('alert("x") Họp báo quý IV')
