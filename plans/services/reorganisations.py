"""Agency reorganisations: applied in one transaction from the preview the coordinator
reviewed, recorded as an event with every change it made, and reversed only by a second
event that undoes those changes (the first is never edited).

What moves and what stays (docs/architecture.md, Agencies change):
- a task's lead and cooperating agencies move to the chosen successor;
- its deadlines from the effective date on move with the lead; earlier ones keep the
  old agency, so statistics of a past period count it, and the new lead inherits those
  still open (it sees them, reports on them and is reminded of them);
- reports, reviews, contributions and reminders sent keep the agency as it was;
- the old agency ends on the effective date (inactive, labelled "(nay: …)"); its user
  accounts and reminder addresses go to the successor the coordinator named, or the
  accounts are locked.
"""

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plans import permissions
from plans.models import Agency, AgencyGroup, Deadline, Plan, Reorganisation, ReorganisationLink, Task
from plans.selectors.reorganisations import (
    ReorganisationPreview,
    ReorganisationSpec,
    reorganisation_preview_get,
)
from plans.validators import split_email_list


def _reason(event: Reorganisation) -> str:
    return f"Tổ chức lại cơ quan: {event}"


def _save(instance, event: Reorganisation, fields: list[str]):
    """Save with a change reason, so that the history says which event did it."""
    instance._change_reason = _reason(event)
    instance.save(update_fields=fields)


def _successor_names(spec: ReorganisationSpec) -> str:
    if spec.kind == Reorganisation.Kind.DISSOLVE and spec.successor_group:
        return spec.successor_group.name
    return ", ".join(agency.label for agency in spec.successors)


@transaction.atomic
def reorganisation_apply(
    *, spec: ReorganisationSpec, user, today: datetime.date | None = None
) -> Reorganisation:
    """Apply a reorganisation exactly as previewed. Refused, changing nothing, when the
    user may not, when the spec is invalid, or while a question is unanswered."""
    if not permissions.can_apply_reorganisation(user):
        raise PermissionDenied("Chỉ cán bộ đầu mối được áp dụng sự kiện tổ chức lại cơ quan.")
    today = today or timezone.localdate()
    # Lock the old agencies: two coordinators applying the same event at once would
    # otherwise both find them still active.
    locked = list(Agency.objects.select_for_update().filter(pk__in=[a.pk for a in spec.predecessors]))
    spec = _spec_refreshed(spec, locked)
    new_agencies = [agency for agency in spec.successors if agency.pk is None]
    for agency in new_agencies:
        agency.began_on = agency.began_on or spec.effective_on
        agency.full_clean()
    preview = reorganisation_preview_get(spec=spec, today=today)
    if preview.errors:
        raise ValidationError(preview.errors)
    if preview.questions:
        raise ValidationError(
            "Chưa chọn cơ quan kế nhiệm cho các nhiệm vụ: %(tasks)s. Không có thay đổi nào được lưu.",
            code="unanswered",
            params={"tasks": ", ".join(f"{q.task.plan.number} {q.task.code}" for q in preview.questions)},
        )
    for agency in new_agencies:
        agency.save()
    event = Reorganisation(
        kind=spec.kind,
        legal_basis=spec.legal_basis,
        legal_basis_date=spec.legal_basis_date,
        effective_on=spec.effective_on,
        note=spec.note,
        successor_group=spec.successor_group,
        applied_at=timezone.now(),
        applied_by=user,
    )
    event.full_clean()
    event.save()
    _links_create(event, spec)
    event.changes = _changes_apply(event, preview, created=[agency.pk for agency in new_agencies])
    event.save(update_fields=["changes"])
    return event


def _spec_refreshed(spec: ReorganisationSpec, locked: list[Agency]) -> ReorganisationSpec:
    """The spec with its old agencies as read under the lock."""
    by_pk = {agency.pk: agency for agency in locked}
    return dataclasses.replace(spec, predecessors=tuple(by_pk[a.pk] for a in spec.predecessors))


def _links_create(event: Reorganisation, spec: ReorganisationSpec) -> None:
    for predecessor in spec.predecessors:
        for successor in spec.successors or [None]:
            ReorganisationLink.objects.create(
                reorganisation=event, predecessor=predecessor, successor=successor
            )


