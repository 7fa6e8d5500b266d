"""A task's deadline as officials write it ("31/12/2019", "Hằng năm, trước 15/12",
"Thường xuyên, báo cáo 6 tháng"…) read back into the schedule fields of ``plans.Task``.

Pure text handling, no database. Tolerant of case, spacing, Unicode composition (NFC or
NFD), "hàng"/"hằng", dates without leading zeros and an Excel date cell. Everything that
``Task.schedule_display`` writes reads back to the same fields, so a table exported from
the portal imports back unchanged. Text it cannot read raises ``DeadlineTextError``,
whose Vietnamese message quotes the text.
"""

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass

# Task.Schedule and Task.Cycle, defined beside the date arithmetic: no models needed here.
from plans.schedules import Cycle, Schedule

ACCEPTED_FORMS = [
    ("31/12/2019", "một lần, hạn đúng ngày đó (hoặc ô kiểu ngày tháng của Excel)"),
    ("Hằng năm, trước 15/12", "hằng năm, hạn ngày 15 tháng 12"),
    ("6 tháng", "mỗi 6 tháng, hạn ngày cuối kỳ (30/6 và 31/12)"),
    ("6 tháng, ngày 20 tháng cuối kỳ", "mỗi 6 tháng, hạn ngày 20/6 và 20/12"),
    ("Hằng quý", "mỗi quý, hạn ngày cuối quý"),
    ("Hằng quý, ngày 20 tháng cuối kỳ", "mỗi quý, hạn ngày 20 của tháng cuối quý"),
    ("Thường xuyên", "thực hiện thường xuyên, báo cáo hằng năm (hạn 31/12)"),
    ("Thường xuyên, báo cáo hằng năm, trước 15/12", "thường xuyên, báo cáo hằng năm trước 15/12"),
    ("Thường xuyên, báo cáo hằng năm, cuối tháng 06", "thường xuyên, báo cáo hằng năm, hạn ngày 30/6"),
    ("Thường xuyên, báo cáo 6 tháng", "thường xuyên, báo cáo mỗi 6 tháng"),
    ("Thường xuyên, báo cáo hằng quý", "thường xuyên, báo cáo mỗi quý"),
    ("Chưa xác định", "văn bản chưa nêu thời hạn: chưa lập hạn nhiệm vụ"),
]


class DeadlineTextError(ValueError):
    """A deadline the parser cannot read; ``message`` is Vietnamese and quotes the text."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScheduleFields:
    schedule: str
    due_on: datetime.date | None = None
    due_day: int | None = None
    due_month: int | None = None
    report_cycle: str = ""

    def as_dict(self):
        return {
            "schedule": self.schedule,
            "due_on": self.due_on,
            "due_day": self.due_day,
            "due_month": self.due_month,
            "report_cycle": self.report_cycle,
        }


def fold(text: str) -> str:
    """Lower-case, without diacritics (đ → d), spaces collapsed: the form compared."""
    text = unicodedata.normalize("NFD", str(text)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("đ", "d")
    return " ".join(text.split())


# Cycle words, compared without diacritics ("hằng năm" and "hàng năm" both fold to "hang nam").
_CYCLES = {
    Cycle.YEARLY: r"(?:hang|moi|trong|tung) nam|nam|annual|yearly",
    Cycle.HALF_YEARLY: (
        r"(?:hang |moi |dinh ky )?(?:0?6|sau) thang(?: mot lan)?|nua nam|6 month|half[- ]?yearly"
    ),
    Cycle.QUARTERLY: r"(?:hang|moi|tung) quy|quy|quarterly",
}
_CYCLE = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _CYCLES.items())
_DATE = r"(?P<d>\d{1,2}) ?[/.-] ?(?P<m>\d{1,2}) ?[/.-] ?(?P<y>\d{4})"
# "trước 15/12", "trước ngày 15/12", "ngày 15 tháng 12", "15/12", "hạn 15/12"
_DAY_MONTH = r"(?:(?:truoc|han|den|vao) )?(?:ngay )?(?P<dm_d>\d{1,2})(?: ?[/.-] ?| thang )(?P<dm_m>\d{1,2})"
# "ngày 20 tháng cuối kỳ", "trước ngày 20 tháng cuối quý"
_DAY_OF_LAST_MONTH = r"(?:(?:truoc|han|vao) )?ngay (?P<ld>\d{1,2}) (?:cua )?thang cuoi (?:ky|quy|nam)"
# "cuối tháng 06", "trước cuối tháng 6": the last day of that month (ongoing, reported yearly)
_END_OF_MONTH = r"(?:(?:truoc|han|vao) )?(?:ngay )?cuoi thang (?P<em>\d{1,2})"
_DUE = rf"(?:{_DAY_MONTH}|{_DAY_OF_LAST_MONTH}|{_END_OF_MONTH})"

_ONE_OFF_RE = re.compile(rf"^(?:(?:truoc|han|den|vao) )?(?:ngay )?{_DATE}$")
_ISO_DATE_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_UNSPECIFIED_RE = re.compile(r"^chua (?:xac dinh|co|ro)\b.*$")
_RECURRING_RE = re.compile(rf"^(?:{_CYCLE})(?: (?:bao cao )?{_DUE})?$")
_ONGOING_RE = re.compile(rf"^thuong xuyen(?: (?:va )?(?:bao cao )?(?:{_CYCLE}))?(?: (?:bao cao )?{_DUE})?$")


def quote(value) -> str:
    """A cell's text in Vietnamese quotes, spaces collapsed, for messages."""
    return f"“{' '.join(str(value).split())}”"


