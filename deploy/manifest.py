"""The backup manifest: what a database and its evidence files hold, in a form by which
two copies can be compared (``manage.py backup_manifest``; ``deploy/backup.sh`` stores
it beside each backup and ``deploy/check-restore.sh`` compares a restored copy with it).

It reads only. Evidence files are read through the storage API, so the manifest checks
what the portal itself would serve, wherever the files are stored. Nothing in it depends
on when or where it was made: two copies of the same data give identical manifests.
"""

import re

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count

from plans.models import Plan
from plans.selectors import evidence_check_iter

# 2: each evidence file beside its fingerprint taken at upload (recorded_sha256, damaged).
FORMAT_VERSION = 2
# The portal's own apps with tables. Named by label: deploy imports only plans.
MANIFEST_APPS = ("plans", "accounts", "tasks", "documents")
# pg_export_snapshot() answers e.g. "00000003-0000001B-1".
SNAPSHOT_PATTERN = re.compile(r"^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$")


def _model_counts() -> dict[str, int]:
    """Rows of every model of the portal's apps: M2M tables and change history included."""
    counts = {}
    for label in MANIFEST_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            # The base manager: a default manager that filters would hide rows.
            counts[model._meta.label] = model._base_manager.count()
    return dict(sorted(counts.items()))


def _summary(counts: dict[str, int]) -> dict[str, int]:
    """The figures an operator looks at first, taken from the full counts."""
    return {
        "agencies": counts["plans.Agency"],
        "plans": counts["plans.Plan"],
        "content_areas": counts["plans.ContentArea"],
        "tasks": counts["plans.Task"],
        "deadlines": counts["plans.Deadline"],
        "reports": counts["plans.ProgressReport"],
        "contributions": counts["plans.Contribution"],
        "evidence_files": counts["plans.EvidenceFile"],
        "users": counts["accounts.User"],
        "reminder_logs": counts["tasks.ReminderLog"],
        "periodic_reports": counts["documents.PeriodicReport"],
        "history_rows": sum(n for label, n in counts.items() if label.split(".")[1].startswith("Historical")),
    }


def _plans() -> list[dict]:
    rows = (
        Plan.objects.annotate(
            area_count=Count("areas", distinct=True),
            task_count=Count("tasks", distinct=True),
            deadline_count=Count("tasks__deadlines", distinct=True),
        )
        .order_by("number", "pk")
        .values("pk", "number", "area_count", "task_count", "deadline_count")
    )
    return [
        {
            "id": row["pk"],
            "number": row["number"],
            "areas": row["area_count"],
            "tasks": row["task_count"],
            "deadlines": row["deadline_count"],
        }
        for row in rows
    ]


def _evidence() -> list[dict]:
    """Each evidence file as stored now, beside the fingerprint taken at upload."""
    return [
        {
            "id": check.id,
            "name": check.name,
            "recorded_size": check.recorded_size,
            "recorded_sha256": check.recorded_sha256,
            "size": check.size,
            "sha256": check.sha256,
            "missing": check.missing,
            "damaged": check.damaged,
        }
        for check in evidence_check_iter()
    ]


def _migrations() -> dict[str, dict]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: {"applied": len(names), "latest": max(names)} for app, names in sorted(applied.items())}


def _begin_consistent_read(snapshot: str | None) -> None:
    """On PostgreSQL, read everything from one snapshot, read-only; with ``snapshot``
    (exported by the session that runs pg_dump), from exactly the state being dumped."""
    if connection.vendor != "postgresql":
        if snapshot is not None:
            raise ImproperlyConfigured("--snapshot chỉ dùng được với PostgreSQL.")
        return
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if snapshot is not None:
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])


def manifest_build(*, snapshot: str | None = None) -> dict:
    """The manifest of the default database and the evidence storage."""
    if snapshot is not None and not SNAPSHOT_PATTERN.match(snapshot):
        raise ImproperlyConfigured(f"Mã snapshot không hợp lệ: {snapshot!r}.")
    outermost = not connection.in_atomic_block
    if not outermost and snapshot is not None:
        # SET TRANSACTION must come first in a transaction; a caller's has already begun.
        raise ImproperlyConfigured("--snapshot cần một giao dịch mới, không chạy bên trong giao dịch khác.")
    with transaction.atomic():
        if outermost:
            _begin_consistent_read(snapshot)
        counts = _model_counts()
        evidence = _evidence()
        manifest = {
            "format": FORMAT_VERSION,
            "summary": _summary(counts),
            "counts": counts,
            "plans": _plans(),
            "evidence": evidence,
            "evidence_bytes": sum(entry["size"] or 0 for entry in evidence),
            "evidence_missing": sum(1 for entry in evidence if entry["missing"]),
            "evidence_damaged": sum(1 for entry in evidence if entry["damaged"]),
            "migrations": _migrations(),
        }
    return manifest
