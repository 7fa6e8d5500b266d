"""The "Hướng dẫn" page: each role opens on its own guide and may read the others';
what it says about statuses, evidence and reminders is read from where each rule is
written, so it cannot drift from what the portal does."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse

from plans.evidence import ACCEPTED_LABELS
from plans.models import DeadlineStatus
from tasks.policy import DEFAULT_POLICY

pytestmark = pytest.mark.django_db

SECTIONS = {
    "report": 'id="help-report"',
    "review": 'id="help-review"',
    "overview": 'id="help-overview"',
    "reminders": 'id="help-reminders"',
    "statuses": 'id="help-statuses"',
}


def sections(html: str) -> set[str]:
    return {name for name, marker in SECTIONS.items() if marker in html}


@pytest.mark.parametrize(
    ("who", "role", "shown"),
    [
        ("officer_a", "Cán bộ đơn vị", {"statuses", "report", "review", "reminders"}),
        ("coordinator", "Cán bộ đầu mối (Sở Ngoại vụ)", {"statuses", "review", "overview", "reminders"}),
        ("leader", "Lãnh đạo", {"statuses", "overview", "reminders"}),
    ],
)
def test_each_role_opens_on_its_own_guide(client, users, who, role, shown):
    client.force_login(users[who])
    response = client.get(reverse("help"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Hướng dẫn dành cho <strong>{role}</strong>" in html
    assert sections(html) == shown
    assert f"{role} (vai trò của bạn)" in html


def test_a_leader_may_read_the_officers_guide_and_a_wrong_role_gives_ones_own(client, users):
    client.force_login(users["leader"])
    assert "report" in sections(client.get(reverse("help"), {"role": "officer"}).content.decode())
    html = client.get(reverse("help"), {"role": "quan-tri"}).content.decode()
    assert "Hướng dẫn dành cho <strong>Lãnh đạo</strong>" in html


@override_settings(DUE_SOON_WORKING_DAYS=5, EVIDENCE_MAX_BYTES=7 * 1024 * 1024, REMINDER_SWEEP_AT="06:45")
def test_the_guide_states_the_rules_as_configured(client, users):
    client.force_login(users["officer_a"])
    html = client.get(reverse("help")).content.decode()
    for status in DeadlineStatus:
        assert f'<span class="status-badge status-{status.value}">{status.label}</span>' in html
    assert "hạn đến trong 5 ngày làm việc tới" in html
    assert f"{ACCEPTED_LABELS}, mỗi tệp tối đa 7 MB" in html
    assert "lúc 06:45" in html
    before = ", ".join(str(days) for days in DEFAULT_POLICY.before_days)
    assert f"nhắc trước hạn {before} ngày làm việc" in html
    assert f"cứ {DEFAULT_POLICY.overdue_every} ngày nhắc lại" in html
    assert f"quá hạn từ {DEFAULT_POLICY.escalate_after} ngày" in html


def test_the_menu_links_the_guide_and_its_screenshots_are_shipped(client, users):
    client.force_login(users["coordinator"])
    assert f'href="{reverse("help")}"' in client.get(reverse("plan-list")).content.decode()
    for role in ("officer", "coordinator", "leader"):
        html = client.get(reverse("help"), {"role": role}).content.decode()
        for image in re.findall(r'src="/static/(img/help/[^"]+)"', html):
            assert finders.find(image), f"{image} is missing: `make screenshots` takes it"
