"""Excel workbooks of the deadline list and of the province's agency × status table.

Pure: the functions take rows and return the bytes of an .xlsx file. The workbooks are
written in openpyxl's write-only (streaming) mode, so a list of tens of thousands of
deadlines never sits in memory as cells."""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from plans.collation import sorted_vietnamese
from plans.selectors import GroupProgress, overdue_share

DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
FILTERS_SHEET = "Điều kiện lọc"
NO_FILTER = "Không lọc"

_BOLD = Font(bold=True)

# What spreadsheet programs read as the start of a formula (or of a DDE command) in a
# cell that is typed, edited or saved as CSV: "=HYPERLINK(…)", "+cmd|…", "@SUM(…)".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_safe(cell):
    """Every text cell is written as text, never as a formula: openpyxl would store a
    string that begins with "=" as one. A text that begins like a formula is marked
    quote-prefixed too (what Excel does for a typed leading apostrophe), so it stays text
    when someone edits the cell; the text itself is unchanged ("- Hội nghị" keeps its
    dash). Used for every cell of every workbook the portal writes."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def workbook_text_safe(workbook) -> None:
    """``text_safe`` on every cell of a workbook built in memory (not write-only)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text_safe(cell)


@dataclass(frozen=True)
class DeadlineRow:
    """One row of the deadline list as the export writes it."""

    plan: str
    area: str
    task_code: str
    task_title: str
    lead_agency: str
    cooperating_agencies: str
    period_label: str
    due_on: datetime.date
    ends_on: datetime.date
    status: str
    completed_on: datetime.date | None
    latest_report: str


# (header, column width) of the deadline list sheet, in DeadlineRow's order after STT.
DEADLINE_COLUMNS = [
    ("STT", 6),
    ("Kế hoạch", 14),
    ("Nội dung", 40),
    ("Mã nhiệm vụ", 12),
    ("Nhiệm vụ", 60),
    ("Cơ quan chủ trì", 24),
    ("Cơ quan phối hợp", 32),
    ("Kỳ", 20),
    ("Hạn", 12),
    ("Hết hạn", 12),
    ("Tình trạng", 30),
    ("Ngày hoàn thành", 16),
    ("Báo cáo gần nhất", 30),
]


def _header(ws, columns):
    for index, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    _append(ws, [_cell(ws, header, font=_BOLD) for header, _ in columns])


def _cell(ws, value, *, number_format=None, font=None):
    cell = text_safe(WriteOnlyCell(ws, value=value))
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell


def _append(ws, values) -> None:
    """A row of a write-only sheet, each value through ``_cell`` (so ``text_safe``)."""
    ws.append([value if isinstance(value, Cell) else _cell(ws, value) for value in values])


def _filters_sheet(
    wb, *, filters: list[tuple[str, str]], exported_at: datetime.datetime, rows: int, sort: str | None = None
):
    """The second sheet: each active filter as "label: value", or "Không lọc"; then the
    rows' order when the list has one."""
    ws = wb.create_sheet(FILTERS_SHEET)
    ws.column_dimensions["A"].width = 80
    _append(ws, [_cell(ws, FILTERS_SHEET, font=_BOLD)])
    for label, value in filters or [(NO_FILTER, None)]:
        _append(ws, [label if value is None else f"{label}: {value}"])
    if sort:
        _append(ws, [f"Sắp xếp theo: {sort}"])
    _append(ws, [])
    _append(ws, [f"Thời điểm xuất: {exported_at:%d/%m/%Y %H:%M}"])
    _append(ws, [f"Số dòng: {rows}"])


def _save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def deadline_list_workbook(
    *,
    rows: Iterable[DeadlineRow],
    filters: list[tuple[str, str]],
    exported_at: datetime.datetime,
    sort: str | None = None,
) -> bytes:
    """The deadline list: one row per deadline (``rows`` may be a generator, in the
    page's order), header bold, frozen and filterable; the filters and the order
    (``sort``, as the page names it) on a second sheet."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Hạn nhiệm vụ")
    _header(ws, DEADLINE_COLUMNS)
    count = 0
    for count, row in enumerate(rows, start=1):
        _append(
            ws,
            [
                count,
                row.plan,
                row.area,
                row.task_code,
                row.task_title,
                row.lead_agency,
                row.cooperating_agencies,
                row.period_label,
                _cell(ws, row.due_on, number_format=DATE_FORMAT),
                _cell(ws, row.ends_on, number_format=DATE_FORMAT),
                row.status,
                _cell(ws, row.completed_on, number_format=DATE_FORMAT) if row.completed_on else None,
                row.latest_report,
            ],
        )
    last_column = get_column_letter(len(DEADLINE_COLUMNS))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    _filters_sheet(wb, filters=filters, exported_at=exported_at, rows=count, sort=sort)
    return _save(wb)


def agency_status_workbook(
    *,
    groups: list[GroupProgress],
    statuses: list[tuple[str, str]],
    filters: list[tuple[str, str]],
    exported_at: datetime.datetime,
) -> bytes:
    """The agency × status table: one row per agency, one column per status (``statuses``
    gives their keys and labels, in order), the total and the share overdue, then a total
    row."""
    columns = [("Cơ quan", 48), *((label, 14) for _, label in statuses), ("Tổng", 10), ("Tỷ lệ quá hạn", 14)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Theo cơ quan")
    _header(ws, columns)

    def line(label, counts, *, font=None):
        share = overdue_share(counts)
        _append(
            ws,
            [
                _cell(ws, label, font=font),
                *(_cell(ws, counts[key], font=font) for key, _ in statuses),
                _cell(ws, sum(counts.values()), font=font),
                _cell(ws, share, number_format=PERCENT_FORMAT, font=font),
            ],
        )

    totals = {key: 0 for key, _ in statuses}
    # Each row names its agency in full: in Vietnamese order of that name.
    for group in sorted_vietnamese(groups, key=lambda group: group.detail or group.label):
        line(group.detail or group.label, group.counts)
        for key in totals:
            totals[key] += group.counts[key]
    line("Tổng cộng", totals, font=_BOLD)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(groups) + 1}"
    _filters_sheet(wb, filters=filters, exported_at=exported_at, rows=len(groups))
    return _save(wb)
