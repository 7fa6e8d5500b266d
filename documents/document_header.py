"""What a plan's document says about itself, read from its header (the layout of
Decree 30/2020/NĐ-CP): the issuer ("UBND TỈNH ĐIỆN BIÊN"), the number ("Số: 139/KH-UBND"),
the place and date ("Điện Biên, ngày 12 tháng 01 năm 2021"), the kind ("KẾ HOẠCH") and
the title (trích yếu) under it, and the period the title names. An appendix issued with
the plan ("Phụ lục … (Kèm theo Kế hoạch số 139/KH-UBND ngày 12/01/2021 của UBND tỉnh)")
names the plan in that line.

The header is the text before the task table: paragraphs, and the borderless layout
tables that put the issuer and the national motto side by side. In a workbook, it is
the rows above the table's header row. ``header_read`` is called on a file that
``documents.imports.read_rows`` has already accepted (size and package checked).
"""

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from types import SimpleNamespace

import docx
import openpyxl
from docx.table import Table
from docx.text.paragraph import Paragraph

from documents import published_table as published
from documents.schedule_text import fold, period_named
from plans.models import Plan

# Lines read at most: a header is a dozen lines; a document without a table stops here.
MAX_HEADER_LINES = 200
# Lines of a title (trích yếu) at most.
MAX_TITLE_LINES = 4

# Document kinds (Decree 30/2020, appendix I), folded, as the portal names them.
KINDS = {
    "ke hoach": "Kế hoạch",
    "chuong trinh": "Chương trình",
    "quyet dinh": "Quyết định",
    "de an": "Đề án",
    "phu luc": "Phụ lục",
}
MOTTO_STARTS = ("cong hoa xa hoi chu nghia viet nam", "doc lap")
_UNIT_RE = re.compile(r"^(?:uy ban nhan dan|ubnd) (?P<level>tinh|huyen|thi xa|thanh pho|xa|phuong|thi tran) ")
_NUMBER_RE = re.compile(r"\bsố\s*[:.]?\s*(?P<number>\d[^\s,;()]*)", re.IGNORECASE)
_DATE_WORDS_RE = re.compile(r"ngay (?P<d>\d{1,2}) thang (?P<m>\d{1,2}) nam (?P<y>\d{4})")
_DATE_DIGITS_RE = re.compile(r"ngay (?P<d>\d{1,2}) ?[/.-] ?(?P<m>\d{1,2}) ?[/.-] ?(?P<y>\d{4})")
_APPENDIX_RE = re.compile(r"\bkem theo (?P<kind>ke hoach|chuong trinh|quyet dinh|de an)?\b")
_OF_RE = re.compile(r"\bcủa\s+(?P<issuer>[^()]+?)\s*\)?\s*$", re.IGNORECASE)
# Where a title ends: the body begins ("Căn cứ…", "I. MỤC ĐÍCH…", "Kính gửi…").
_BODY_RE = re.compile(
    r"^(?:can cu|kinh gui|thuc hien (?:chi thi|nghi quyet|ke hoach|quyet dinh) so|[ivx]+[.:)] )"
)
_SEPARATOR_RE = re.compile(r"^[\s\-_–—*=.·~]+$")


@dataclass
class DocumentHeader:
    """What the header says; a field the header does not give is empty. ``source`` says
    where a value came from when not from the header's own line (the appendix line)."""

    number: str = ""
    issued_on: datetime.date | None = None
    issuer: str = ""
    kind: str = ""
    title: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    period_open: bool = False  # "… và các năm tiếp theo"
    appendix: bool = False
    source: dict[str, str] = field(default_factory=dict)


def _lines_of(text: str) -> list[str]:
    """A paragraph's lines: its line breaks, and tabs that put two columns on one line."""
    text = unicodedata.normalize("NFC", text)
    return [" ".join(part.split()) for part in re.split(r"[\n\t\v]+", text) if part.strip()]


