"""Report periods with the data cut-offs of Decree 09/2019/NĐ-CP, Art. 12."""

import datetime

import pytest

from plans.periods import ReportPeriod

D = datetime.date


@pytest.mark.parametrize(
    "code, start, end, label",
    [
        # Yearly: 15/12 of the previous year to 14/12.
        ("2026", D(2025, 12, 15), D(2026, 12, 14), "Năm 2026 (15/12/2025–14/12/2026)"),
        # Halves: 15/12 of the previous year to 14/6, then 15/6 to 14/12.
        ("2026-H1", D(2025, 12, 15), D(2026, 6, 14), "6 tháng đầu năm 2026 (15/12/2025–14/06/2026)"),
        (" 2026-h2 ", D(2026, 6, 15), D(2026, 12, 14), "6 tháng cuối năm 2026 (15/06–14/12/2026)"),
        # Quarters: 15 of the month before the quarter to 14 of its last month.
        ("2026-Q1", D(2025, 12, 15), D(2026, 3, 14), "Quý I/2026 (15/12/2025–14/03/2026)"),
        ("2026-Q2", D(2026, 3, 15), D(2026, 6, 14), "Quý II/2026 (15/03–14/06/2026)"),
        ("2026-Q3", D(2026, 6, 15), D(2026, 9, 14), "Quý III/2026 (15/06–14/09/2026)"),
        ("2026-q4", D(2026, 9, 15), D(2026, 12, 14), "Quý IV/2026 (15/09–14/12/2026)"),
        # Months: 15 of the previous month to 14 of the month.
        ("2026-M01", D(2025, 12, 15), D(2026, 1, 14), "Tháng 1/2026 (15/12/2025–14/01/2026)"),
        ("2026-M03", D(2026, 2, 15), D(2026, 3, 14), "Tháng 3/2026 (15/02–14/03/2026)"),
        ("2026-M12", D(2026, 11, 15), D(2026, 12, 14), "Tháng 12/2026 (15/11–14/12/2026)"),
    ],
)
def test_each_period_runs_from_the_15th_to_the_14th(code, start, end, label):
    period = ReportPeriod.parse(code)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.code == code.strip().upper()


def test_consecutive_periods_leave_no_gap_and_no_overlap():
    for kind in (range(1, 13), range(1, 5)):
        periods = [
            ReportPeriod.month(year, n) if len(kind) == 12 else ReportPeriod.quarter(year, n)
            for year in (2026, 2027)
            for n in kind
        ]
        for before, after in zip(periods, periods[1:], strict=False):
            assert after.start == before.end + datetime.timedelta(days=1)
    assert ReportPeriod.year(2027).start == ReportPeriod.year(2026).end + datetime.timedelta(days=1)
    assert ReportPeriod.half(2026, 2).start == ReportPeriod.half(2026, 1).end + datetime.timedelta(days=1)


def test_first_and_last_day_belong_to_their_period():
    q4 = ReportPeriod.parse("2026-Q4")
    assert ReportPeriod.quarter_containing(D(2026, 9, 14)).code == "2026-Q3"
    assert ReportPeriod.quarter_containing(q4.start).code == "2026-Q4"
    assert ReportPeriod.quarter_containing(q4.end).code == "2026-Q4"
    # After the cut-off in December, data belongs to next year's first quarter.
    assert ReportPeriod.quarter_containing(D(2026, 12, 15)).code == "2027-Q1"
    assert ReportPeriod.quarter_containing(D(2026, 12, 31)).code == "2027-Q1"


def test_the_cut_off_day_is_a_setting(settings):
    settings.REPORT_CUTOFF_DAY = 20
    period = ReportPeriod.parse("2026-Q4")
    assert (period.start, period.end) == (D(2026, 9, 21), D(2026, 12, 20))
    assert period.label == "Quý IV/2026 (21/09–20/12/2026)"


def test_figures_of_a_past_period_are_taken_on_its_cut_off():
    q3 = ReportPeriod.parse("2026-Q3")
    assert q3.as_of(D(2026, 12, 1)) == D(2026, 9, 14)
    assert ReportPeriod.parse("2026-Q4").as_of(D(2026, 12, 1)) == D(2026, 12, 1)


def test_a_year_offers_its_halves_quarters_and_months():
    codes = [period.code for period in ReportPeriod.all_in_year(2026)]
    assert codes[:7] == ["2026", "2026-H1", "2026-H2", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert codes[7:] == [f"2026-M{month:02d}" for month in range(1, 13)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "20",
        "2026-Q5",
        "2026-Q0",
        "2026-H3",
        "2026Q1",
        "2026-Q1x",
        "năm 2026",
        "2026-M13",
        "2026-M00",
        "0000",
    ],
)
def test_other_forms_are_refused_in_vietnamese(text):
    with pytest.raises(ValueError) as refused:
        ReportPeriod.parse(text)
    message = str(refused.value)
    assert f"“{text}” không hợp lệ" in message
    assert "2026-H1" in message and "2026-Q4" in message and "2026-M12" in message
