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
