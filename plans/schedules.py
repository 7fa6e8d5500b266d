"""A task's schedule turned into due dates: pure date arithmetic, no database.

Recurring schedules follow calendar periods: the year, its halves, its quarters. The
due date of a period is a day in its last month (``due_day``; the last day when empty),
or a day and month for yearly schedules. A day that the month does not have falls back
to the month's last day, so a yearly 29/02 is 28/02 outside leap years.
"""

import calendar
import datetime
from dataclasses import dataclass, replace

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Occurrence:
    due_on: datetime.date
    period_start: datetime.date
    period_label: str


def month_end(year, month) -> datetime.date:
    return _clamped_date(year, month, None)


def _clamped_date(year, month, day):
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day or last, last))


def _yearly(year, due_day, due_month):
    # Without a month, the due day is taken in the period's last month, as for halves
    # and quarters.
    due = _clamped_date(year, due_month or 12, due_day)
    return [Occurrence(due, datetime.date(year, 1, 1), f"Năm {year}")]


def _half_yearly(year, due_day):
    return [
        Occurrence(_clamped_date(year, 6, due_day), datetime.date(year, 1, 1), f"6 tháng đầu năm {year}"),
        Occurrence(_clamped_date(year, 12, due_day), datetime.date(year, 7, 1), f"6 tháng cuối năm {year}"),
    ]


def _quarterly(year, due_day):
    return [
        Occurrence(
            _clamped_date(year, 3 * quarter, due_day),
            datetime.date(year, 3 * quarter - 2, 1),
            f"Quý {ROMAN_QUARTERS[quarter]}/{year}",
        )
        for quarter in range(1, 5)
    ]


def occurrences(*, schedule, cycle="", due_on=None, due_day=None, due_month=None, start, end):
    """Due dates of a schedule from ``start`` through ``end`` (both inclusive).

    ``schedule`` and ``cycle`` take the values of ``Task.Schedule`` and ``Task.Cycle``;
    a one-off date is returned whatever the window, as the plan's validation keeps it
    inside the plan period. A schedule the sources do not give ("unspecified") has no
    due dates.
    """
    if schedule == "unspecified":
        return []
    if schedule == "one_off":
        label = "Thời hạn " + due_on.strftime("%d/%m/%Y")
        return [Occurrence(due_on, min(start, due_on), label)]
    if schedule == "ongoing":
        schedule = cycle
    result = []
    for year in range(start.year, end.year + 1):
        if schedule == "yearly":
            result += _yearly(year, due_day, due_month)
        elif schedule == "half_yearly":
            result += _half_yearly(year, due_day)
        elif schedule == "quarterly":
            result += _quarterly(year, due_day)
        else:
            raise ValueError(f"Unknown schedule {schedule!r}")
    # A period that began before the task did starts, for this task, on its first day.
    return [
        replace(occ, period_start=max(occ.period_start, start))
        for occ in result
        if start <= occ.due_on <= end
    ]
