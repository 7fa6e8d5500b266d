"""Computed status (docs/architecture.md, Business rules) at every boundary, in the database."""

import datetime

import pytest

from plans.models import DeadlineStatus, Holiday, ProgressReport, Task
from plans.selectors import deadline_list_with_status, status_dates_get, task_list_with_current_deadline
from plans.services import deadline_sync_for_task
from plans.tests.factories import ProgressReportFactory, TaskFactory, local_datetime

D = datetime.date
pytestmark = pytest.mark.django_db


def one_off(due_on, **kwargs):
    task = TaskFactory(due_on=due_on, **kwargs)
    deadline_sync_for_task(task=task, today=D(2019, 1, 1))
    return task.deadlines.get()


def status_on(deadline, today):
    return deadline_list_with_status(dates=status_dates_get(today=today)).get(pk=deadline.pk).status


def test_due_today_is_due_soon_and_overdue_the_day_after():
    deadline = one_off(D(2026, 11, 27))
    assert status_on(deadline, D(2026, 11, 27)) == DeadlineStatus.DUE_SOON
    assert status_on(deadline, D(2026, 11, 28)) == DeadlineStatus.OVERDUE


def test_due_soon_window_is_three_working_days():
    # Wednesday 25/11/2026 + 3 working days = Monday 30/11.
    assert status_dates_get(today=D(2026, 11, 25)).due_soon_until == D(2026, 11, 30)
    assert status_on(one_off(D(2026, 11, 30)), D(2026, 11, 25)) == DeadlineStatus.DUE_SOON
    assert status_on(one_off(D(2026, 12, 1)), D(2026, 11, 25)) == DeadlineStatus.NOT_YET_DUE


def test_window_setting_is_respected(settings):
    settings.DUE_SOON_WORKING_DAYS = 1
    assert status_on(one_off(D(2026, 11, 27)), D(2026, 11, 25)) == DeadlineStatus.NOT_YET_DUE


def test_tet_counts_as_no_working_days():
    # Friday 13/02/2026 is the last working day before Tết (16–20/02). The first working
    # day after it is one working day away although ten calendar days away.
    today = D(2026, 2, 13)
    assert status_dates_get(today=today).due_soon_until == D(2026, 2, 25)
    assert status_on(one_off(D(2026, 2, 23)), today) == DeadlineStatus.DUE_SOON
    assert status_on(one_off(D(2026, 2, 25)), today) == DeadlineStatus.DUE_SOON
    assert status_on(one_off(D(2026, 2, 26)), today) == DeadlineStatus.NOT_YET_DUE


def test_a_deadline_on_the_last_working_day_before_tet():
    deadline = one_off(D(2026, 2, 13))
    assert status_on(deadline, D(2026, 2, 9)) == DeadlineStatus.NOT_YET_DUE  # 4 working days
    assert status_on(deadline, D(2026, 2, 10)) == DeadlineStatus.DUE_SOON  # 3 working days
    assert status_on(deadline, D(2026, 2, 13)) == DeadlineStatus.DUE_SOON
    assert status_on(deadline, D(2026, 2, 16)) == DeadlineStatus.OVERDUE  # first day of Tết


def test_admin_holiday_table_moves_the_window():
    today = D(2026, 2, 13)
    deadline = one_off(D(2026, 2, 25))
    Holiday.objects.create(date=D(2026, 2, 23), kind=Holiday.Kind.DAY_OFF, name="Nghỉ thêm")
    assert status_on(deadline, today) == DeadlineStatus.DUE_SOON  # 24, 25, 26 now
    Holiday.objects.create(date=D(2026, 2, 14), kind=Holiday.Kind.WORKING_DAY, name="Làm bù")
    assert status_dates_get(today=today).due_soon_until == D(2026, 2, 25)
    Holiday.objects.filter(kind=Holiday.Kind.DAY_OFF).delete()
    assert status_dates_get(today=today).due_soon_until == D(2026, 2, 24)
    assert status_on(deadline, today) == DeadlineStatus.NOT_YET_DUE


def test_completed_on_the_due_date_in_local_time_is_on_time():
    deadline = one_off(D(2026, 3, 31))
    # 23:30 in Hà Nội is 16:30 UTC the same day.
    ProgressReportFactory(deadline=deadline, submitted_at=local_datetime(D(2026, 3, 31), 23, 30))
    assert status_on(deadline, D(2026, 11, 28)) == DeadlineStatus.DONE_ON_TIME


def test_completed_a_day_late_is_done_late():
    deadline = one_off(D(2026, 3, 31))
    # 00:30 on 01/04 in Hà Nội is still 31/03 in UTC: the local date is what counts.
    ProgressReportFactory(deadline=deadline, submitted_at=local_datetime(D(2026, 4, 1), 0, 30))
    assert status_on(deadline, D(2026, 11, 28)) == DeadlineStatus.DONE_LATE


