"""Deadline generation as a service: horizons, regeneration, and what is never deleted."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from plans.models import Deadline, Task
from plans.services import deadline_sync_for_plan, deadline_sync_for_task
from plans.tests.factories import ProgressReportFactory, TaskFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def due_dates(task):
    return list(task.deadlines.order_by("due_on").values_list("due_on", flat=True))


def yearly_task(**kwargs):
    return TaskFactory(schedule=Task.Schedule.YEARLY, due_on=None, due_day=15, due_month=12, **kwargs)


def test_open_ended_plan_generates_through_the_end_of_next_year():
    task = yearly_task(area__plan__period_end=None)
    result = deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    assert due_dates(task) == [D(year, 12, 15) for year in range(2019, 2028)]
    assert result.created == 9


def test_horizon_setting_is_respected(settings):
    settings.DEADLINE_HORIZON_YEARS = 3
    task = yearly_task(area__plan__period_end=None)
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    assert due_dates(task)[-1] == D(2029, 12, 15)


def test_plan_with_an_end_generates_only_inside_its_period():
    task = yearly_task(area__plan__period_end=D(2021, 12, 31))
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    assert due_dates(task) == [D(2019, 12, 15), D(2020, 12, 15), D(2021, 12, 15)]


def test_task_start_limits_the_first_deadline():
    task = TaskFactory(schedule=Task.Schedule.HALF_YEARLY, due_on=None, start_on=D(2025, 3, 1))
    deadline_sync_for_task(task=task, today=D(2025, 3, 1))
    assert due_dates(task) == [D(2025, 6, 30), D(2025, 12, 31), D(2026, 6, 30), D(2026, 12, 31)]
    first = task.deadlines.order_by("due_on").first()
    assert (first.period_start, first.period_label) == (D(2025, 3, 1), "6 tháng đầu năm 2025")


def test_one_off_task_has_one_deadline():
    task = TaskFactory(due_on=D(2019, 12, 31))
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    deadline = task.deadlines.get()
    assert (deadline.due_on, deadline.period_label) == (D(2019, 12, 31), "Thời hạn 31/12/2019")


def test_sync_is_idempotent():
    task = yearly_task()
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    before = list(task.deadlines.values_list("pk", "due_on", "period_label"))
    result = deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert list(task.deadlines.values_list("pk", "due_on", "period_label")) == before


def test_changing_the_schedule_regenerates_only_future_deadlines_and_keeps_reported_ones():
    today = D(2026, 6, 1)
    task = yearly_task()
    deadline_sync_for_task(task=task, today=today)
    past_ids = set(task.deadlines.filter(due_on__lt=today).values_list("pk", flat=True))
    reported = task.deadlines.get(due_on=D(2027, 12, 15))
    ProgressReportFactory(
        deadline=reported, pending=True, submitted_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    )

    task.schedule, task.due_day, task.due_month = Task.Schedule.QUARTERLY, None, None
    task.save()
    result = deadline_sync_for_task(task=task, today=today)

    assert set(task.deadlines.filter(due_on__lt=today).values_list("pk", flat=True)) == past_ids
    assert not task.deadlines.filter(due_on=D(2026, 12, 15)).exists()
    assert task.deadlines.filter(pk=reported.pk).exists()
    future = due_dates(task)[len(past_ids) :]
    assert future == [
        D(2026, 6, 30),
        D(2026, 9, 30),
        D(2026, 12, 31),
        D(2027, 3, 31),
        D(2027, 6, 30),
        D(2027, 9, 30),
        D(2027, 12, 15),
        D(2027, 12, 31),
    ]
    # The quarters already past are not invented after the fact.
    assert not task.deadlines.filter(due_on=D(2026, 3, 31)).exists()
    assert (result.created, result.deleted, result.kept_with_reports) == (7, 1, 1)


def test_a_future_deadline_that_stays_gets_its_new_label():
    today = D(2026, 1, 10)
    task = TaskFactory(schedule=Task.Schedule.QUARTERLY, due_on=None, due_day=31)
    deadline_sync_for_task(task=task, today=today)
    task.schedule, task.report_cycle = Task.Schedule.ONGOING, Task.Cycle.HALF_YEARLY
    task.save()
    result = deadline_sync_for_task(task=task, today=today)
    kept = task.deadlines.get(due_on=D(2026, 6, 30))
    assert (kept.period_start, kept.period_label) == (D(2026, 1, 1), "6 tháng đầu năm 2026")
    assert result.updated == 4  # 30/06 and 31/12 of 2026 and 2027


def test_rolling_horizon_extends_a_year_later():
    task = yearly_task(area__plan__period_end=None)
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    result = deadline_sync_for_task(task=task, today=D(2027, 1, 5))
    assert result.created == 1
    assert due_dates(task)[-1] == D(2028, 12, 15)


def test_shortening_the_plan_removes_unreported_future_deadlines():
    task = yearly_task(area__plan__period_end=None)
    plan = task.plan
    deadline_sync_for_plan(plan=plan, today=D(2026, 11, 28))
    plan.period_end = D(2026, 12, 31)
    plan.save()
    deadline_sync_for_plan(plan=plan, today=D(2026, 11, 28))
    assert due_dates(task)[-1] == D(2026, 12, 15)
    assert Deadline.objects.filter(task=task, due_on__year=2027).count() == 0


def test_correcting_a_one_off_date_moves_its_deadline_with_its_reports():
    today = D(2026, 11, 28)
    task = TaskFactory(due_on=D(2026, 12, 20))
    deadline_sync_for_task(task=task, today=today)
    deadline = task.deadlines.get()
    report = ProgressReportFactory(
        deadline=deadline, pending=True, submitted_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    )
    for new_date in (D(2026, 10, 15), D(2026, 9, 30)):  # into the past, then within it
        task.due_on = new_date
        task.save()
        result = deadline_sync_for_task(task=task, today=today)
        moved = task.deadlines.get()
        assert (moved.pk, moved.due_on, moved.period_label) == (
            deadline.pk,
            new_date,
            "Thời hạn " + new_date.strftime("%d/%m/%Y"),
        )
        assert result.updated == 1
    assert list(moved.reports.all()) == [report]


def test_an_earlier_today_never_shrinks_an_open_ended_horizon():
    task = yearly_task(area__plan__period_end=None)
    deadline_sync_for_task(task=task, today=D(2026, 11, 28))
    result = deadline_sync_for_task(task=task, today=D(2025, 6, 1))
    assert result.deleted == 0
    assert due_dates(task)[-1] == D(2027, 12, 15)


def test_task_without_a_known_deadline_gets_none():
    task = TaskFactory(schedule=Task.Schedule.UNSPECIFIED, due_on=None)
    assert deadline_sync_for_task(task=task, today=D(2026, 11, 28)).created == 0
    assert task.schedule_display == "Chưa xác định (cần bổ sung)"


def test_generate_deadlines_command_extends_plans_that_are_not_closed():
    open_task = yearly_task(area__plan__period_end=None)
    closed_task = yearly_task(area__plan__status="closed", area__plan__period_end=D(2030, 12, 31))
    out = io.StringIO()
    call_command("generate_deadlines", stdout=out)
    expected = timezone.localdate().year + 1 - 2019 + 1  # 2019 through next year
    assert f"Hạn nhiệm vụ: tạo mới {expected}," in out.getvalue()
    assert due_dates(open_task)[-1] == D(timezone.localdate().year + 1, 12, 15)
    assert not closed_task.deadlines.exists()
    call_command("generate_deadlines", plan=closed_task.plan.number, stdout=out)
    assert due_dates(closed_task)[-1] == D(2030, 12, 15)
    with pytest.raises(CommandError, match="Không có kế hoạch số “999/KH-UBND”"):
        call_command("generate_deadlines", plan="999/KH-UBND")


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"schedule": "yearly", "due_day": 15, "due_month": 12}, "Hằng năm, trước 15/12"),
        ({"schedule": "ongoing", "report_cycle": "yearly"}, "Thường xuyên (báo cáo hằng năm)"),
        (
            {"schedule": "ongoing", "report_cycle": "yearly", "due_month": 6},
            "Thường xuyên (báo cáo hằng năm, cuối tháng 06)",
        ),
        ({"schedule": "quarterly", "due_day": 20}, "Hằng quý, ngày 20 tháng cuối kỳ"),
    ],
)
def test_schedule_is_shown_as_officials_write_it(fields, shown):
    # The month of an ongoing task reported yearly is part of its deadline, so it is shown.
    assert Task(**fields).schedule_display == shown
