"""A plan loaded from its sources (``plans.sources``): matched, never overwritten, except
where a source correction replaces a value nobody has edited since."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from plans.models import (
    Agency,
    ContentArea,
    Plan,
    RelatedDocument,
)
from plans.services.deadlines import task_create


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    corrected: dict[str, int] = field(default_factory=dict)

    def count(self, kind, created):
        bucket = self.created if created else self.existing
        bucket[kind] = bucket.get(kind, 0) + 1


def _get_or_create(model, lookup, defaults, result, kind, *, also_match=None):
    """Create a row that is missing; leave an existing one as the admins have edited it.

    ``also_match`` is another unique lookup that finds the row when admins have changed
    the first one (an agency whose code was edited is still found by its name).
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None and also_match:
        obj = model.objects.filter(**also_match).first()
    if obj is not None:
        result.count(kind, created=False)
        return obj
    obj = model(**lookup, **defaults)
    try:
        obj.full_clean()
    except ValidationError as exc:
        key = ", ".join(str(value) for value in lookup.values() if not isinstance(value, Model))
        raise ValidationError(f"{model._meta.verbose_name} “{key}”: {' '.join(exc.messages)}") from exc
    obj.save()
    result.count(kind, created=True)
    return obj


def _apply_corrections(obj, row, superseded, result, kind):
    """Bring an existing row in line with corrected sources, field by field, where the
    field still holds a value an earlier version of the sources loaded (``superseded``:
    field → earlier values). Saved one by one, so the change is in the row's history."""
    changed = False
    for name, earlier in superseded.items():
        value = getattr(obj, name)
        if value in earlier and value != row[name]:
            setattr(obj, name, row[name])
            changed = True
    if not changed:
        return
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError(f"{obj._meta.verbose_name} “{obj}”: {' '.join(exc.messages)}") from exc
    obj.save()
    result.corrected[kind] = result.corrected.get(kind, 0) + 1


@transaction.atomic
def plan_load(*, agencies, plan, areas, documents, tasks, superseded=None, today=None) -> LoadResult:
    """Load a plan from structured source data (see ``plans.sources.plan_139``).

    Idempotent: rows are matched by their natural keys (agency code, plan number, area
    number, document number, task code); rows that exist are not touched, except the
    fields of ``superseded`` ({(kind, key): {field: [earlier values]}}) that still hold a
    value the sources have since corrected.
    """
    superseded = superseded or {}
    result = LoadResult()
    agency_by_code = {}
    for row in agencies:
        row = dict(row)
        code = row.pop("code")
        agency_by_code[code] = _get_or_create(
            Agency, {"code": code}, row, result, "agencies", also_match={"name": row["name"]}
        )
    plan_fields = dict(plan)
    plan_fields["coordinating_agency"] = agency_by_code[plan_fields.pop("coordinating_agency")]
    plan_obj = _get_or_create(Plan, {"number": plan_fields.pop("number")}, plan_fields, result, "plans")
    area_by_number = {}
    for row in areas:
        row = dict(row)
        number = row.pop("number")
        area_by_number[number] = _get_or_create(
            ContentArea, {"plan": plan_obj, "number": number}, row, result, "areas"
        )
    for row in documents:
        row = dict(row)
        number = row.pop("number")
        document = _get_or_create(
            RelatedDocument, {"plan": plan_obj, "number": number}, row, result, "documents"
        )
        _apply_corrections(document, row, superseded.get(("documents", number), {}), result, "documents")
    for row in tasks:
        row = dict(row)
        existing = plan_obj.tasks.filter(code=row["code"]).first()
        if existing is not None:
            result.count("tasks", created=False)
            _apply_corrections(existing, row, superseded.get(("tasks", row["code"]), {}), result, "tasks")
            continue
        task_create(
            plan=plan_obj,
            area=area_by_number[row.pop("area")],
            lead_agency=agency_by_code[row.pop("lead_agency")],
            cooperating_agencies=[agency_by_code[code] for code in row.pop("cooperating_agencies")],
            today=today,
            **row,
        )
        result.count("tasks", created=True)
    return result
