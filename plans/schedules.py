"""A task's schedule, and its due dates: pure date arithmetic, no database.

Recurring schedules follow calendar periods: the year, its halves, its quarters. The
due date of a period is a day in its last month (``due_day``; the last day when empty),
or a day and month for yearly schedules. A day that the month does not have falls back
to the month's last day, so a yearly 29/02 is 28/02 outside leap years.
"""

import calendar
import datetime
from dataclasses import dataclass, replace

from django.db import models
from django.utils.translation import gettext_lazy as _

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


# Task.Schedule and Task.Cycle. Defined here so that this module, the deadline text
# parser (documents.schedule_text) and Task's own constraints use them without the models.
class Schedule(models.TextChoices):
    ONE_OFF = "one_off", _("Một lần (hạn cụ thể)")
    YEARLY = "yearly", _("Hằng năm")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    ONGOING = "ongoing", _("Thường xuyên")
    # For a task whose deadline the sources do not give: no deadlines are generated
    # until an admin fills it in from the original document.
    UNSPECIFIED = "unspecified", _("Chưa xác định (cần bổ sung)")


class Cycle(models.TextChoices):
    YEARLY = "yearly", _("hằng năm")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    QUARTERLY = "quarterly", _("hằng quý")


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


# A one-off deadline's period label only repeats its date ("Thời hạn 04/12/2026").
ONE_OFF_LABEL_PREFIX = "Thời hạn "


def cycle_label(period_label: str) -> str:
    """The cycle a deadline belongs to ("Quý IV/2026"), or "" for a one-off deadline,
    whose label only repeats its date: pages and messages then show the date alone."""
    return "" if period_label.startswith(ONE_OFF_LABEL_PREFIX) else period_label


def occurrences(*, schedule, cycle="", due_on=None, due_day=None, due_month=None, start, end):
    """Due dates of a schedule from ``start`` through ``end`` (both inclusive).

    ``schedule`` and ``cycle`` take the values of ``Schedule`` and ``Cycle``; a one-off
    date is returned whatever the window, as the plan's validation keeps it inside the
    plan period. A schedule the sources do not give (``UNSPECIFIED``) has no due dates.
    """
    if schedule == Schedule.UNSPECIFIED:
        return []
    if schedule == Schedule.ONE_OFF:
        label = ONE_OFF_LABEL_PREFIX + due_on.strftime("%d/%m/%Y")
        return [Occurrence(due_on, min(start, due_on), label)]
    if schedule == Schedule.ONGOING:
        schedule = cycle
    result = []
    for year in range(start.year, end.year + 1):
        # An ongoing task's cycle has the same values as the schedules it repeats.
        if schedule == Schedule.YEARLY:
            result += _yearly(year, due_day, due_month)
        elif schedule == Schedule.HALF_YEARLY:
            result += _half_yearly(year, due_day)
        elif schedule == Schedule.QUARTERLY:
            result += _quarterly(year, due_day)
        else:
            raise ValueError(f"Unknown schedule {schedule!r}")
    # A period that began before the task did starts, for this task, on its first day.
    return [
        replace(occ, period_start=max(occ.period_start, start))
        for occ in result
        if start <= occ.due_on <= end
    ]
