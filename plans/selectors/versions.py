"""Fingerprints of the plan data: values that move whenever the data they cover changes,
each read in one query of index lookups.

Every save, m2m change and deletion of a plan, area, task, deadline, report or holiday
correction writes a history row (``QuerySet.update`` is refused, see plans.history;
generated deadlines go through ``bulk_create_with_history``), so the newest history id
of these tables moves on every change a page can show. Agencies have no history: a
renamed agency does not move a fingerprint.
"""

import functools

from django.db import connection

from plans.models import AgencyChange, ContentArea, Deadline, Holiday, Plan, ProgressReport, Task

# Every table a dashboard or the overview reads.
RECORDED = (Plan, ContentArea, Task, Deadline, ProgressReport, Holiday)
# What every page depends on: the plans, their areas and tasks (a task's lead agency and
# cooperation too: its m2m changes write task history) and the working calendar. Rare
# edits in the admin; any of them moves every fingerprint.
SHARED = (Plan, ContentArea, Task, Holiday)


@functools.cache
def _version_sql(vendor: str, *, scope: str) -> str:
    """The fingerprint's columns, each reading one end of an index: the newest history
    id of every recorded table ("province"), of the shared ones ("shared"), or of the
    shared ones and the agency's newest journal entry ("agency": ``AgencyChange``,
    written with every change to a deadline or report its pages show; the query's one
    parameter), whatever the size of the agency or of its history. Built once per
    database."""
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({quote('history_id')}) FROM {quote(model.history.model._meta.db_table)})"
        for model in (RECORDED if scope == "province" else SHARED)
    ]
    if scope == "agency":
        parts.append(
            f"(SELECT MAX({quote('id')}) FROM {quote(AgencyChange._meta.db_table)} "
            f"WHERE {quote('agency_id')} = %s)"
        )
    return ", ".join(parts)


def shared_version_columns() -> list[str]:
    """``data_version_get(shared=True)``'s columns, as SQL subqueries without
    parameters, for a query that reads them beside its own."""
    return _version_sql(connection.vendor, scope="shared").split(", ")


def version_of(values) -> str:
    """The fingerprint written from its columns' values."""
    return ".".join(str(value or 0) for value in values)


def data_version_get(*, agency_id: int | None = None, shared: bool = False) -> str:
    """A fingerprint of the plan data that changes whenever it does. With ``agency_id``,
    of the data that agency's pages show: the shared tables, and its journal of changes
    (a report on another agency's deadline leaves it alone); with ``shared``, of the
    shared tables alone."""
    scope = "agency" if agency_id is not None else "shared" if shared else "province"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_version_sql(connection.vendor, scope=scope)}", [agency_id] if scope == "agency" else []
        )
        return version_of(cursor.fetchone())
