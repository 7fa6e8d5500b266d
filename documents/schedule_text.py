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
from dataclasses import dataclass, field

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


# --- Timing as plans write it -------------------------------------------------------------

# Phrases of published plans read beside the template's forms, each to a schedule; what
# the reading had to assume is said, so that the preview can show it.
PUBLISHED_FORMS = [
    ("Tháng 6/2024", "một lần, hạn ngày cuối tháng (30/6/2024)"),
    ("Quý II/2024", "một lần, hạn ngày cuối quý (30/6/2024)"),
    ("6 tháng đầu năm 2024", "một lần, hạn 30/6/2024 (“6 tháng cuối năm”: 31/12)"),
    ("Năm 2024", "một lần, hạn 31/12/2024"),
    ("Trước 30/6", "hạn 30/6 mỗi năm của kế hoạch (kế hoạch một năm: một lần)"),
    ("Hằng năm", "hằng năm, hạn ngày mặc định (cài đặt PLAN_IMPORT_YEARLY_DUE), được ghi là giả định"),
    ("Giai đoạn 2023–2027", "thường xuyên trong giai đoạn, báo cáo hằng năm; các hạn chỉ trong giai đoạn"),
    ("Hằng năm, giai đoạn 2023–2027", "hằng năm, chỉ trong giai đoạn"),
    ("Khi có hướng dẫn", "câu không có ngày tháng: chưa xác định, giữ nguyên câu chữ"),
]

_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PHASE_RE = re.compile(
    r"(?:(?:trong )?giai doan |tu nam |tu )?(?:nam )?(?P<y1>(?:19|20)\d{2}) ?(?:-|den|toi)? ?(?:nam )?"
    r"(?P<y2>(?:19|20)\d{2})(?: va (?:cac|nhung) nam tiep theo)?"
)
_WHEN = r"(?:(?:trong|truoc|den|vao|han|hoan thanh|trien khai) )*"
_MONTH_RE = re.compile(rf"^{_WHEN}(?:cuoi )?thang (?P<m>\d{{1,2}})(?: ?/ ?| nam )(?P<y>\d{{4}})$")
_QUARTER_RE = re.compile(rf"^{_WHEN}quy (?P<q>iv|i{{1,3}}|[1-4])(?: ?/ ?| nam )(?P<y>\d{{4}})$")
_HALF_RE = re.compile(rf"^{_WHEN}(?:0?6|sau) thang (?P<h>dau|cuoi) nam (?P<y>\d{{4}})$")
_YEAR_RE = re.compile(rf"^{_WHEN}(?:cuoi )?(?:nam )?(?P<y>(?:19|20)\d{{2}})$")
_DAY_MONTH_ONLY_RE = re.compile(
    rf"^{_WHEN}(?:ngay )?(?P<d>\d{{1,2}})(?: ?/ ?| thang )(?P<m>\d{{1,2}})(?: hang nam)?$"
)
_YEARLY_ONLY_RE = re.compile(r"^(?:dinh ky )?(?:hang|moi|tung) nam$")
_CONNECTORS_RE = re.compile(r"^(?:trong |thuc hien )?|(?: trong)?$")


@dataclass
class TimingReading:
    """A timing phrase as written, the schedule read from it, the days that bound it and
    what had to be assumed (in Vietnamese, for the preview)."""

    written: str
    fields: ScheduleFields
    start_on: datetime.date | None = None
    end_on: datetime.date | None = None
    assumptions: list[str] = field(default_factory=list)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _day_month(value) -> tuple[int, int]:
    """ "15/12" → (15, 12)."""
    day, _sep, month = str(value).partition("/")
    return int(day), int(month)


