"""The province overview's counts kept up to date as the data changes (``StatusTally``).

Counting every deadline of the province on each view of the overview costs what the
province's size costs. The counts are kept instead, per content area, answerable agency
and status, for one day:

- every change to a deadline marks, in its own transaction, the agencies whose rows it
  alters (``StatusTallyMark``: the agency answering for it, and any that did before);
  a change to plans, areas, tasks or the working calendar marks every row;
- the next refresh (``status_tally_refresh``, before the overview is read) counts again
  the rows of the marked agencies alone, or every row when the day, the last "sắp đến
  hạn" day or the plan data's shared fingerprint is not the one counted for (after
  midnight, a holiday correction, or a change no signal reports).

Marks are only inserted, so writers never wait for each other or for a refresh; a
refresh deletes exactly the marks it read, so a mark committed while it counted stays
for the next one. Refreshes wait for each other on the one state row. Until the rows are
current again, readers count directly (``plans.selectors.status_tally_rows``).
"""

from collections.abc import Iterable

from django.db import connection, transaction

from plans.models import StatusTally, StatusTallyMark, StatusTallyState
from plans.selectors import data_version_get
from plans.selectors.status import StatusDates
from plans.selectors.status_tally import (
    AGENCY_KEY,
    AREA_KEY,
    TALLY_STATUSES,
    province_status_rows,
    status_tally_is_current,
    status_tally_state_get,
)

# Marks deleted per statement: SQLite limits a statement's parameters.
_DELETE_BATCH = 500


def status_tally_mark(agency_ids: Iterable[int | None]) -> None:
    """Mark the rows of ``agency_ids`` stale (None: every row), in the caller's
    transaction."""
    agencies = set(agency_ids)
    if agencies:
        StatusTallyMark.objects.bulk_create(
            [StatusTallyMark(agency_id=agency_id) for agency_id in sorted(agencies, key=lambda a: a or 0)]
        )


def status_tally_mark_all(*args, **kwargs) -> None:
    """Mark every row stale: a change to what every count depends on. Also the
    ``post_create_historical_record`` receiver of plans, areas, tasks and holiday
    corrections."""
    status_tally_mark([None])


def _recount(*, dates: StatusDates, agency_ids=None) -> None:
    """Replace the kept rows (of ``agency_ids``, or all) with those counted now, in two
    statements: the count per area, agency and status is turned into a row per area
    and agency, a column per status, and inserted by the database."""
    quote = connection.ops.quote_name
    table = quote(StatusTally._meta.db_table)
    if agency_ids is not None:
        StatusTally.objects.filter(agency_id__in=agency_ids).delete()
    elif connection.vendor == "postgresql":
        # Every row goes: emptied at once, the table leaves no dead rows to vacuum
        # (readers of the kept rows wait the refresh's few milliseconds).
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
    else:
        StatusTally.objects.all().delete()
    counted, params = province_status_rows(dates=dates, agency_ids=agency_ids).query.sql_with_params()
    columns = ", ".join(quote(column) for column in ["area_id", "agency_id", *TALLY_STATUSES])
    # One sum per status column, each status a parameter.
    sums = ", ".join(
        f"SUM(CASE WHEN {quote('status')} = %s THEN {quote('n')} ELSE 0 END)" for _ in TALLY_STATUSES
    )
    area, agency = quote(AREA_KEY), quote(AGENCY_KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {area}, {agency}, {sums} "
            f"FROM ({counted}) AS counted GROUP BY {area}, {agency}",
            [*TALLY_STATUSES, *params],
        )


def _state_for_update() -> StatusTallyState:
    state = StatusTallyState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        StatusTallyState.objects.get_or_create(pk=1)
        state = StatusTallyState.objects.select_for_update().get(pk=1)
    return state


def status_tally_refresh(*, dates: StatusDates) -> bool:
    """Bring the kept counts up to date for ``dates`` (today's; never a past period's
    cut-off). Returns whether anything was counted."""
    state = status_tally_state_get()
    if status_tally_is_current(state, dates=dates):
        return False
    # Read before counting: a change that moves it while the rows are counted makes
    # them counted again next time, never skipped.
    version = state["version_now"] if state else data_version_get(shared=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A copy of what the deadlines say: should a crash lose this transaction,
            # the marks it deleted are back and counted again, so it need not wait
            # for the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        locked = _state_for_update()
        marks = list(StatusTallyMark.objects.values_list("pk", "agency_id"))
        counted_for = (locked.day, locked.due_soon_until, locked.version)
        everything = counted_for != (dates.today, dates.due_soon_until, version) or any(
            agency_id is None for _, agency_id in marks
        )
        if not everything and not marks:
            # A refresh that held the lock first has counted what this one saw waiting.
            return False
        _recount(dates=dates, agency_ids=None if everything else sorted({agency for _, agency in marks}))
        read = [pk for pk, _ in marks]
        for start in range(0, len(read), _DELETE_BATCH):
            StatusTallyMark.objects.filter(pk__in=read[start : start + _DELETE_BATCH]).delete()
        locked.day, locked.due_soon_until, locked.version = dates.today, dates.due_soon_until, version
        locked.save()
    return True