def test_done_early_stays_done_before_the_due_date():
    deadline = one_off(D(2026, 12, 31))
    ProgressReportFactory(deadline=deadline, submitted_at=local_datetime(D(2026, 11, 2)))
    assert status_on(deadline, D(2026, 11, 28)) == DeadlineStatus.DONE_ON_TIME


@pytest.mark.parametrize(
    "state, review_state",
    [
        (ProgressReport.State.DONE, ProgressReport.ReviewState.SUBMITTED),
        (ProgressReport.State.DONE, ProgressReport.ReviewState.RETURNED),
        (ProgressReport.State.IN_PROGRESS, ProgressReport.ReviewState.ACCEPTED),
    ],
)
def test_only_an_accepted_completion_report_makes_a_deadline_done(state, review_state):
    deadline = one_off(D(2026, 3, 31))
    ProgressReportFactory(deadline=deadline, state=state, percent=50, review_state=review_state)
    assert status_on(deadline, D(2026, 11, 28)) == DeadlineStatus.OVERDUE


def test_future_period_is_not_yet_due():
    task = TaskFactory(schedule=Task.Schedule.QUARTERLY, due_on=None)
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    q1 = task.deadlines.get(due_on=D(2027, 3, 31))
    assert status_on(q1, D(2026, 11, 28)) == DeadlineStatus.NOT_YET_DUE
    assert status_on(q1, D(2027, 1, 1)) == DeadlineStatus.NOT_YET_DUE


def test_status_filters_in_the_database():
    today = D(2026, 11, 28)
    overdue = one_off(D(2026, 11, 1))
    one_off(D(2026, 12, 30))
    queryset = deadline_list_with_status(dates=status_dates_get(today=today))
    assert list(queryset.filter(status=DeadlineStatus.OVERDUE)) == [overdue]


def test_task_current_deadline_is_the_earliest_open_one():
    today = D(2026, 11, 28)
    task = TaskFactory(schedule=Task.Schedule.HALF_YEARLY, due_on=None, start_on=D(2026, 1, 1))
    deadline_sync_for_task(task=task, today=today)
    first = task.deadlines.get(due_on=D(2026, 6, 30))
    ProgressReportFactory(deadline=first, submitted_at=local_datetime(D(2026, 6, 29)))
    annotated = task_list_with_current_deadline(dates=status_dates_get(today=today)).get(pk=task.pk)
    assert (annotated.current_due_on, annotated.current_status) == (
        D(2026, 12, 31),
        DeadlineStatus.NOT_YET_DUE,
    )

    second = task.deadlines.get(due_on=D(2026, 12, 31))
    ProgressReportFactory(deadline=second, submitted_at=local_datetime(D(2026, 12, 1)))
    for deadline in task.deadlines.filter(due_on__year=2027):
        ProgressReportFactory(deadline=deadline, submitted_at=local_datetime(D(2028, 1, 2)))
    annotated = task_list_with_current_deadline(dates=status_dates_get(today=today)).get(pk=task.pk)
    # All done: the latest deadline stands for the task, done late as one of them was.
    assert (annotated.current_due_on, annotated.current_status) == (D(2027, 12, 31), DeadlineStatus.DONE_LATE)


def test_task_with_every_deadline_done_on_time_is_done_on_time():
    task = TaskFactory(schedule=Task.Schedule.HALF_YEARLY, due_on=None, start_on=D(2026, 1, 1))
    deadline_sync_for_task(task=task, today=D(2026, 1, 1))
    for deadline in task.deadlines.all():
        ProgressReportFactory(deadline=deadline, submitted_at=local_datetime(deadline.due_on, 23, 59))
    annotated = task_list_with_current_deadline(dates=status_dates_get(today=D(2026, 11, 28))).get(pk=task.pk)
    assert (annotated.current_due_on, annotated.current_status) == (
        D(2027, 12, 31),
        DeadlineStatus.DONE_ON_TIME,
    )


def test_status_lists_are_one_query_without_per_row_subqueries():
    """Status is computed by joins and grouping; a correlated subquery per row and per
    status branch made the task list take minutes on province-sized data."""
    dates = status_dates_get(today=D(2026, 11, 28))
    for queryset in (task_list_with_current_deadline(dates=dates), deadline_list_with_status(dates=dates)):
        sql = str(queryset.filter(pk__gt=0).query)
        assert sql.count("SELECT") == 1, sql


def test_task_without_deadlines_has_no_status():
    task = TaskFactory()
    annotated = task_list_with_current_deadline(dates=status_dates_get(today=D(2026, 11, 28))).get(pk=task.pk)
    assert (annotated.current_due_on, annotated.current_status) == (None, None)
