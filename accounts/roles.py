"""The three roles of docs/architecture.md, Roles, held as Django groups with their admin permissions."""

from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ đơn vị")
    COORDINATOR = "coordinator", _("Cán bộ đầu mối (Sở Ngoại vụ)")
    LEADER = "leader", _("Lãnh đạo (chỉ xem)")


# Group names are what admins see; the role values above are what code uses.
GROUP_NAMES = {
    Role.OFFICER: "Cán bộ đơn vị",
    Role.COORDINATOR: "Cán bộ đầu mối (Sở Ngoại vụ)",
    Role.LEADER: "Lãnh đạo",
}

_PLAN_MODELS = ["plan", "contentarea", "relateddocument", "task", "agency", "holiday"]
_RECORD_MODELS = ["deadline", "progressreport", "contribution", "evidencefile"]

# Admin permissions on the ``plans`` app. Coordinators edit plans in the admin;
# deadlines and reports are only read there and change through the portal's own pages.
# The portal's own pages check the custom permissions declared on the plans models.
PLANS_PERMISSIONS = {
    Role.OFFICER: ["submit_progressreport"],
    Role.COORDINATOR: [
        f"{action}_{model}" for model in _PLAN_MODELS for action in ("view", "add", "change", "delete")
    ]
    + [f"view_{model}" for model in _RECORD_MODELS]
    + ["view_all_agencies", "submit_progressreport", "review_progressreport"]
    + ["view_reorganisation", "apply_reorganisation"],
    Role.LEADER: ["view_all_agencies"],
}

# Reminders (the ``tasks`` app, named by label only: accounts never imports it).
# Coordinators read the reminder ledger (and resend failed rows) and edit each plan's
# reminder policy.
TASKS_PERMISSIONS = {
    Role.OFFICER: [],
    Role.COORDINATOR: ["view_reminderlog", "change_reminderlog"]
    + [f"{action}_reminderpolicy" for action in ("view", "add", "change", "delete")],
    Role.LEADER: [],
}


def roles_sync():
    """Create the role groups and give them exactly their permissions. Idempotent."""
    _permissions_create()
    groups = {}
    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                Q(content_type__app_label="plans", codename__in=PLANS_PERMISSIONS[role])
                | Q(content_type__app_label="tasks", codename__in=TASKS_PERMISSIONS[role])
            )
        )
        groups[role] = group
    return groups


def _permissions_create():
    """Django creates an app's permissions after migrating that app; ``tasks`` migrates
    after ``accounts``, so its permissions are created here first."""
    for label in ("plans", "tasks"):
        if django_apps.is_installed(label):
            create_permissions(django_apps.get_app_config(label), verbosity=0)


def roles_sync_after_migrate(sender, **kwargs):
    roles_sync()
