"""Reporting periods of the province's periodic report: a calendar year, one of its
halves or one of its quarters (Decree 09/2019/NĐ-CP), written as codes such as
``2020``, ``2020-H1`` or ``2020-Q3``."""

import datetime
import re
from dataclasses import dataclass

from plans.schedules import ROMAN_QUARTERS, month_end

_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[HQ])(?P<part>\d))?$")

ACCEPTED_FORMS = "2020 (cả năm), 2020-H1 hoặc 2020-H2 (6 tháng đầu, cuối năm), 2020-Q1 … 2020-Q4 (quý)"


@dataclass(frozen=True)
class ReportPeriod:
    start: datetime.date
    end: datetime.date
    code: str
    label: str

    @classmethod
    def year(cls, year: int) -> "ReportPeriod":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), f"năm {year}")

    @classmethod
    def half(cls, year: int, half: int) -> "ReportPeriod":
        which = "đầu" if half == 1 else "cuối"
        first_month = 1 if half == 1 else 7
        return cls(
            datetime.date(year, first_month, 1),
            month_end(year, first_month + 5),
            f"{year}-H{half}",
            f"6 tháng {which} năm {year}",
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "ReportPeriod":
        first_month = 3 * quarter - 2
        return cls(
            datetime.date(year, first_month, 1),
            month_end(year, first_month + 2),
            f"{year}-Q{quarter}",
            f"quý {ROMAN_QUARTERS[quarter]} năm {year}",
        )

    @classmethod
    def parse(cls, text: str) -> "ReportPeriod":
        """The period a code names; ``ValueError`` with a Vietnamese message otherwise."""
        match = _CODE.match((text or "").strip().upper())
        year = int(match["year"]) if match else 0
        if match and year >= 1:
            kind, part = match["kind"], int(match["part"] or 0)
            if kind is None:
                return cls.year(year)
            if kind == "H" and part in (1, 2):
                return cls.half(year, part)
            if kind == "Q" and part in ROMAN_QUARTERS:
                return cls.quarter(year, part)
        raise ValueError(f"Kỳ báo cáo “{text}” không hợp lệ. Các dạng được chấp nhận: {ACCEPTED_FORMS}.")

    @classmethod
    def all_in_year(cls, year: int) -> list["ReportPeriod"]:
        """The year, its halves and its quarters, in that order."""
        return [cls.year(year), cls.half(year, 1), cls.half(year, 2)] + [
            cls.quarter(year, quarter) for quarter in ROMAN_QUARTERS
        ]

    def __str__(self) -> str:
        return self.label
