"""The province overview's kept counts (``StatusTally``): after every kind of change, and
across midnight and a holiday correction, they equal the direct count of the deadlines;
a change recounts the rows of the agencies it concerns and no others."""

import datetime
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone

from plans.models import Deadline, DeadlineStatus, Holiday, Plan, ProgressReport, StatusTally, StatusTallyMark
from plans.selectors import (
    STATUS_ORDER,
    DeadlineFilter,
    province_overview_get,
    status_dates_get,
    status_tally_rows,
)
from plans.services import deadline_waive, report_accept, status_tally_refresh
from plans.tests.factories import TaskFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def as_counter(rows, key):
    """Counted statuses only: waived deadlines are kept, never shown as a figure."""
    return Counter(
        {(row[key], row["status"]): row["n"] for row in rows if row["n"] and row["status"] in STATUS_ORDER}
    )


def kept(dates):
    """The kept counts by area and by agency, or None when they are not current."""
    rows = status_tally_rows(dates=dates)
    if rows is None:
        return None
    by_area, by_agency = rows
    return as_counter(by_area, "task__area_id"), as_counter(by_agency, "responsible_agency_id")


def direct(dates, coordinator):
    """The same counts from the deadlines themselves: the overview's direct count (its
    figures with ``window=started``, the deadlines the unfiltered overview counts)."""
    overview = province_overview_get(user=coordinator, filters=DeadlineFilter(window="started"), dates=dates)
    by_area = Counter({(g.key, s): n for g in overview.areas for s, n in g.counts.items() if n})
    by_agency = Counter({(g.key, s): n for g in overview.agencies for s, n in g.counts.items() if n})
    return by_area, by_agency


def refreshed(dates, coordinator):
    """The kept counts after a refresh, checked against the direct count."""
    status_tally_refresh(dates=dates)
    counts = kept(dates)
    assert counts == direct(dates, coordinator)
    return counts


def row_ids(agency):
    return set(StatusTally.objects.filter(agency_id=agency.pk).values_list("pk", flat=True))


def one_deadline(task, day, *, agency=None):
    return Deadline.objects.create(
        task=task,
        responsible_agency=agency or task.lead_agency,
        due_on=day,
        period_start=day.replace(month=1, day=1),
        period_label="Thời hạn",
    )


def accepted_completion(deadline, user, coordinator, when):
    report = ProgressReport.objects.create(
        deadline=deadline,
        agency=deadline.responsible_agency,
        state=ProgressReport.State.DONE,
        percent=100,
        narrative="Đã thực hiện.",
        submitted_at=when,
        submitted_by=user,
        review_state=ProgressReport.ReviewState.SUBMITTED,
    )
    report_accept(report=report, user=coordinator)


@pytest.fixture
def province(agencies, today):
    """Deadlines of A (two tasks) and C, some overdue, some due soon, some later."""
    a_task = TaskFactory(lead_agency=agencies["a"], due_on=today)
    a_other = TaskFactory(lead_agency=agencies["a"], due_on=today, plan=a_task.plan)
    c_task = TaskFactory(lead_agency=agencies["c"], due_on=today)
    return {
        "a_overdue": one_deadline(a_task, today - datetime.timedelta(days=20)),
        "a_soon": one_deadline(a_task, today + datetime.timedelta(days=1)),
        "a_later": one_deadline(a_other, today + datetime.timedelta(days=60)),
        "c_overdue": one_deadline(c_task, today - datetime.timedelta(days=40)),
        "c_later": one_deadline(c_task, today + datetime.timedelta(days=90)),
    }


def test_every_change_recounts_the_rows_of_its_agencies_and_no_others(province, agencies, users, today):
    a, c = agencies["a"], agencies["c"]
    dates = status_dates_get(today=today)
    assert kept(dates) is None  # never counted: the overview counts directly
    assert status_tally_refresh(dates=dates)
    assert kept(dates) == direct(dates, users["coordinator"])
    assert not status_tally_refresh(dates=dates)  # nothing changed, nothing counted

    # A completion accepted on a deadline of A's: A's rows are stale until counted again.
    before_a, before_c = row_ids(a), row_ids(c)
    accepted_completion(province["a_overdue"], users["officer_a"], users["coordinator"], timezone.now())
    assert kept(dates) is None
    by_area, by_agency = refreshed(dates, users["coordinator"])
    assert row_ids(c) == before_c  # C's rows were not touched
    assert row_ids(a).isdisjoint(before_a)
    assert by_agency[a.pk, DeadlineStatus.DONE_LATE] == 1
    assert by_area[province["a_overdue"].task.area_id, DeadlineStatus.DONE_LATE] == 1

    # A waiver of C's: C's rows alone.
    before_a = row_ids(a)
    deadline_waive(deadline=province["c_overdue"], user=users["coordinator"], reason="Không còn phù hợp.")
    refreshed(dates, users["coordinator"])
    assert row_ids(a) == before_a

    # A deadline moved from A to C: both agencies' rows.
    moved = province["a_soon"]
    moved.responsible_agency = c
    moved.save()
    by_area, by_agency = refreshed(dates, users["coordinator"])
    assert by_agency[c.pk, DeadlineStatus.DUE_SOON] == 1
    assert by_agency[a.pk, DeadlineStatus.DUE_SOON] == 0
    assert by_area[moved.task.area_id, DeadlineStatus.DUE_SOON] == 1

    # A deadline deleted, and one added.
    province["c_later"].delete()
    one_deadline(province["a_later"].task, today - datetime.timedelta(days=3))
    refreshed(dates, users["coordinator"])
    assert not StatusTallyMark.objects.exists()


