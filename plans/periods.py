"""Reporting periods of the province's periodic reports, with the data cut-offs of
Decree 09/2019/NĐ-CP, Art. 12: a period runs from the day after the cut-off of the
month before it to the cut-off day of its last month (by default the 15th to the 14th).

- monthly: 15 of the previous month to 14 of the month;
- quarterly: 15 of the month before the quarter to 14 of its last month;
- first half: 15/12 of the previous year to 14/6; second half: 15/6 to 14/12;
- yearly: 15/12 of the previous year to 14/12.

Periods are written as codes: ``2026`` (year), ``2026-H1``/``2026-H2`` (halves),
``2026-Q1`` … ``2026-Q4`` (quarters), ``2026-M01`` … ``2026-M12`` (months).
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings

from plans.schedules import ROMAN_QUARTERS

_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[HQM])(?P<part>\d{1,2}))?$")

ACCEPTED_FORMS = (
    "2026 (cả năm), 2026-H1 hoặc 2026-H2 (6 tháng đầu, cuối năm), 2026-Q1 … 2026-Q4 (quý), "
    "2026-M01 … 2026-M12 (tháng)"
)


def cutoff_day() -> int:
    """The last day of a period's data in its last month (Decree 09: the 14th)."""
    return settings.REPORT_CUTOFF_DAY


def _window(year: int, first_month: int, last_month: int) -> tuple[datetime.date, datetime.date]:
    """From the day after the cut-off of the month before ``first_month`` to the
    cut-off of ``last_month`` (months of ``year``; month 0 is December before)."""
    day = cutoff_day()
    before_year, before_month = (year - 1, 12) if first_month == 1 else (year, first_month - 1)
    start = datetime.date(before_year, before_month, day) + datetime.timedelta(days=1)
    return start, datetime.date(year, last_month, day)


def _short(day: datetime.date) -> str:
    return day.strftime("%d/%m")


@dataclass(frozen=True)
class ReportPeriod:
    start: datetime.date
    end: datetime.date
    code: str
    # "quý IV/2026", "năm 2026": the period's name inside a sentence.
    name: str

    @property
    def span(self) -> str:
        """ "15/09–14/12/2026" (the start's year is written when it differs)."""
        start = _short(self.start) if self.start.year == self.end.year else self.start.strftime("%d/%m/%Y")
        return f"{start}–{self.end.strftime('%d/%m/%Y')}"

    @property
    def label(self) -> str:
        """ "Quý IV/2026 (15/09–14/12/2026)": how forms and reports offer the period."""
        return f"{self.name[0].upper()}{self.name[1:]} ({self.span})"

    @classmethod
    def year(cls, year: int) -> "ReportPeriod":
        return cls(*_window(year, 1, 12), str(year), f"năm {year}")

    @classmethod
    def half(cls, year: int, half: int) -> "ReportPeriod":
        which = "đầu" if half == 1 else "cuối"
        first_month = 1 if half == 1 else 7
        return cls(
            *_window(year, first_month, first_month + 5), f"{year}-H{half}", f"6 tháng {which} năm {year}"
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "ReportPeriod":
        first_month = 3 * quarter - 2
        return cls(
            *_window(year, first_month, first_month + 2),
            f"{year}-Q{quarter}",
            f"quý {ROMAN_QUARTERS[quarter]}/{year}",
        )

    @classmethod
    def month(cls, year: int, month: int) -> "ReportPeriod":
        return cls(*_window(year, month, month), f"{year}-M{month:02d}", f"tháng {month}/{year}")

    @classmethod
    def parse(cls, text: str) -> "ReportPeriod":
        """The period a code names; ``ValueError`` with a Vietnamese message otherwise."""
        match = _CODE.match((text or "").strip().upper())
        year = int(match["year"]) if match else 0
        if match and year >= 2:
            kind, part = match["kind"], int(match["part"] or 0)
            if kind is None:
                return cls.year(year)
            if kind == "H" and part in (1, 2):
                return cls.half(year, part)
            if kind == "Q" and part in ROMAN_QUARTERS:
                return cls.quarter(year, part)
            if kind == "M" and 1 <= part <= 12:
                return cls.month(year, part)
        raise ValueError(f"Kỳ báo cáo “{text}” không hợp lệ. Các dạng được chấp nhận: {ACCEPTED_FORMS}.")

    @classmethod
    def all_in_year(cls, year: int) -> list["ReportPeriod"]:
        """The year, its halves, its quarters and its months, in that order."""
        return (
            [cls.year(year), cls.half(year, 1), cls.half(year, 2)]
            + [cls.quarter(year, quarter) for quarter in ROMAN_QUARTERS]
            + [cls.month(year, month) for month in range(1, 13)]
        )

    @classmethod
    def quarter_containing(cls, day: datetime.date) -> "ReportPeriod":
        """The quarterly period whose data window holds ``day`` (after the cut-off in a
        quarter's last month, the next quarter's)."""
        for period in cls.all_in_year(day.year + 1)[3:7] + cls.all_in_year(day.year)[3:7]:
            if period.start <= day <= period.end:
                return period
        raise AssertionError("quarters cover every day")

    def following(self) -> "ReportPeriod":
        """The period of the same kind that comes next (quý IV/2026 → quý I/2027): the
        one whose key tasks a report lists."""
        match = _CODE.match(self.code)
        year, kind, part = int(match["year"]), match["kind"], int(match["part"] or 0)
        if kind is None:
            return self.year(year + 1)
        last = {"H": 2, "Q": 4, "M": 12}[kind]
        year, part = (year + 1, 1) if part == last else (year, part + 1)
        return self.parse(f"{year}-{kind}{part:02d}" if kind == "M" else f"{year}-{kind}{part}")

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day a period's figures are taken: its cut-off, or today while it runs."""
        return min(today, self.end)

    def __str__(self) -> str:
        return self.label