def _changes_apply(event: Reorganisation, preview: ReorganisationPreview, *, created: list[int]) -> dict:
    """Apply the preview's changes and return them, old and new, for the record."""
    spec = preview.spec
    changes = {
        "created_agencies": created,
        "tasks": [],
        "deadlines": [],
        "cooperations": [],
        "groups_added": [],
    }
    changes.update({"accounts": [], "addresses": [], "agencies": [], "plans": []})
    for plan, coordinator in preview.plans:
        changes["plans"].append({"plan": plan.pk, "from": plan.coordinating_agency_id, "to": coordinator.pk})
        plan.coordinating_agency = coordinator
        _save(plan, event, ["coordinating_agency"])
    for change in preview.tasks:
        if change.kept:
            continue
        task = change.task
        task.lead_agency = change.new
        _save(task, event, ["lead_agency"])
        changes["tasks"].append({"task": task.pk, "from": change.old.pk, "to": change.new.pk})
        if task.cooperating_agencies.filter(pk=change.new.pk).exists():
            # The new lead no longer cooperates on its own task.
            task.cooperating_agencies.remove(change.new)
            changes["cooperations"].append({"task": task.pk, "removed": change.new.pk, "added": None})
        for deadline in change.deadlines:
            # A report recorded without its agency was the old agency's: say so before
            # the deadline moves, so that it never reads as the successor's.
            for report in deadline.reports.filter(agency__isnull=True):
                report.agency = change.old
                _save(report, event, ["agency"])
            deadline.responsible_agency = change.new
            _save(deadline, event, ["responsible_agency"])
            changes["deadlines"].append({"deadline": deadline.pk, "from": change.old.pk, "to": change.new.pk})
    for change in preview.cooperations:
        if change.kept:
            continue
        task = Task.objects.get(pk=change.task.pk)
        task._change_reason = _reason(event)
        task.cooperating_agencies.remove(change.old)
        added = None
        if (
            change.new.pk != task.lead_agency_id
            and not task.cooperating_agencies.filter(pk=change.new.pk).exists()
        ):
            task.cooperating_agencies.add(change.new)
            added = change.new.pk
        changes["cooperations"].append({"task": task.pk, "removed": change.old.pk, "added": added})
    for task, old in preview.group_cooperations:
        task._change_reason = _reason(event)
        task.cooperating_agencies.remove(old)
        changes["cooperations"].append({"task": task.pk, "removed": old.pk, "added": None})
        if not task.cooperating_groups.filter(pk=spec.successor_group.pk).exists():
            task.cooperating_groups.add(spec.successor_group)
            changes["groups_added"].append({"task": task.pk, "group": spec.successor_group.pk})
    for account in preview.accounts:
        user = account.user
        changes["accounts"].append(
            {"user": user.pk, "from": account.old.pk, "to": account.new.pk if account.new else None}
        )
        if account.new is None:
            user.is_active = False
            user.save(update_fields=["is_active"])
        else:
            user.agency = account.new
            user.save(update_fields=["agency"])
    for address in preview.addresses:
        if address.new is None:
            continue
        target = Agency.objects.get(pk=address.new.pk)
        present = {email.lower() for email in split_email_list(target.reminder_emails)}
        added = [email for email in address.addresses if email.lower() not in present]
        if added:
            target.reminder_emails = "\n".join(split_email_list(target.reminder_emails) + added)
            target.full_clean()
            target.save(update_fields=["reminder_emails"])
            changes["addresses"].append({"agency": target.pk, "added": added})
    names = _successor_names(spec)
    for agency in preview.ending:
        changes["agencies"].append(
            {
                "agency": agency.pk,
                "ended_on": None,
                "is_active": agency.is_active,
                "now_known_as": agency.now_known_as,
            }
        )
        agency.ended_on = spec.effective_on
        agency.is_active = False
        agency.now_known_as = names
        agency.save(update_fields=["ended_on", "is_active", "now_known_as"])
    return changes


@transaction.atomic
def reorganisation_reverse(
    *, event: Reorganisation, user, legal_basis: str, legal_basis_date: datetime.date, note: str = ""
) -> Reorganisation:
    """Undo an applied event by a second event. Refused, changing nothing, when anything
    it changed has changed again since (a later event, an edit): undo that first."""
    if not permissions.can_apply_reorganisation(user):
        raise PermissionDenied("Chỉ cán bộ đầu mối được hủy bỏ sự kiện tổ chức lại cơ quan.")
    event = Reorganisation.objects.select_for_update().get(pk=event.pk)
    if event.kind == Reorganisation.Kind.REVERSAL:
        raise ValidationError("Không hủy bỏ một sự kiện hủy bỏ; hãy nhập lại sự kiện ban đầu nếu cần.")
    if Reorganisation.objects.filter(reverses=event).exists():
        raise ValidationError("Sự kiện này đã được hủy bỏ trước đó.")
    reversal = Reorganisation(
        kind=Reorganisation.Kind.REVERSAL,
        legal_basis=legal_basis,
        legal_basis_date=legal_basis_date,
        effective_on=event.effective_on,
        note=note,
        reverses=event,
        applied_at=timezone.now(),
        applied_by=user,
    )
    reversal.full_clean()
    conflicts = _reverse_conflicts(event)
    if conflicts:
        raise ValidationError(
            "Không hủy bỏ được: %(what)s đã thay đổi sau sự kiện này. Hãy hủy bỏ các thay đổi sau trước. "
            "Không có thay đổi nào được lưu.",
            code="changed_since",
            params={"what": "; ".join(conflicts[:10])},
        )
    reversal.save()
    reversal.changes = _changes_undo(reversal, event.changes)
    reversal.save(update_fields=["changes"])
    return reversal