def _docx_lines(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    lines = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rpartition("}")[2]
        if tag == "p":
            lines += _lines_of(Paragraph(element, document).text) or [""]
        elif tag == "tbl":
            table = Table(element, document)
            # Only the rows a header is looked for in: a 2,000-row table is not read again.
            top = SimpleNamespace(rows=list(table.rows)[: published.HEADER_SEARCH_ROWS])
            if published.find_header(published.docx_grid(top)) is not None:
                break  # the task table: the header is above it
            seen = set()
            for row in table.rows:
                for cell in row.cells:
                    # A merged cell, once (the set holds the elements, so their ids stay theirs).
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    for paragraph in cell.paragraphs:
                        lines += _lines_of(paragraph.text) or [""]
        if len(lines) > MAX_HEADER_LINES:
            break
    return lines[:MAX_HEADER_LINES]


def _xlsx_lines(data: bytes) -> list[str]:
    # Read-only: only the first rows are read, whatever the size of the sheet.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors; the table was read, the header is not
        return []
    try:
        for sheet in workbook.worksheets:
            grid = []
            for values in sheet.iter_rows(max_row=published.HEADER_SEARCH_ROWS, values_only=True):
                grid.append([published.Cell(value, " ".join(str(value or "").split())) for value in values])
            header = published.find_header(grid)
            if header is None:
                continue
            lines = []
            for cells in grid[: header[0]]:
                for cell in cells:
                    lines += _lines_of(str(cell.value)) if cell.text else []
            return lines
        return []
    finally:
        workbook.close()


def header_read(data: bytes) -> DocumentHeader:
    """The header of a .docx or .xlsx that ``read_rows`` accepted."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        is_docx = "word/document.xml" in archive.namelist()
    return header_parse(_docx_lines(data) if is_docx else _xlsx_lines(data))


def _date(match) -> datetime.date | None:
    try:
        return datetime.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:  # 31/02: not a date
        return None


def date_in(line: str) -> datetime.date | None:
    """The date a line writes ("ngày 12 tháng 01 năm 2021", "ngày 12/01/2021")."""
    folded = fold(line)
    match = _DATE_WORDS_RE.search(folded) or _DATE_DIGITS_RE.search(folded)
    return _date(match) if match else None


def _is_upper(line: str) -> bool:
    return any(ch.isalpha() for ch in line) and line == line.upper()


def _kind_of(line: str) -> tuple[str, str] | None:
    """(kind, the rest of the line) when the line is a kind line: "KẾ HOẠCH", or "KẾ HOẠCH
    Triển khai…" with the title on the same line; "PHỤ LỤC I", "Phụ lục 02"."""
    folded = fold(line)
    for key, kind in KINDS.items():
        if folded == key or folded.startswith(key + " "):
            words, size = line.split(), len(key.split())
            head, rest = " ".join(words[:size]), " ".join(words[size:])
            if _is_upper(head) or (kind == "Phụ lục" and head[:1].isupper()):
                return kind, "" if kind == "Phụ lục" else rest
    return None


def _title_word(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def issuer_name(text: str) -> str:
    """An issuer as the portal writes it: "UBND TỈNH ĐIỆN BIÊN" and "ỦY BAN NHÂN DÂN
    TỈNH ĐIỆN BIÊN" → "UBND tỉnh Điện Biên", "SỞ NGOẠI VỤ" → "Sở Ngoại vụ"; "" for a
    people's committee without its place ("UBND tỉnh")."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    words = text.split()
    folded = fold(text)
    unit = _UNIT_RE.match(folded + " ")
    if unit:
        prefix = 1 if folded.startswith("ubnd") else 4
        level = len(unit.group("level").split())
        place = words[prefix + level :]
        if not place:
            return ""
        level_words = " ".join(word.lower() for word in words[prefix : prefix + level])
        return f"UBND {level_words} {' '.join(_title_word(word) for word in place)}"
    if not _is_upper(text):
        return text
    first, *rest = words
    named = [_title_word(rest[0]), *(word.lower() for word in rest[1:])] if rest else []
    return " ".join([_title_word(first), *named])


def _issuer_from(lines: list[str]) -> str:
    if not lines:
        return ""
    joined = issuer_name(" ".join(lines))
    unit = _UNIT_RE.match(fold(" ".join(lines)) + " ")
    # "UBND TỈNH ĐIỆN BIÊN" over "SỞ NGOẠI VỤ": the issuer is the body under its parent.
    if len(lines) > 1 and (not unit or len(joined.split()) > 5):
        return issuer_name(lines[-1])
    return joined


def header_parse(lines: list[str]) -> DocumentHeader:
    """The header read from its lines (in reading order)."""
    header = DocumentHeader()
    issuer_lines, issuer_done = [], False
    kind_at, rest = None, ""
    for index, line in enumerate(lines):
        folded = fold(line)
        if not line or _SEPARATOR_RE.match(line):
            issuer_done = issuer_done or bool(issuer_lines)
            continue
        if folded.startswith(MOTTO_STARTS):
            continue
        kind = _kind_of(line)
        if kind:
            header.kind, kind_at, rest = kind[0], index, kind[1]
            break
        number = _NUMBER_RE.match(line)
        if number and not header.number:
            header.number = number.group("number").rstrip(".:")
            issuer_done = True
            continue
        day = date_in(line)
        if day and header.issued_on is None:
            header.issued_on = day
            issuer_done = True
            continue
        if not issuer_done and _is_upper(line):
            issuer_lines.append(line)
        elif issuer_lines:
            issuer_done = True
    header.issuer = _issuer_from(issuer_lines)
    if header.kind == "Phụ lục":
        header.appendix = True
        _appendix_line(header, lines[kind_at + 1 : kind_at + 1 + MAX_TITLE_LINES + 2])
    elif kind_at is not None:
        header.title = _title(rest, lines[kind_at + 1 :])
    else:
        # No kind line: an appendix line may still name the plan (an appendix on its own).
        _appendix_line(header, lines)
    period = period_named(header.title) if header.title else None
    if period is None and header.appendix and kind_at is not None:
        # An appendix's heading ("… giai đoạn 2021 – 2025") names the plan's period.
        heading = " ".join(lines[kind_at : kind_at + MAX_TITLE_LINES + 2])
        period = period_named(heading)
        if period:
            header.source["period"] = "tên phụ lục"
    if period:
        header.period_start, header.period_end = period
        header.period_open = period[1] is None
    return header


def _title(first: str, following: list[str]) -> str:
    parts = [first] if first else []
    for line in following:
        folded = fold(line)
        if not line:
            if parts:
                break
            continue
        if _SEPARATOR_RE.match(line) or _BODY_RE.match(folded) or _APPENDIX_RE.search(folded):
            break
        parts.append(line)
        if len(parts) >= MAX_TITLE_LINES:
            break
    return " ".join(parts).strip(" -–—")


def _appendix_line(header: DocumentHeader, lines: list[str]) -> None:
    """Number, date and issuer of the plan an appendix is issued with, from its
    "(Kèm theo Kế hoạch số … ngày … của …)" line."""
    for line in lines:
        appendix = _APPENDIX_RE.search(fold(line))
        if not appendix:
            continue
        header.appendix = True
        if appendix.group("kind"):
            header.kind = KINDS[appendix.group("kind")]
        number = _NUMBER_RE.search(line)
        if number:
            header.number = number.group("number").rstrip(".:")
            header.source["number"] = "dòng “Kèm theo…” của phụ lục"
        day = date_in(line)
        if day:
            header.issued_on = day
            header.source["issued_on"] = "dòng “Kèm theo…” của phụ lục"
        of = _OF_RE.search(line)
        if of and not header.issuer:
            header.issuer = issuer_name(of.group("issuer"))
            if header.issuer:
                header.source["issuer"] = "dòng “Kèm theo…” của phụ lục"
        return


# --- The plan proposed from the header -------------------------------------------------

PLAN_FIELDS = ("number", "title", "issuer", "issued_on", "period_start", "period_end", "coordinating_agency")


@dataclass
class PlanProposal:
    """A new plan's fields as the header gives them, and for each field that was not
    read as written, why (in Vietnamese): assumed, taken from the appendix line, or
    not found."""

    values: dict
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """The required fields left empty."""
        return [name for name in ("number", "title", "coordinating_agency") if not self.values.get(name)]


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def plan_proposal(
    header: DocumentHeader, *, today: datetime.date, default_issuer: str, coordinating_agency=None
) -> PlanProposal:
    """The plan ``header`` describes. ``coordinating_agency`` is the default one (the
    Department of Foreign Affairs when the portal has it), which a header never names."""
    values = {name: getattr(header, name, None) for name in PLAN_FIELDS}
    notes = {}
    appendix_line = "đọc từ dòng “Kèm theo…” của phụ lục"
    for name in ("number", "issued_on", "issuer"):
        if header.source.get(name):
            notes[name] = f"Được {appendix_line}."
    if not header.number:
        notes["number"] = "Không tìm thấy trong văn bản (dòng “Số: …/KH-…”): hãy nhập."
    if not header.title:
        notes["title"] = (
            "Phụ lục không ghi trích yếu của kế hoạch: hãy nhập."
            if header.appendix
            else "Không tìm thấy trong văn bản (các dòng dưới “KẾ HOẠCH”): hãy nhập."
        )
    if not header.issuer:
        values["issuer"] = default_issuer
        notes["issuer"] = f"Không tìm thấy trong văn bản: giả định “{default_issuer}”."
    if header.issued_on is None:
        notes["issued_on"] = (
            "Không tìm thấy ngày ban hành (dòng “…, ngày … tháng … năm …” để trống hoặc không có): để "
            "trống nếu không rõ."
        )
    if header.period_start is None:
        year, why = (header.issued_on.year, "năm ban hành") if header.issued_on else (today.year, "năm nay")
        values["period_start"] = datetime.date(year, 1, 1)
        notes["period_start"] = (
            f"Trích yếu không ghi giai đoạn: giả định bắt đầu từ {_day(values['period_start'])} ({why})."
        )
        notes["period_end"] = "Trích yếu không ghi giai đoạn: để trống (không thời hạn)."
    elif header.source.get("period"):
        notes["period_start"] = notes["period_end"] = "Được đọc từ tên phụ lục."
    values["coordinating_agency"] = coordinating_agency
    notes["coordinating_agency"] = (
        f"Văn bản không ghi: giả định “{coordinating_agency.name}”."
        if coordinating_agency is not None
        else "Văn bản không ghi, và hệ thống chưa có Sở Ngoại vụ: hãy chọn."
    )
    return PlanProposal(values=values, notes=notes)


def unsaved_plan(values: dict) -> Plan:
    """The proposed plan, not saved, that the rows' preview is checked against (its period
    bounds their deadlines); "mới" stands for a number the document does not give."""
    fields = {name: value for name, value in values.items() if name != "coordinating_agency"}
    return Plan(**{**fields, "number": fields.get("number") or "mới"})
