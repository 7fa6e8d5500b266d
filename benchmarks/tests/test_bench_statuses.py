"""The statuses that every page counts, read from each deadline's stored completion date
(``Deadline.completed_on``), equal over the benchmark data set the statuses computed
directly from the reports, on a working day, the eve of a new year and a day of Tết; and
the province's kept counts equal the direct count."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from benchmarks import data as bench_data
from plans.models import Deadline, DeadlineStatus, ProgressReport
from plans.selectors import (
    STATUS_ORDER,
    DeadlineFilter,
    agency_scope_deadline_sets,
    deadline_completion_mismatches,
    deadline_list_with_status,
    deadline_scope_agencies,
    province_overview_get,
    status_counts,
    status_dates_get,
    status_tally_rows,
)
from plans.services import status_tally_refresh

D = datetime.date
pytestmark = pytest.mark.django_db


def direct_status(deadline: Deadline, completion_day, today, due_soon_until):
    """The status rules (docs/architecture.md, Business rules) written out in Python
    from the reports themselves, without the stored date."""
    if deadline.waived_at is not None:
        return DeadlineStatus.WAIVED
    if completion_day is not None and completion_day <= today:
        return DeadlineStatus.DONE_ON_TIME if completion_day <= deadline.ends_on else DeadlineStatus.DONE_LATE
    if deadline.ends_on < today:
        return DeadlineStatus.OVERDUE
    if deadline.ends_on <= due_soon_until:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.NOT_YET_DUE


@pytest.mark.parametrize(
    "today",
    # A working day, the eve of the new year and a day inside the Tết holidays.
    [D(2026, 5, 15), D(2026, 12, 31), D(2027, 2, 8)],
)
def test_benchmark_figures_from_the_stored_date_equal_those_from_the_reports(today):
    call_command("generate_bench_data", "--scale", "0.02", "--today", "2026-05-15", stdout=io.StringIO())
    deadlines = Deadline.objects.filter(task__plan__in=bench_data.bench_plan_list())
    assert deadlines.count() > 1000
    assert not deadline_completion_mismatches().exists()

    completions = {}
    for deadline_id, submitted_at in ProgressReport.objects.filter(
        deadline__in=deadlines,
        state=ProgressReport.State.DONE,
        review_state=ProgressReport.ReviewState.ACCEPTED,
    ).values_list("deadline_id", "submitted_at"):
        completions[deadline_id] = timezone.localdate(submitted_at)
    assert completions

    dates = status_dates_get(today=today)
    direct = {
        deadline.pk: direct_status(deadline, completions.get(deadline.pk), today, dates.due_soon_until)
        for deadline in deadlines
    }
    stored = dict(deadline_list_with_status(dates=dates).filter(pk__in=deadlines).values_list("pk", "status"))
    assert stored == direct
    # The figures the pages show: every counted status, and the same totals.
    expected = Counter(status for status in direct.values() if status in STATUS_ORDER)
    counts = status_counts(deadline_list_with_status(dates=dates).filter(pk__in=deadlines))
    assert counts == {status: expected.get(status, 0) for status in STATUS_ORDER}
    assert len({status for status in direct.values()}) >= 4


def test_over_the_benchmark_data_each_deadline_concerns_exactly_the_agencies_that_see_it():
    """The page cache journals a change for the agencies ``deadline_scope_agencies``
    names; over the benchmark data set they are exactly those whose dashboard scope
    (``agency_scope_deadline_sets``) holds the deadline."""
    call_command("generate_bench_data", "--scale", "0.02", "--today", "2026-05-15", stdout=io.StringIO())
    deadlines = Deadline.objects.filter(task__plan__in=bench_data.bench_plan_list())
    agency_ids = list(bench_data.bench_agency_list().values_list("pk", flat=True))
    seen_by = set()  # (agency, deadline) pairs
    by_task = {}
    for deadline_id, task_id, responsible_id in deadlines.values_list(
        "pk", "task_id", "responsible_agency_id"
    ):
        if task_id not in by_task:
            by_task[task_id] = deadline_scope_agencies([(task_id, None)])
        for agency_id in by_task[task_id] | {responsible_id}:
            seen_by.add((agency_id, deadline_id))
    assert len(by_task) > 100
    for agency_id in agency_ids:
        in_scope = {
            pk for rows in agency_scope_deadline_sets(agency_id) for pk in rows.values_list("pk", flat=True)
        }
        from_deadlines = {deadline_id for (seen, deadline_id) in seen_by if seen == agency_id}
        assert from_deadlines == in_scope, agency_id


def overview_figures(overview):
    return (
        overview.counts,
        [(group.key, group.counts) for group in overview.areas],
        [(group.key, group.counts) for group in overview.agencies],
    )


def test_over_the_benchmark_data_the_kept_province_counts_equal_the_direct_count(django_user_model):
    """The province overview read from its kept counts (``StatusTally``) shows the same
    figures as counted directly from the deadlines, on the day counted and after
    changes of every kind are kept up to date, and on the next days."""
    call_command("generate_bench_data", "--scale", "0.02", "--today", "2026-05-15", stdout=io.StringIO())
    coordinator = django_user_model.objects.create_user("dieu.phoi", password="Mat-khau-2026")
    coordinator.groups.add(Group.objects.get(name="Cán bộ đầu mối (Sở Ngoại vụ)"))
    unfiltered, direct = DeadlineFilter(), DeadlineFilter(window="started")  # the same deadlines

    def assert_kept_equal_direct(day):
        dates = status_dates_get(today=day)
        status_tally_refresh(dates=dates)
        assert status_tally_rows(dates=dates) is not None
        kept = province_overview_get(user=coordinator, filters=unfiltered, dates=dates)
        counted = province_overview_get(user=coordinator, filters=direct, dates=dates)
        assert overview_figures(kept) == overview_figures(counted)
        assert kept.total > 500
        return kept

    first = assert_kept_equal_direct(D(2026, 5, 15))
    # Changes of every kind, then the same comparison.
    deadlines = Deadline.objects.filter(task__plan__in=bench_data.bench_plan_list(), waived_at__isnull=True)
    open_ones = list(deadlines.filter(completed_on__isnull=True).order_by("pk")[:30])
    agency_ids = list(bench_data.bench_agency_list().values_list("pk", flat=True))
    for i, deadline in enumerate(open_ones):
        if i % 3 == 0:
            deadline.waived_at, deadline.waiver_reason = timezone.now(), "Không còn phù hợp."
        elif i % 3 == 1:
            deadline.completed_on = D(2026, 5, 14)
        else:
            deadline.responsible_agency_id = agency_ids[i % len(agency_ids)]
        deadline.save()
    Deadline.objects.filter(pk=open_ones[-1].pk).delete()
    changed = assert_kept_equal_direct(D(2026, 5, 15))
    assert overview_figures(changed) != overview_figures(first)
    # After midnight, and into Tết: the statuses move with the date alone.
    assert_kept_equal_direct(D(2026, 5, 16))
    assert_kept_equal_direct(D(2027, 2, 8))