def _unreadable(value) -> DeadlineTextError:
    return DeadlineTextError(
        f"Không đọc được thời hạn {quote(value)}. Ghi một trong các dạng: 31/12/2019; "
        "Hằng năm, trước 15/12; 6 tháng; Hằng quý; Thường xuyên; Thường xuyên, báo cáo 6 tháng; "
        "Chưa xác định."
    )


def _clean(text: str) -> str:
    text = fold(text)
    # Punctuation between the parts ("Thường xuyên (báo cáo hằng năm, trước 15/12)") is
    # only a separator; "/" "." "-" inside dates are kept.
    text = re.sub(r"[,;:()\[\]–—]", " ", text)
    text = re.sub(r"(?<!\d)[.-]|[.-](?!\d)", " ", text)
    return " ".join(text.split())


def _cycle_of(match) -> str | None:
    for name in _CYCLES:
        if match.group(name):
            return name
    return None


def _due_of(match, value, *, cycle):
    """(due_day, due_month) from the due part of a recurring deadline."""
    if match.group("ld"):
        day = int(match.group("ld"))
        if not 1 <= day <= 31:
            raise DeadlineTextError(f"Thời hạn {quote(value)}: không có ngày {day} trong tháng.")
        return day, None
    if match.group("em"):
        month = int(match.group("em"))
        if not 1 <= month <= 12:
            raise DeadlineTextError(f"Thời hạn {quote(value)}: không có tháng {month}.")
        if cycle != Cycle.YEARLY:
            raise DeadlineTextError(
                f"Thời hạn {quote(value)}: “cuối tháng …” chỉ dùng cho kỳ báo cáo hằng năm; kỳ 6 tháng "
                "hoặc hằng quý hạn vào cuối kỳ."
            )
        return None, month
    if match.group("dm_d"):
        day, month = int(match.group("dm_d")), int(match.group("dm_m"))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2020, month)[1]:
            raise DeadlineTextError(f"Thời hạn {quote(value)}: ngày {day}/{month} không có trong năm.")
        if cycle != Cycle.YEARLY:
            # A day and month only fits a yearly cycle; a half-year or quarter is due on a
            # day of its last month.
            raise DeadlineTextError(
                f"Thời hạn {quote(value)}: kỳ 6 tháng hoặc hằng quý ghi hạn theo ngày của tháng cuối "
                "kỳ, ví dụ “Hằng quý, ngày 20 tháng cuối kỳ”."
            )
        return day, month
    return None, None


def parse_deadline_text(value) -> ScheduleFields:
    """Read a deadline cell: text, or a date (an Excel date cell) for a one-off task."""
    if isinstance(value, datetime.datetime):
        return ScheduleFields(Schedule.ONE_OFF, due_on=value.date())
    if isinstance(value, datetime.date):
        return ScheduleFields(Schedule.ONE_OFF, due_on=value)
    if value is None or not str(value).strip():
        raise DeadlineTextError("Thiếu thời hạn. Nếu văn bản chưa nêu thời hạn, ghi “Chưa xác định”.")
    if not isinstance(value, str):
        raise _unreadable(value)
    text = _clean(value)

    match = _ONE_OFF_RE.match(text) or _ISO_DATE_RE.match(text)
    if match:
        try:
            due_on = datetime.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        except ValueError:
            raise DeadlineTextError(f"Thời hạn {quote(value)} không phải một ngày có thật.") from None
        return ScheduleFields(Schedule.ONE_OFF, due_on=due_on)

    if _UNSPECIFIED_RE.match(text):
        return ScheduleFields(Schedule.UNSPECIFIED)

    match = _ONGOING_RE.match(text)
    if match:
        cycle = _cycle_of(match) or Cycle.YEARLY  # "Thường xuyên" alone is reported yearly
        day, month = _due_of(match, value, cycle=cycle)
        return ScheduleFields(Schedule.ONGOING, due_day=day, due_month=month, report_cycle=cycle)

    match = _RECURRING_RE.match(text)
    if match:
        cycle = _cycle_of(match)
        day, month = _due_of(match, value, cycle=cycle)
        if cycle == Cycle.YEARLY and (month is None or day is None):
            raise DeadlineTextError(
                f"Thời hạn {quote(value)}: nhiệm vụ hằng năm cần ngày và tháng hạn, ví dụ "
                "“Hằng năm, trước 15/12”."
            )
        # A recurring schedule has the value of its cycle.
        return ScheduleFields(Schedule(cycle), due_day=day, due_month=month)

    raise _unreadable(value)