def test_a_change_rolled_back_marks_nothing(province):
    marks = StatusTallyMark.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        deadline = province["a_later"]
        deadline.responsible_agency_id = province["c_later"].responsible_agency_id
        deadline.save()
        raise RuntimeError("rolled back")
    assert StatusTallyMark.objects.count() == marks


def test_after_midnight_the_counts_are_those_of_the_new_day(province, agencies, users, today):
    """Statuses change with the date alone: a deadline due soon on its last day is
    overdue the day after. Yesterday's kept counts are never read for today."""
    a = agencies["a"].pk
    last_day = province["a_soon"].ends_on
    counted = {}
    for day in sorted({today, last_day, last_day + datetime.timedelta(days=1)}):
        dates = status_dates_get(today=day)
        assert kept(dates) is None  # counted for another day, or never
        counted[day] = refreshed(dates, users["coordinator"])[1]  # by agency
    day_after = last_day + datetime.timedelta(days=1)
    assert counted[last_day][a, DeadlineStatus.DUE_SOON] == 1
    assert counted[day_after][a, DeadlineStatus.DUE_SOON] == 0
    assert counted[day_after][a, DeadlineStatus.OVERDUE] == counted[last_day][a, DeadlineStatus.OVERDUE] + 1


def test_a_holiday_correction_counts_every_row_again(agencies, users):
    """A day off added inside the "sắp đến hạn" window lengthens it: a deadline that was
    not yet due becomes due soon, and the kept counts follow at once."""
    monday = D(2026, 12, 7)
    dates = status_dates_get(today=monday)
    # The first day past the window as the calendar stands: Tuesday 15/12, a working day.
    beyond = dates.due_soon_until + datetime.timedelta(days=1)
    task = TaskFactory(lead_agency=agencies["a"], due_on=beyond)
    deadline = one_deadline(task, beyond)
    assert deadline.ends_on == beyond
    by_area, _ = refreshed(dates, users["coordinator"])
    assert by_area[task.area_id, DeadlineStatus.NOT_YET_DUE] == 1

    Holiday.objects.create(date=D(2026, 12, 8), name="Ngày nghỉ bù (thử nghiệm)")
    corrected = status_dates_get(today=monday)
    assert corrected.due_soon_until > dates.due_soon_until
    assert kept(corrected) is None
    by_area, _ = refreshed(corrected, users["coordinator"])
    assert by_area[task.area_id, DeadlineStatus.DUE_SOON] == 1
    assert by_area[task.area_id, DeadlineStatus.NOT_YET_DUE] == 0


def test_a_plan_returned_to_draft_leaves_the_counts(province, users, today):
    dates = status_dates_get(today=today)
    refreshed(dates, users["coordinator"])
    plan = province["c_overdue"].task.plan
    plan.status = Plan.Status.DRAFT
    plan.save()
    assert kept(dates) is None
    _, by_agency = refreshed(dates, users["coordinator"])
    assert by_agency
    assert all(agency != province["c_overdue"].responsible_agency_id for agency, _ in by_agency)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_waited_for_another_finds_nothing_left_and_counts_nothing(province, users, today):
    """Two overviews opened at once after a change: both see it waiting, one counts it
    while the other waits for the lock, and the one that waited finds nothing to count
    (it answered with an error page before)."""
    if connection.vendor != "postgresql":
        pytest.skip("the second refresh is held at PostgreSQL's row lock; SQLite has none to hold it at")
    dates = status_dates_get(today=today)
    status_tally_refresh(dates=dates)
    deadline_waive(deadline=province["c_overdue"], user=users["coordinator"], reason="Không còn phù hợp.")
    outcome = []

    def second_refresh():
        try:
            outcome.append(status_tally_refresh(dates=dates))
        except Exception as error:  # noqa: BLE001 (the test reports what happened)
            outcome.append(error)
        finally:
            connection.close()

    second = threading.Thread(target=second_refresh)
    with transaction.atomic():
        assert status_tally_refresh(dates=dates)  # holds the state row until the commit
        second.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock():
            assert time.monotonic() < deadline, f"the second refresh never waited for the lock: {outcome}"
            time.sleep(0.01)
    second.join(10)
    assert outcome == [False]
    assert kept(dates) == direct(dates, users["coordinator"])


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # pg_locks is read live; pg_stat_activity would repeat its first snapshot within
        # the caller's transaction.
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted)")
        return cursor.fetchone()[0]
