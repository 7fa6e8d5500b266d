"""A plan loaded from its sources (``plans.sources``): matched, never overwritten, except
where a source correction replaces a value nobody has edited since."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from plans.models import (
    Agency,
    AgencyGroup,
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


def _natural_keys(manager) -> list[str]:
    """A many-to-many field's rows as the sources name them: agencies by code, groups by name."""
    field = "code" if manager.model is Agency else "name"
    return sorted(manager.values_list(field, flat=True))


def _current(obj, name):
    if obj._meta.get_field(name).many_to_many:
        return _natural_keys(getattr(obj, name))
    return getattr(obj, name)


def _differs(obj, name, new) -> bool:
    if obj._meta.get_field(name).many_to_many:
        return {item.pk for item in new} != set(getattr(obj, name).values_list("pk", flat=True))
    return getattr(obj, name) != new


def _apply_corrections(obj, row, superseded, result, kind):
    """Bring an existing row in line with corrected sources where it still holds what an
    earlier version of the sources loaded. ``superseded`` maps a field, or a tuple of
    fields corrected together, to its earlier values (a tuple of values for a tuple of
    fields; a many-to-many field's value is its sorted natural keys, and ``row`` holds
    its new rows). Saved one by one, so the change is in the row's history."""
    fields, relations = {}, {}
    for names, earlier in superseded.items():
        names = names if isinstance(names, tuple) else (names,)
        value = tuple(_current(obj, name) for name in names)
        if value not in [item if isinstance(item, tuple) else (item,) for item in earlier]:
            continue
        for name in names:
            if not _differs(obj, name, row[name]):
                continue
            if obj._meta.get_field(name).many_to_many:
                relations[name] = row[name]
            else:
                fields[name] = row[name]
    if not (fields or relations):
        return
    for name, value in fields.items():
        setattr(obj, name, value)
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError(f"{obj._meta.verbose_name} “{obj}”: {' '.join(exc.messages)}") from exc
    if fields:
        obj.save()
    # Groups before agencies: the agencies' change writes the history row, which then
    # already sees the groups.
    for name in sorted(relations, reverse=True):
        getattr(obj, name).set(relations[name])
    result.corrected[kind] = result.corrected.get(kind, 0) + 1


def _group_get_or_create(row, agency_by_code, result):
    """A collective phrase; its members are set when it is created, then left to the
    coordinator."""
    row = dict(row)
    members = [agency_by_code[code] for code in row.pop("members")]
    created_before = result.created.get("groups", 0)
    group = _get_or_create(AgencyGroup, {"name": row.pop("name")}, row, result, "groups")
    if result.created.get("groups", 0) > created_before:
        group.members.set(members)
    return group


@transaction.atomic
def plan_load(
    *, agencies, plan, areas, documents, tasks, groups=(), superseded=None, today=None
) -> LoadResult:
    """Load a plan from structured source data (see ``plans.sources.plan_139``).

    Idempotent: rows are matched by their natural keys (agency code, plan number, area
    number, document number, group name, task code); rows that exist are not touched,
    except the
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
    group_by_name = {row["name"]: _group_get_or_create(row, agency_by_code, result) for row in groups}
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
        row["cooperating_agencies"] = [agency_by_code[code] for code in row["cooperating_agencies"]]
        row["cooperating_groups"] = [group_by_name[name] for name in row.get("cooperating_groups", [])]
        existing = plan_obj.tasks.filter(code=row["code"]).first()
        if existing is not None:
            result.count("tasks", created=False)
            _apply_corrections(existing, row, superseded.get(("tasks", row["code"]), {}), result, "tasks")
            continue
        task_create(
            plan=plan_obj,
            area=area_by_number[row.pop("area")],
            lead_agency=agency_by_code[row.pop("lead_agency")],
            today=today,
            **row,
        )
        result.count("tasks", created=True)
    return result
