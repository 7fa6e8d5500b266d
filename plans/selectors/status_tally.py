"""The province overview's counts: counted directly, or read from the copy that
``plans.services.status_tally`` keeps up to date (``StatusTally``) when that copy is
current. Both give the same rows; a test over the benchmark data holds them equal."""

from django.db import connection
from django.db.models import Count, Exists, QuerySet
from django.db.models.expressions import RawSQL

from plans.models import DeadlineStatus, StatusTally, StatusTallyMark, StatusTallyState
from plans.selectors.deadlines import DeadlineFilter, deadline_set_counted
from plans.selectors.status import StatusDates
from plans.selectors.versions import shared_version_columns, version_of

# The keys of a row, as the overview's grouped count names them.
AREA_KEY = "task__area_id"
AGENCY_KEY = "responsible_agency_id"
# A kept row's columns: one per status.
TALLY_STATUSES = [status.value for status in DeadlineStatus]


def status_tally_serves(filters: DeadlineFilter) -> bool:
    """Whether the kept counts are the figures of an overview under ``filters``: only
    the unfiltered one (today's figures, every plan, agencies as they were)."""
    return filters == DeadlineFilter()


def province_status_rows(*, dates: StatusDates, agency_ids=None) -> QuerySet:
    """The deadlines the unfiltered province overview counts (every tracked plan,
    periods begun) per content area, answerable agency and status (rows of
    ``AREA_KEY``, ``AGENCY_KEY``, ``status`` and ``n``); only those the agencies
    ``agency_ids`` answer for, when given. One grouped query, which
    ``plans.services.status_tally`` inserts as it is."""
    deadlines = deadline_set_counted(filters=DeadlineFilter(), dates=dates)
    if agency_ids is not None:
        deadlines = deadlines.filter(responsible_agency_id__in=sorted(agency_ids))
    return deadlines.order_by().values(AREA_KEY, AGENCY_KEY, "status").annotate(n=Count("pk")).order_by()


def status_tally_state_get() -> dict | None:
    """What the kept rows were counted for (``day``, ``due_soon_until``, ``version``),
    whether a change has made some of them stale since (``pending``) and the shared
    fingerprint of the plan data now (``version_now``), in one query; None before they
    were first counted."""
    columns = {f"version_{i}": RawSQL(sql, ()) for i, sql in enumerate(shared_version_columns())}
    state = (
        StatusTallyState.objects.filter(pk=1)
        .annotate(pending=Exists(StatusTallyMark.objects.all()), **columns)
        .values("day", "due_soon_until", "version", "pending", *columns)
        .first()
    )
    if state is not None:
        state["version_now"] = version_of(state.pop(name) for name in columns)
    return state


def status_tally_is_current(state: dict | None, *, dates: StatusDates) -> bool:
    """Whether rows counted as ``state`` says are today's (``dates``), for the plan data
    as it is now, with no change waiting."""
    if state is None or state["pending"]:
        return False
    counted_for = (state["day"], state["due_soon_until"], state["version"])
    return counted_for == (dates.today, dates.due_soon_until, state["version_now"])


def status_tally_rows(*, dates: StatusDates) -> tuple[list[dict], list[dict]] | None:
    """``province_status_rows`` as kept, summed by area (rows of ``AREA_KEY``) and by
    agency (of ``AGENCY_KEY``), when the kept rows are current for ``dates``; None
    otherwise (the caller counts directly). Both sums in one query over one row per
    area and agency: one pass with two groupings on PostgreSQL, two elsewhere."""
    if not status_tally_is_current(status_tally_state_get(), dates=dates):
        return None
    quote = connection.ops.quote_name
    table = quote(StatusTally._meta.db_table)
    area, agency = quote("area_id"), quote("agency_id")
    sums = ", ".join(f"SUM({quote(status)})" for status in TALLY_STATUSES)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT GROUPING({agency}) = 1, COALESCE({area}, {agency}), {sums} "
            f"FROM {table} GROUP BY GROUPING SETS (({area}), ({agency}))"
        )
    else:
        sql = (
            f"SELECT 1, {area}, {sums} FROM {table} GROUP BY {area} "
            f"UNION ALL SELECT 0, {agency}, {sums} FROM {table} GROUP BY {agency}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        grouped = cursor.fetchall()
    rows = {True: [], False: []}
    for of_area, group, *counts in grouped:
        key = AREA_KEY if of_area else AGENCY_KEY
        by_status = zip(TALLY_STATUSES, counts, strict=True)
        rows[bool(of_area)].extend({key: group, "status": status, "n": n} for status, n in by_status if n)
    return rows[True], rows[False]
