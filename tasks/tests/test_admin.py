"""Admin pages of reminders: the ledger (filters, read-only, "Gửi lại") and policies."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import GROUP_NAMES, Role
from tasks.models import ReminderLog, ReminderPolicy
from tasks.tests.conftest import SWEEP_DAY, deadline_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_row(plan, agency):
    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    return ReminderLog.objects.create(
        deadline=deadline,
        agency=agency,
        kind=ReminderLog.Kind.DUE,
        remind_on=SWEEP_DAY,
        state=ReminderLog.State.FAILED,
        claim_token="old",
        claimed_at=timezone.now(),
        attempts=1,
        last_error="550 5.1.1 Mailbox unavailable",
    )


@pytest.fixture
def coordinator_client(client, django_user_model, coordinator_agency):
    user = django_user_model.objects.create_user("ngoaivu", agency=coordinator_agency, is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.COORDINATOR]))
    client.force_login(user)
    return client


def test_ledger_list_filters_and_read_only_change_page(admin_client, failed_row):
    url = reverse("admin:tasks_reminderlog_changelist")
    page = admin_client.get(url).content.decode()
    assert "550 5.1.1 Mailbox unavailable" in page
    for query in ["state__exact=failed", "kind__exact=due", f"agency__id__exact={failed_row.agency_id}"]:
        assert admin_client.get(f"{url}?{query}").status_code == 200
    assert "550 5.1.1" not in admin_client.get(f"{url}?state__exact=sent").content.decode()
    change = admin_client.get(reverse("admin:tasks_reminderlog_change", args=[failed_row.pk]))
    assert change.status_code == 200 and 'name="state"' not in change.content.decode()
    assert admin_client.get(reverse("admin:tasks_reminderlog_add")).status_code == 403


def run_action(client, action, row):
    """The ledger's admin action ``action`` on ``row``, as the changelist posts it."""
    return client.post(
        reverse("admin:tasks_reminderlog_changelist"),
        {"action": action, "_selected_action": [row.pk]},
        follow=True,
    )


def test_coordinator_resends_failed_rows_from_the_ledger(coordinator_client, failed_row):
    response = run_action(coordinator_client, "resend", failed_row)
    assert "Đã đưa 1 nhắc việc vào hàng đợi gửi lại." in response.content.decode()
    failed_row.refresh_from_db()
    # No broker in tests: the digest was sent in-process.
    assert (failed_row.state, failed_row.attempts, failed_row.last_error) == ("sent", 2, "")
    assert [m.subject for m in mail.outbox] == ["[Nhắc việc] Sở TT&TT: 1 nhiệm vụ đến hạn hôm nay"]


def test_coordinator_edits_a_plan_policy_with_the_defaults_shown(coordinator_client, plan):
    add_url = reverse("admin:tasks_reminderpolicy_add")
    page = coordinator_client.get(add_url).content.decode()
    assert 'value="7, 3, 1"' in page and 'value="14"' in page and "Mặc định" in page
    bad = coordinator_client.post(
        add_url,
        {"plan": plan.pk, "before_working_days": "7, ba", "overdue_every_days": 7, "escalate_after_days": 14},
    )
    assert "Nhập các số ngày làm việc từ 1 đến 60" in bad.content.decode()
    coordinator_client.post(
        add_url,
        {
            "plan": plan.pk,
            "before_working_days": "5, 2",
            "on_due_day": "on",
            "overdue_every_days": 3,
            "escalate_after_days": 10,
        },
    )
    policy = ReminderPolicy.objects.get(plan=plan)
    assert policy.before_days == (5, 2) and policy.overdue_every_days == 3


def test_coordinator_group_has_the_reminder_permissions():
    codenames = set(
        Group.objects.get(name=GROUP_NAMES[Role.COORDINATOR]).permissions.values_list("codename", flat=True)
    )
    assert {"view_reminderlog", "change_reminderlog", "change_reminderpolicy"} <= codenames
    leader = Group.objects.get(name=GROUP_NAMES[Role.LEADER]).permissions.values_list("codename", flat=True)
    assert "view_reminderlog" not in set(leader)


def test_user_admin_shows_the_reminder_opt_out(admin_client, django_user_model):
    user = django_user_model.objects.create_user("canbo", email="canbo@stttt.dienbien.gov.vn")
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert 'name="receives_reminders"' in page and "nhận email nhắc việc" in page.lower()


@pytest.fixture
def partly_refused_row(failed_row):
    ReminderLog.objects.filter(pk=failed_row.pk).update(
        state=ReminderLog.State.SENT,
        last_error="",
        recipients="vanthu@stttt.dienbien.gov.vn, nguoi-cu@stttt.dienbien.gov.vn",
        refused="nguoi-cu@stttt.dienbien.gov.vn: 550 5.1.1 Mailbox unavailable",
    )
    failed_row.refresh_from_db()
    return failed_row


def test_a_partial_refusal_shows_in_the_ledger_and_its_filter(admin_client, partly_refused_row):
    url = reverse("admin:tasks_reminderlog_changelist")
    refused = admin_client.get(f"{url}?refused=yes").content.decode()
    assert "nguoi-cu@stttt.dienbien.gov.vn: 550 5.1.1 Mailbox unavailable" in refused
    assert "Có địa chỉ bị từ chối" in refused
    assert "nguoi-cu@stttt" not in admin_client.get(f"{url}?refused=no").content.decode()


def test_coordinator_resends_to_the_refused_address_alone(coordinator_client, partly_refused_row):
    response = run_action(coordinator_client, "resend_refused", partly_refused_row)
    assert "chỉ gửi lại cho các địa chỉ bị từ chối" in response.content.decode()
    partly_refused_row.refresh_from_db()
    assert (partly_refused_row.state, partly_refused_row.refused) == ("sent", "")
    assert [m.to for m in mail.outbox] == [["nguoi-cu@stttt.dienbien.gov.vn"]]


def test_resending_refused_addresses_of_rows_without_any_changes_nothing(coordinator_client, failed_row):
    response = run_action(coordinator_client, "resend_refused", failed_row)
    assert "Không dòng nào đã chọn có địa chỉ bị từ chối" in response.content.decode()
    failed_row.refresh_from_db()
    assert failed_row.state == ReminderLog.State.FAILED
    assert mail.outbox == []
