"""The stored completion date (``Deadline.completed_on``) that every status reads.

Statuses are not stored: each one compares the deadline's own columns with the day the
figures are for. What is stored is only the day its completion was sent, which no date
and no holiday correction changes. These tests prove that the statuses read from it are
exact as days pass and when the working calendar is corrected (and, in
``benchmarks/tests/test_bench_statuses.py``, that over the whole benchmark data set they
equal the statuses computed directly from the reports)."""

import datetime

import pytest

from plans.models import Deadline, DeadlineStatus, Holiday, ProgressReport
from plans.selectors import deadline_completion_mismatches, deadline_list_with_status, status_dates_get
from plans.services import deadline_ends_refresh, report_accept, report_return
from plans.tests.factories import TaskFactory, local_datetime

D = datetime.date
pytestmark = pytest.mark.django_db


def status_on(deadline, today):
    return deadline_list_with_status(dates=status_dates_get(today=today)).get(pk=deadline.pk).status


def sent(deadline, when, *, state=ProgressReport.State.DONE, user=None):
    """A report as an officer sends it: waiting for review, the deadline not done yet."""
    return ProgressReport.objects.create(
        deadline=deadline,
        agency=deadline.responsible_agency,
        state=state,
        percent=100 if state == ProgressReport.State.DONE else 40,
        narrative="Đã thực hiện.",
        submitted_at=when,
        submitted_by=user,
        review_state=ProgressReport.ReviewState.SUBMITTED,
    )


@pytest.fixture
def friday(deadline):
    """A deadline due on Friday 27/11/2026, ending that day (a working day)."""
    deadline.due_on = deadline.ends_on = D(2026, 11, 27)
    deadline.period_start = D(2026, 1, 1)
    deadline.save()
    return deadline


def test_accepting_a_completion_stores_the_local_day_it_was_sent(friday, users):
    # 00:30 in Hà Nội on the Saturday is still Friday 17:30 in UTC: the local day is
    # what is kept, and it is a day late.
    report = sent(friday, local_datetime(D(2026, 11, 28), 0, 30), user=users["officer_a"])
    friday.refresh_from_db()
    assert friday.completed_on is None  # sent, not yet accepted
    report_accept(report=report, user=users["coordinator"])
    friday.refresh_from_db()
    assert friday.completed_on == D(2026, 11, 28)
    assert status_on(friday, D(2026, 12, 2)) == DeadlineStatus.DONE_LATE
    assert not deadline_completion_mismatches().exists()


@pytest.mark.parametrize("state", [ProgressReport.State.IN_PROGRESS, ProgressReport.State.DONE])
def test_a_progress_report_accepted_or_a_completion_returned_leaves_the_deadline_open(friday, users, state):
    report = sent(friday, local_datetime(D(2026, 11, 20)), state=state, user=users["officer_a"])
    if state == ProgressReport.State.DONE:
        report_return(report=report, user=users["coordinator"], comment="Bổ sung minh chứng.")
    else:
        report_accept(report=report, user=users["coordinator"])
    friday.refresh_from_db()
    assert friday.completed_on is None
    assert status_on(friday, D(2026, 11, 30)) == DeadlineStatus.OVERDUE
    assert not deadline_completion_mismatches().exists()


def test_statuses_follow_the_day_across_midnight(friday, users):
    """Nothing is recomputed when the day changes: the same rows give the next day's
    statuses, before and after the completion, from the stored date alone."""
    assert status_on(friday, D(2026, 11, 27)) == DeadlineStatus.DUE_SOON  # its last day
    assert status_on(friday, D(2026, 11, 28)) == DeadlineStatus.OVERDUE  # the day after
    report = sent(friday, local_datetime(D(2026, 11, 30), 8), user=users["officer_a"])
    report_accept(report=report, user=users["coordinator"])
    # Figures as of a day before the completion was sent do not count it.
    assert status_on(friday, D(2026, 11, 29)) == DeadlineStatus.OVERDUE
    assert status_on(friday, D(2026, 11, 30)) == DeadlineStatus.DONE_LATE
    assert status_on(friday, D(2027, 1, 1)) == DeadlineStatus.DONE_LATE


def test_a_holiday_correction_moves_done_late_to_done_on_time_without_touching_the_date(friday, users):
    """Done on Monday 30/11 for a Friday deadline is late; when Friday turns out to be
    a day off, the deadline really ends on Monday (Civil Code Art. 148(5)) and the same
    completion is on time. The correction moves ``ends_on``; ``completed_on`` stays."""
    report = sent(friday, local_datetime(D(2026, 11, 30), 10), user=users["officer_a"])
    report_accept(report=report, user=users["coordinator"])
    assert status_on(friday, D(2026, 12, 2)) == DeadlineStatus.DONE_LATE

    Holiday.objects.create(date=D(2026, 11, 27), kind=Holiday.Kind.DAY_OFF, name="Nghỉ bù")
    assert deadline_ends_refresh(days=[D(2026, 11, 27)]) == 1
    friday.refresh_from_db()
    assert (friday.ends_on, friday.completed_on) == (D(2026, 11, 30), D(2026, 11, 30))
    assert status_on(friday, D(2026, 12, 2)) == DeadlineStatus.DONE_ON_TIME
    # An open deadline is not overdue on the Saturday any more, nor on the day off.
    other = Deadline.objects.create(
        task=TaskFactory(lead_agency=friday.responsible_agency, due_on=D(2026, 11, 27)),
        responsible_agency=friday.responsible_agency,
        due_on=D(2026, 11, 27),
        period_start=D(2026, 1, 2),
        period_label="Khác",
    )
    assert other.ends_on == D(2026, 11, 30)
    assert status_on(other, D(2026, 11, 28)) == DeadlineStatus.DUE_SOON

    Holiday.objects.all().delete()
    deadline_ends_refresh(days=[D(2026, 11, 27)])
    assert status_on(friday, D(2026, 12, 2)) == DeadlineStatus.DONE_LATE
    assert status_on(other, D(2026, 11, 28)) == DeadlineStatus.OVERDUE
