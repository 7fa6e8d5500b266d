"""The journal of changes per agency (``AgencyChange``): which agencies' pages a change
to a deadline or a report alters, written in the change's own transaction, with the
marks of the province's kept counts it makes stale (``plans.services.status_tally``).

Every save and deletion of a deadline or a report writes a history row
(``plans.history``); the receiver below journals the agencies that row concerns. Bulk
inserts send no signal, so ``bulk_create_with_history``'s callers journal their rows
themselves (``agency_changes_record``).
"""

from collections.abc import Iterable

from plans.models import AgencyChange, Deadline
from plans.selectors import deadline_answering_agencies, deadline_scope_agencies
from plans.services.status_tally import status_tally_mark


def agency_changes_record(
    deadlines: Iterable[tuple[int, int | None]],
    *,
    deadline_ids: Iterable[int] = (),
    agency_ids: Iterable[int] = (),
) -> set[int]:
    """Journal a change for every agency that sees the given deadlines ((task id,
    responsible agency id) pairs, ``deadline_scope_agencies``), every agency that once
    answered for the deadlines ``deadline_ids`` (its page listed them until they moved),
    and ``agency_ids``. Returns the agencies journaled."""
    agencies = deadline_scope_agencies(deadlines) | set(agency_ids)
    if deadline_ids := set(deadline_ids):
        agencies |= deadline_answering_agencies(deadline_ids)
    agencies.discard(None)
    if not agencies:
        return agencies
    AgencyChange.objects.bulk_create([AgencyChange(agency_id=agency_id) for agency_id in sorted(agencies)])
    return agencies


def history_recorded(sender, history_instance, **kwargs) -> None:
    """``post_create_historical_record`` of deadlines and reports: journal the agencies
    whose pages showed, or now show, the changed row."""
    if isinstance(history_instance, Deadline.history.model):
        answering = deadline_answering_agencies([history_instance.id])
        agency_changes_record(
            [(history_instance.task_id, history_instance.responsible_agency_id)], agency_ids=answering
        )
        # Only a deadline's own columns move the province's counts (a report does so by
        # the deadline's completion date, which saves the deadline).
        status_tally_mark(answering)
        return
    deadline = Deadline.objects.filter(pk=history_instance.deadline_id).values_list(
        "task_id", "responsible_agency_id"
    )
    agency_changes_record(
        list(deadline),
        deadline_ids=[history_instance.deadline_id],
        agency_ids=[history_instance.agency_id],
    )
