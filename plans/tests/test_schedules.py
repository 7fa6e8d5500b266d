"""Deadline dates from schedules: pure date arithmetic, no database."""

import datetime

import pytest

from plans.schedules import occurrences

D = datetime.date


def dates(occs):
    return [occ.due_on for occ in occs]


def test_one_off_gives_its_single_date():
    occs = occurrences(schedule="one_off", due_on=D(2019, 12, 31), start=D(2019, 1, 1), end=D(2021, 12, 31))
    assert [(o.due_on, o.period_start, o.period_label) for o in occs] == [
        (D(2019, 12, 31), D(2019, 1, 1), "Thời hạn 31/12/2019")
    ]


def test_yearly_on_a_day_and_month_across_years():
    occs = occurrences(schedule="yearly", due_day=15, due_month=12, start=D(2019, 1, 1), end=D(2021, 12, 31))
    assert dates(occs) == [D(2019, 12, 15), D(2020, 12, 15), D(2021, 12, 15)]
    assert [o.period_label for o in occs] == ["Năm 2019", "Năm 2020", "Năm 2021"]
    assert [o.period_start for o in occs] == [D(2019, 1, 1), D(2020, 1, 1), D(2021, 1, 1)]


def test_yearly_on_29_february_falls_back_to_28_outside_leap_years():
    occs = occurrences(schedule="yearly", due_day=29, due_month=2, start=D(2019, 1, 1), end=D(2024, 12, 31))
    assert dates(occs) == [
        D(2019, 2, 28),
        D(2020, 2, 29),
        D(2021, 2, 28),
        D(2022, 2, 28),
        D(2023, 2, 28),
        D(2024, 2, 29),
    ]


def test_half_yearly_defaults_to_the_last_day_of_each_half():
    occs = occurrences(schedule="half_yearly", start=D(2020, 1, 1), end=D(2020, 12, 31))
    assert [(o.due_on, o.period_start, o.period_label) for o in occs] == [
        (D(2020, 6, 30), D(2020, 1, 1), "6 tháng đầu năm 2020"),
        (D(2020, 12, 31), D(2020, 7, 1), "6 tháng cuối năm 2020"),
    ]


def test_quarterly_day_31_is_clamped_to_short_months():
    occs = occurrences(schedule="quarterly", due_day=31, start=D(2020, 1, 1), end=D(2020, 12, 31))
    assert dates(occs) == [D(2020, 3, 31), D(2020, 6, 30), D(2020, 9, 30), D(2020, 12, 31)]
    assert [o.period_label for o in occs] == ["Quý I/2020", "Quý II/2020", "Quý III/2020", "Quý IV/2020"]
    assert [o.period_start for o in occs] == [D(2020, 1, 1), D(2020, 4, 1), D(2020, 7, 1), D(2020, 10, 1)]


def test_quarterly_on_a_day_of_the_last_month():
    occs = occurrences(schedule="quarterly", due_day=15, start=D(2021, 1, 1), end=D(2021, 12, 31))
    assert dates(occs) == [D(2021, 3, 15), D(2021, 6, 15), D(2021, 9, 15), D(2021, 12, 15)]


def test_ongoing_follows_its_report_cycle():
    ongoing = occurrences(schedule="ongoing", cycle="quarterly", start=D(2020, 1, 1), end=D(2021, 12, 31))
    quarterly = occurrences(schedule="quarterly", start=D(2020, 1, 1), end=D(2021, 12, 31))
    assert ongoing == quarterly
    yearly = occurrences(schedule="ongoing", cycle="yearly", start=D(2019, 1, 1), end=D(2020, 12, 31))
    assert dates(yearly) == [D(2019, 12, 31), D(2020, 12, 31)]


def test_window_keeps_only_due_dates_inside_it_and_clamps_the_first_period():
    occs = occurrences(schedule="quarterly", start=D(2020, 5, 10), end=D(2021, 3, 30))
    # Q2/2020 is due 30/06 (inside); Q1/2021 is due 31/03, after the window.
    assert dates(occs) == [D(2020, 6, 30), D(2020, 9, 30), D(2020, 12, 31)]
    assert occs[0].period_start == D(2020, 5, 10)
    assert occs[1].period_start == D(2020, 7, 1)


def test_unknown_schedule_is_an_error():
    with pytest.raises(ValueError):
        occurrences(schedule="monthly", start=D(2020, 1, 1), end=D(2020, 12, 31))


def test_ongoing_yearly_with_a_day_but_no_month_is_due_that_day_in_december():
    occs = occurrences(
        schedule="ongoing", cycle="yearly", due_day=15, start=D(2020, 1, 1), end=D(2021, 12, 31)
    )
    assert dates(occs) == [D(2020, 12, 15), D(2021, 12, 15)]


def test_unspecified_schedule_has_no_deadlines():
    assert occurrences(schedule="unspecified", start=D(2019, 1, 1), end=D(2027, 12, 31)) == []
