"""The statuses that every page counts, read from each deadline's stored completion date
(``Deadline.completed_on``), equal over the benchmark data set the statuses computed
directly from the reports, on a working day, the eve of a new year and a day of Tết."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from benchmarks import data as bench_data
from plans.models import Deadline, DeadlineStatus, ProgressReport
from plans.selectors import (
    STATUS_ORDER,
    agency_scope_deadline_sets,
    deadline_completion_mismatches,
    deadline_list_with_status,
    deadline_scope_agencies,
    status_counts,
    status_dates_get,
)

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
