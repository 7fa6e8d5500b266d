"""Working days: weekends, Vietnam's public holidays (Tết included) and admin corrections."""

import datetime

from plans.working_days import WorkingCalendar

D = datetime.date


def test_weekends_are_skipped():
    calendar = WorkingCalendar()
    # Friday 20/11/2026 + 1 working day = Monday 23/11/2026.
    assert calendar.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)
    assert calendar.add_working_days(D(2026, 11, 20), 0) == D(2026, 11, 20)


def test_tet_is_skipped():
    calendar = WorkingCalendar()
    # Tết Bính Ngọ: 16/02–20/02/2026 are public holidays, 14–15 and 21–22 a weekend.
    for day in range(14, 23):
        assert not calendar.is_working_day(D(2026, 2, day)), day
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert calendar.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_official_make_up_saturday_is_a_working_day():
    calendar = WorkingCalendar()
    # 2026: Monday 31/08 is a day off in exchange for Saturday 22/08, which is worked.
    assert calendar.is_working_day(D(2026, 8, 22))
    assert not calendar.is_working_day(D(2026, 8, 31))


def test_admin_corrections_win_over_the_public_calendar():
    calendar = WorkingCalendar(days_off=[D(2026, 2, 23)], working_days=[D(2026, 2, 14)])
    assert not calendar.is_working_day(D(2026, 2, 23))
    assert calendar.is_working_day(D(2026, 2, 14))
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
