from axes.models import AccessAttempt, AccessFailureLog
from django.db import transaction

from accounts.models import User
from accounts.roles import Role, roles_sync
from plans.models import Agency

# The demo's addresses are on a domain reserved for examples (RFC 2606, RFC 6761): no
# message sent to them can reach anybody, while the reminders and notices still show.
DEMO_EMAIL_DOMAIN = "dienbien.example"

# username, role, agency code, full name (first_name holds the whole Vietnamese name).
DEMO_ACCOUNTS = [
    ("admin", None, None, "Quản trị hệ thống (tài khoản mẫu)"),
    ("ngoaivu", Role.COORDINATOR, "so-ngoai-vu", "Cán bộ Sở Ngoại vụ (tài khoản mẫu)"),
    ("sotttt", Role.OFFICER, "so-tttt", "Cán bộ Sở TT&TT (tài khoản mẫu)"),
    ("lanhdao", Role.LEADER, None, "Lãnh đạo UBND tỉnh (tài khoản mẫu)"),
]


@transaction.atomic
def demo_users_seed(*, password: str) -> dict[str, User]:
    """Create or refresh the demo accounts; the password is (re)set to ``password``."""
    groups = roles_sync()
    agencies = Agency.objects.in_bulk(field_name="code")
    users = {}
    for username, role, agency_code, full_name in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name = full_name
        user.email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user.agency = agencies[agency_code] if agency_code else None
        user.is_superuser = role is None
        # Admins and coordinators work in the Django admin; the others never do.
        user.is_staff = role in (None, Role.COORDINATOR)
        user.is_active = True
        user.set_password(password)
        user.full_clean()
        user.save()
        user.groups.set([groups[role]] if role else [])
        users[username] = user
    return users


@transaction.atomic
def demo_agency_emails_seed() -> int:
    """Give every agency without a reminder address one on the demo domain
    (``<code>@donvi.dienbien.example``), so that reminders and notices of the demo show;
    addresses already set are kept. Returns how many agencies got one."""
    count = 0
    for agency in Agency.objects.filter(reminder_emails="").order_by("pk"):
        agency.reminder_emails = f"{agency.code}@donvi.{DEMO_EMAIL_DOMAIN}"
        agency.full_clean()
        agency.save(update_fields=["reminder_emails"])
        count += 1
    return count


PROFILE_FIELDS = ["first_name", "email", "phone", "receives_reminders"]


@transaction.atomic
def profile_update(*, user: User, first_name: str, email: str, phone: str, receives_reminders: bool) -> User:
    """Change what a user may change of their own account: name, email, phone, and
    whether they receive the agency's reminder emails. Validated whole before saving."""
    user.first_name = first_name.strip()
    user.email = email.strip()
    user.phone = phone.strip()
    user.receives_reminders = receives_reminders
    user.full_clean()
    user.save(update_fields=PROFILE_FIELDS)
    return user


@transaction.atomic
def login_lock_lift(*, username: str) -> int:
    """Forget the failed logins of ``username`` from every address (django-axes and the
    wider limits of ``accounts.lockout``), which lifts its lockouts. Returns how many
    records were removed."""
    attempts, _ = AccessAttempt.objects.filter(username=username).delete()
    failures, _ = AccessFailureLog.objects.filter(username=username).delete()
    return attempts + failures