def _reverse_conflicts(event: Reorganisation) -> list[str]:
    changes = event.changes
    conflicts = []
    tasks = Task.objects.in_bulk([row["task"] for row in changes.get("tasks", [])])
    for row in changes.get("tasks", []):
        task = tasks.get(row["task"])
        if task is None or task.lead_agency_id != row["to"]:
            conflicts.append(f"cơ quan chủ trì nhiệm vụ {task.code if task else row['task']}")
    deadlines = Deadline.objects.in_bulk([row["deadline"] for row in changes.get("deadlines", [])])
    for row in changes.get("deadlines", []):
        deadline = deadlines.get(row["deadline"])
        if deadline is not None and deadline.responsible_agency_id != row["to"]:
            conflicts.append(f"cơ quan chịu trách nhiệm hạn {deadline}")
    plans = Plan.objects.in_bulk([row["plan"] for row in changes.get("plans", [])])
    for row in changes.get("plans", []):
        if plans[row["plan"]].coordinating_agency_id != row["to"]:
            conflicts.append(f"cơ quan đầu mối của kế hoạch {plans[row['plan']].number}")
    agencies = Agency.objects.in_bulk([row["agency"] for row in changes.get("agencies", [])])
    for row in changes.get("agencies", []):
        agency = agencies[row["agency"]]
        if agency.ended_on != event.effective_on:
            conflicts.append(f"ngày ngừng hoạt động của {agency.name}")
    return conflicts


def _changes_undo(reversal: Reorganisation, changes: dict) -> dict:
    undone = {"tasks": [], "deadlines": [], "cooperations": [], "groups_removed": [], "accounts": []}
    undone.update({"addresses": [], "agencies": [], "plans": []})
    for row in changes.get("plans", []):
        plan = Plan.objects.get(pk=row["plan"])
        plan.coordinating_agency_id = row["from"]
        _save(plan, reversal, ["coordinating_agency"])
        undone["plans"].append({"plan": plan.pk, "from": row["to"], "to": row["from"]})
    for row in changes.get("agencies", []):
        agency = Agency.objects.get(pk=row["agency"])
        agency.ended_on, agency.is_active, agency.now_known_as = (
            row["ended_on"],
            row["is_active"],
            row["now_known_as"],
        )
        agency.save(update_fields=["ended_on", "is_active", "now_known_as"])
        undone["agencies"].append({"agency": agency.pk})
    for row in changes.get("tasks", []):
        task = Task.objects.get(pk=row["task"])
        task.lead_agency_id = row["from"]
        _save(task, reversal, ["lead_agency"])
        undone["tasks"].append({"task": task.pk, "from": row["to"], "to": row["from"]})
    for row in changes.get("deadlines", []):
        deadline = Deadline.objects.get(pk=row["deadline"])
        deadline.responsible_agency_id = row["from"]
        _save(deadline, reversal, ["responsible_agency"])
        undone["deadlines"].append({"deadline": deadline.pk, "from": row["to"], "to": row["from"]})
    for row in reversed(changes.get("cooperations", [])):
        task = Task.objects.get(pk=row["task"])
        task._change_reason = _reason(reversal)
        if row["added"]:
            task.cooperating_agencies.remove(row["added"])
        if row["removed"] != task.lead_agency_id:
            task.cooperating_agencies.add(row["removed"])
        undone["cooperations"].append({"task": task.pk, "removed": row["added"], "added": row["removed"]})
    for row in changes.get("groups_added", []):
        task = Task.objects.get(pk=row["task"])
        task.cooperating_groups.remove(AgencyGroup.objects.get(pk=row["group"]))
        undone["groups_removed"].append(row)
    users = get_user_model().objects.in_bulk([row["user"] for row in changes.get("accounts", [])])
    for row in changes.get("accounts", []):
        user = users[row["user"]]
        if row["to"] is None:
            user.is_active = True
        elif user.agency_id == row["to"]:
            user.agency_id = row["from"]
        user.save(update_fields=["is_active", "agency"])
        undone["accounts"].append({"user": user.pk, "to": row["from"]})
    for row in changes.get("addresses", []):
        agency = Agency.objects.get(pk=row["agency"])
        removed = {email.lower() for email in row["added"]}
        agency.reminder_emails = "\n".join(
            email for email in split_email_list(agency.reminder_emails) if email.lower() not in removed
        )
        agency.save(update_fields=["reminder_emails"])
        undone["addresses"].append({"agency": agency.pk, "removed": row["added"]})
    # Agencies created for the event stay as records (reports may name them), inactive.
    for pk in changes.get("created_agencies", []):
        agency = Agency.objects.get(pk=pk)
        agency.is_active = False
        agency.save(update_fields=["is_active"])
        undone["agencies"].append({"agency": pk, "is_active": False})
    return undone
