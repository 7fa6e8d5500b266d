"""``seed_demo``: demo accounts with their roles and clearly marked sample tasks."""

import datetime
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from accounts.services import demo_users_seed
from plans.models import Agency, Deadline, DeadlineStatus, Plan, ProgressReport, Task
from plans.selectors import deadline_list_with_status, status_dates_get
from plans.sources.sample import SAMPLE_PLAN_NUMBER, SAMPLE_PREFIX, sample_tasks_seed

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-demo-2026"


def authenticate_from_login_form(username, password):
    # Lockout protection needs the request (the client's address) on every authentication.
    return authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)


def role_groups(user):
    """The user's groups: a role is a group (accounts.roles)."""
    return list(user.groups.values_list("name", flat=True))


def seed(today=datetime.date(2026, 11, 28), password=PASSWORD):
    out = io.StringIO()
    call_command("seed_demo", password=password, today=today, stdout=out)
    return out.getvalue()


def test_demo_accounts_have_their_roles_and_agencies():
    seed()
    users = {user.username: user for user in User.objects.select_related("agency")}
    assert set(users) == {"admin", "ngoaivu", "sotttt", "lanhdao"}
    assert users["admin"].is_superuser and role_groups(users["admin"]) == []
    assert (role_groups(users["ngoaivu"]), users["ngoaivu"].agency.code, users["ngoaivu"].is_staff) == (
        [GROUP_NAMES[Role.COORDINATOR]],
        "so-ngoai-vu",
        True,
    )
    assert (role_groups(users["sotttt"]), users["sotttt"].agency.code, users["sotttt"].is_staff) == (
        [GROUP_NAMES[Role.OFFICER]],
        "so-tttt",
        False,
    )
    assert (role_groups(users["lanhdao"]), users["lanhdao"].is_staff) == ([GROUP_NAMES[Role.LEADER]], False)
    assert authenticate_from_login_form("sotttt", PASSWORD) == users["sotttt"]


def test_sample_tasks_say_they_are_sample_data_in_a_plan_of_their_own():
    seed()
    samples = Task.objects.exclude(code="5.1")
    assert samples.count() == 13
    sample_plan = Plan.objects.get(number=SAMPLE_PLAN_NUMBER)
    assert "[Dữ liệu mẫu]" in sample_plan.title
    for task in samples:
        assert task.plan == sample_plan
        assert task.area.plan == sample_plan
        assert task.title.startswith(SAMPLE_PREFIX)
        assert "Dữ liệu mẫu" in task.source_note
    # Plan 139/KH-UBND holds only its sourced row.
    assert list(Task.objects.filter(plan__number="139/KH-UBND").values_list("code", flat=True)) == ["5.1"]


def test_a_database_seeded_with_samples_inside_plan_139_is_cleaned_reports_and_all():
    """Before the sample plan existed, the sample tasks were created in Plan 139/KH-UBND."""
    call_command("load_plan139", stdout=io.StringIO())
    plan_139 = Plan.objects.get(number="139/KH-UBND")
    users = demo_users_seed(password=PASSWORD)
    sample_tasks_seed(
        plan=plan_139,
        today=datetime.date(2026, 11, 28),
        reporters={"so-tttt": users["sotttt"]},
        reviewer=users["ngoaivu"],
    )
    assert plan_139.tasks.count() == 14
    reports = set(ProgressReport.objects.values_list("pk", "deadline__task__code"))
    deadlines = Deadline.objects.count()

    output = seed()

    assert "chuyển khỏi Kế hoạch 139/KH-UBND: 13" in output
    assert list(plan_139.tasks.values_list("code", flat=True)) == ["5.1"]
    assert Task.objects.filter(plan__number=SAMPLE_PLAN_NUMBER).count() == 13
    assert set(ProgressReport.objects.values_list("pk", "deadline__task__code")) == reports
    assert Deadline.objects.count() == deadlines
    assert Task.history.filter(history_change_reason__startswith="Chuyển nhiệm vụ mẫu").count() == 13


def test_seeding_twice_duplicates_nothing_and_resets_passwords():
    seed()
    counts = (User.objects.count(), Task.objects.count(), ProgressReport.objects.count())
    output = seed(password="Mat-khau-moi-2027")
    assert "tạo mới: 0; chuyển khỏi Kế hoạch 139/KH-UBND: 0." in output
    assert (User.objects.count(), Task.objects.count(), ProgressReport.objects.count()) == counts
    assert authenticate_from_login_form("ngoaivu", "Mat-khau-moi-2027") is not None


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 11, 28),  # a Saturday
        datetime.date(2027, 2, 3),  # just before Tết 2027
        datetime.date(2026, 12, 31),  # year end
        datetime.date(2030, 6, 17),
    ],
)
def test_on_the_day_of_seeding_every_kind_of_status_is_present(today):
    seed(today=today)
    statuses = set(
        deadline_list_with_status(dates=status_dates_get(today=today))
        .filter(task__code__startswith="MAU-")
        .values_list("status", flat=True)
    )
    assert {
        DeadlineStatus.OVERDUE,
        DeadlineStatus.DUE_SOON,
        DeadlineStatus.DONE_ON_TIME,
        DeadlineStatus.DONE_LATE,
        DeadlineStatus.NOT_YET_DUE,
    } <= statuses
    review_states = set(ProgressReport.objects.values_list("review_state", flat=True))
    assert review_states == {"submitted", "accepted", "returned"}


def test_a_weak_password_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError, match="Mật khẩu không dùng được"):
        seed(password="123")
    assert User.objects.count() == 0
    assert Task.objects.count() == 0


def test_demo_accounts_and_agencies_have_addresses_on_a_reserved_domain():
    Agency.objects.create(
        code="co-dia-chi",
        name="Đơn vị có địa chỉ",
        short_name="ĐV",
        kind="other",
        reminder_emails="vanthu@donvi.gov.vn",
    )
    seed()
    emails = dict(User.objects.values_list("username", "email"))
    assert emails == {name: f"{name}@dienbien.example" for name in ("admin", "ngoaivu", "sotttt", "lanhdao")}
    addresses = dict(Agency.objects.values_list("code", "reminder_emails"))
    # An address already given is kept; every other agency gets one that reaches nobody.
    assert addresses.pop("co-dia-chi") == "vanthu@donvi.gov.vn"
    assert addresses and all(value == f"{code}@donvi.dienbien.example" for code, value in addresses.items())