def read_timing(value, *, period_start=None, period_end=None, yearly_due="15/12") -> TimingReading:
    """Read a timing cell as plans write it (``PUBLISHED_FORMS``, and every form
    ``parse_deadline_text`` reads). ``period_start`` and ``period_end`` are the plan's;
    ``yearly_due`` ("DD/MM") is the day assumed for a bare "Hằng năm". Raises
    ``DeadlineTextError`` for a phrase that has a date this cannot read."""
    written = value if not isinstance(value, str) else " ".join(value.split())
    shown = quote(written) if isinstance(written, str) else ""
    try:
        fields = parse_deadline_text(value)
    except DeadlineTextError:
        if not isinstance(value, str) or not value.strip():
            raise
    else:
        reading = TimingReading(written=written, fields=fields)
        if isinstance(value, str):
            text = _clean(value)
            if fields.schedule in (Schedule.HALF_YEARLY, Schedule.QUARTERLY) and fields.due_day is None:
                reading.assumptions.append(f"Thời gian {shown} không ghi ngày: hạn là ngày cuối mỗi kỳ.")
            if fields.schedule == Schedule.ONGOING and text == "thuong xuyen":
                reading.assumptions.append(
                    f"Thời gian {shown}: thực hiện thường xuyên, báo cáo hằng năm, hạn 31/12 (văn bản không "
                    "ghi kỳ báo cáo)."
                )
        return reading

    text = _clean(value)
    start_on = end_on = None
    phase = _PHASE_RE.search(text)
    if phase:
        first, last = int(phase.group("y1")), int(phase.group("y2"))
        if last < first:
            raise DeadlineTextError(f"Thời gian {shown}: năm kết thúc {last} trước năm bắt đầu {first}.")
        start_on, end_on = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
        if "tiep theo" in phase.group(0):
            end_on = None  # "… và các năm tiếp theo": open-ended
        text = " ".join((text[: phase.start()] + " " + text[phase.end() :]).split())
        text = _CONNECTORS_RE.sub("", text).strip()
        if not text:
            return TimingReading(
                written,
                ScheduleFields(Schedule.ONGOING, report_cycle=Cycle.YEARLY),
                start_on,
                end_on,
                [f"Thời gian {shown}: thực hiện trong giai đoạn, báo cáo hằng năm, hạn 31/12 (mặc định)."],
            )
        inner = read_timing(text, period_start=period_start, period_end=period_end, yearly_due=yearly_due)
        if inner.fields.schedule == Schedule.ONE_OFF:
            raise DeadlineTextError(
                f"Thời gian {shown}: vừa ghi một giai đoạn vừa ghi một hạn cụ thể; hãy chọn một cách ghi."
            )
        inner.written, inner.start_on, inner.end_on = written, start_on, end_on
        inner.assumptions = [note.replace(quote(text), shown) for note in inner.assumptions]
        return inner

    match = _MONTH_RE.match(text)
    if match and 1 <= int(match.group("m")) <= 12:
        due = _month_end(int(match.group("y")), int(match.group("m")))
        return TimingReading(written, ScheduleFields(Schedule.ONE_OFF, due_on=due))
    match = _QUARTER_RE.match(text)
    if match:
        due = _month_end(int(match.group("y")), 3 * _ROMAN_QUARTERS[match.group("q")])
        return TimingReading(written, ScheduleFields(Schedule.ONE_OFF, due_on=due))
    match = _HALF_RE.match(text)
    if match:
        due = _month_end(int(match.group("y")), 6 if match.group("h") == "dau" else 12)
        return TimingReading(written, ScheduleFields(Schedule.ONE_OFF, due_on=due))
    match = _YEAR_RE.match(text)
    if match:
        due = datetime.date(int(match.group("y")), 12, 31)
        return TimingReading(written, ScheduleFields(Schedule.ONE_OFF, due_on=due))
    match = _DAY_MONTH_ONLY_RE.match(text)
    if match:
        day, month = int(match.group("d")), int(match.group("m"))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2020, month)[1]:
            raise DeadlineTextError(f"Thời hạn {shown}: ngày {day}/{month} không có trong năm.")
        one_year = period_start and period_end and period_start.year == period_end.year
        if one_year and "hang nam" not in text:
            try:
                due = datetime.date(period_start.year, month, day)
            except ValueError:
                raise DeadlineTextError(
                    f"Thời hạn {shown}: năm {period_start.year} không có ngày này."
                ) from None
            return TimingReading(
                written,
                ScheduleFields(Schedule.ONE_OFF, due_on=due),
                assumptions=[
                    f"Thời gian {shown} không ghi năm: hạn {day:02d}/{month:02d}/{due.year}, năm của kế "
                    "hoạch."
                ],
            )
        return TimingReading(
            written,
            ScheduleFields(Schedule.YEARLY, due_day=day, due_month=month),
            assumptions=[f"Thời gian {shown} không ghi năm: hạn {day:02d}/{month:02d} mỗi năm của kế hoạch."],
        )
    if _YEARLY_ONLY_RE.match(text):
        day, month = _day_month(yearly_due)
        return TimingReading(
            written,
            ScheduleFields(Schedule.YEARLY, due_day=day, due_month=month),
            assumptions=[
                f"Thời gian {shown} không ghi ngày: hạn {day:02d}/{month:02d} hằng năm là ngày mặc định, cần "
                "xác nhận."
            ],
        )
    if not re.search(r"\d", text):
        return TimingReading(
            written,
            ScheduleFields(Schedule.UNSPECIFIED),
            assumptions=[f"Thời gian {shown} không nêu ngày tháng: ghi là chưa xác định, chưa lập hạn."],
        )
    raise _unreadable(value)


_TITLE_YEAR_RE = re.compile(r"\bnam (?P<y>(?:19|20)\d{2})(?P<open> va (?:cac|nhung) nam tiep theo)?\b")


def period_named(text) -> tuple[datetime.date, datetime.date | None] | None:
    """The period a document's title names: "giai đoạn 2019 – 2021" is 01/01/2019 to
    31/12/2021, "… và các năm tiếp theo" has no end, "năm 2024" is that year; None when
    the title names none."""
    folded = _clean(text)
    phase = _PHASE_RE.search(folded)
    if phase and int(phase.group("y2")) >= int(phase.group("y1")):
        end = None if "tiep theo" in phase.group(0) else datetime.date(int(phase.group("y2")), 12, 31)
        return datetime.date(int(phase.group("y1")), 1, 1), end
    year = _TITLE_YEAR_RE.search(folded)
    if year:
        first = int(year.group("y"))
        return datetime.date(first, 1, 1), None if year.group("open") else datetime.date(first, 12, 31)
    return None
