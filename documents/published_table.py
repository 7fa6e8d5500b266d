"""A plan's task table as a province publishes it: the appendix of a Word document
(.docx) or its Excel copy, read into the rows ``documents.imports`` checks.

What a published table looks like
---------------------------------
``STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện | Sản
phẩm``, in any order and with any of the wordings in ``HEADER_SYNONYMS``; sometimes a
header over two rows ("Cơ quan thực hiện" above "Chủ trì" and "Phối hợp"). Above the
header, the document's title rows; under it, often a numbering row "(1) (2) (3)…". Rows
whose STT is a Roman numeral ("II", "II.", or "II. CÔNG TÁC …" in the first cell), or
rows set in bold with no lead agency and no timing, are the plan's content areas (its
groups). Cells merged down several rows (one lead agency for several tasks) give their
value to every row they cover; a title merged across the whole width is one value.

How a row is read
-----------------
- blank rows, the numbering row, a repeated header row (a table continued on the next
  page) and note rows ("Ghi chú", "Lưu ý", "*", or a row with neither STT nor lead agency
  nor timing) are skipped, each reported with its row number and why;
- a group row opens a content area: its number from the Roman numeral (or the next
  number for a bold row without one), its title from the text after the numeral;
- any other row is a task of the current area. Its code is its STT as written ("5.1"
  stays "5.1"); when the STT restarts in each group (1, 2, 3 under I, then 1, 2 under
  II), codes become "I.1", "II.2"…; a task without STT is numbered by its place in its
  group.

Rows are numbered as the official sees them: the Excel row; in Word, the row of the
table, counted on through the document's task tables (one table: its own row number).
"""

import re
from dataclasses import dataclass, field

from documents.schedule_text import fold

# Column key → what its header may say, compared without case, diacritics or punctuation.
# A header matches a key when it equals one of these, or (for longer headers such as
# "Nội dung nhiệm vụ, giải pháp chủ yếu") when it begins with one of them. The first key
# whose list matches wins, so "Nội dung số" (the portal's template) is read before
# "Nội dung".
HEADER_SYNONYMS = {
    "area": ["noi dung so", "so noi dung"],
    "code": ["stt", "tt", "so tt", "so thu tu", "ma nhiem vu", "ma so", "ma"],
    "lead_agency": [
        "co quan chu tri",
        "don vi chu tri",
        "co quan don vi chu tri",
        "chu tri",
        "co quan chu tri thuc hien",
        "don vi chu tri thuc hien",
        "co quan thuc hien",
        "don vi thuc hien",
        "co quan don vi thuc hien",
        "co quan chiu trach nhiem",
        "co quan thu truong",
    ],
    "cooperating_agencies": [
        "co quan phoi hop",
        "don vi phoi hop",
        "co quan don vi phoi hop",
        "phoi hop",
        "co quan phoi hop thuc hien",
        "don vi phoi hop thuc hien",
    ],
    "deadline": [
        "thoi gian thuc hien",
        "thoi gian hoan thanh",
        "thoi han hoan thanh",
        "thoi han thuc hien",
        "thoi han",
        "thoi gian",
        "tien do thuc hien",
        "tien do hoan thanh",
        "tien do",
        "thoi gian trien khai",
    ],
    "expected_output": [
        "san pham",
        "san pham du kien",
        "san pham dau ra",
        "san pham hoan thanh",
        "ket qua san pham",
        "ket qua du kien",
        "hinh thuc san pham",
        "hinh thuc van ban",
    ],
    "title": [
        "nhiem vu",
        "noi dung nhiem vu",
        "noi dung",
        "ten nhiem vu",
        "noi dung cong viec",
        "noi dung cong tac",
        "noi dung hoat dong",
        "nhiem vu giai phap",
        "cac nhiem vu",
        "ten hoat dong",
        "hoat dong",
        "nhiem vu cu the",
    ],
}
# The keys of a row, as ``documents.imports.COLUMNS`` names them.
KEYS = ("code", "area", "title", "expected_output", "lead_agency", "cooperating_agencies", "deadline")
# A header cell that only stands above its sub-columns ("Cơ quan thực hiện" over
# "Chủ trì" | "Phối hợp"): read from the row below when that row names the columns.
PARENT_HEADERS = {"co quan thuc hien", "don vi thuc hien", "co quan don vi thuc hien", "to chuc thuc hien"}
# A table is a task table when its header names at least these.
REQUIRED_KEYS = ("title", "lead_agency")
# ... and at least this many columns altogether.
MIN_KEYS = 3
# How far down a sheet the header is looked for (title rows above it).
HEADER_SEARCH_ROWS = 30
NOTE_STARTS = ("ghi chu", "luu y", "chu thich", "chu y", "*", "(*)", "nguon")

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_RE = re.compile(r"^(?P<numeral>[IVXLC]{1,7})(?:[.:)/-]\s*|\s+|$)(?P<rest>.*)$")
_ARABIC_RE = re.compile(r"^\d{1,4}$")
_NUMBERING_RE = re.compile(r"^\(?\s*(\d{1,2}|[a-z])\s*\)?$")


def roman_value(text: str) -> int | None:
    """XIV → 14; None for text that is not a well-formed Roman numeral up to C."""
    text = text.strip().upper()
    if not text or any(ch not in _ROMAN_VALUES for ch in text):
        return None
    total = 0
    for index, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        following = _ROMAN_VALUES[text[index + 1]] if index + 1 < len(text) else 0
        total += -value if value < following else value
    return total if 0 < total <= 100 and roman_text(total) == text else None


def roman_text(number: int) -> str:
    parts = []
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while number >= value:
            parts.append(numeral)
            number -= value
    return "".join(parts)


def header_key(text: str) -> str | None:
    """The column key a header cell names, or None."""
    words = " ".join(re.sub(r"\(\s*\d+\s*\)|[^\w]+", " ", fold(text)).split())
    if not words:
        return None
    for key, synonyms in HEADER_SYNONYMS.items():
        if words in synonyms:
            return key
    for key, synonyms in HEADER_SYNONYMS.items():
        # Longer wordings: "Nội dung nhiệm vụ, giải pháp", "Thời gian thực hiện (năm)".
        if any(len(synonym) > 3 and words.startswith(synonym + " ") for synonym in synonyms):
            return key
    return None


@dataclass
class Cell:
    value: object  # as read: text, a number, a date
    text: str  # one line, spaces collapsed
    bold: bool = False


@dataclass
class SkippedRow:
    number: int
    reason: str
    text: str = ""

    def __str__(self):
        shown = f": “{self.text[:80]}”" if self.text else ""
        return f"Dòng {self.number}: {self.reason}{shown}"


@dataclass
class AreaRow:
    number: int
    title: str
    row: int
    numeral: str = ""


@dataclass
class PublishedTable:
    """What was read: task rows as (row number, {column key: value}), in the shape of the
    portal's template rows plus ``area_title``; the rows skipped, and the groups."""

    rows: list = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    areas: list[AreaRow] = field(default_factory=list)
    columns: dict = field(default_factory=dict)


def find_header(grid, *, limit=HEADER_SEARCH_ROWS):
    """(index of the header's first row, of its last row, {key: column index}) of the
    first row that names a task table's columns, within the first ``limit`` rows; None
    when there is none."""
    for index, cells in enumerate(grid[:limit]):
        found = {}
        for column, cell in enumerate(cells):
            key = header_key(cell.text)
            if key and key not in found:
                found[key] = column
        last = index
        if len(found) >= 2 and index + 1 < len(grid):
            # A header over two rows: the row below names the sub-columns.
            below = {}
            for column, cell in enumerate(grid[index + 1]):
                key = header_key(cell.text)
                above = (
                    " ".join(re.sub(r"[^\w]+", " ", fold(cells[column].text)).split())
                    if column < len(cells)
                    else ""
                )
                if key and key not in below and (key not in found or above in PARENT_HEADERS or above == ""):
                    below[key] = column
            if len(below) >= 2:
                for key, column in below.items():
                    found[key] = column
                last = index + 1
        if all(key in found for key in REQUIRED_KEYS) and len(found) >= MIN_KEYS:
            return index, last, found
    return None


def _texts(cells):
    return [cell.text for cell in cells if cell.text]


def _is_numbering_row(cells) -> bool:
    texts = _texts(cells)
    return len(texts) >= 2 and all(_NUMBERING_RE.match(fold(text)) for text in texts)


def _is_header_again(cells, columns) -> bool:
    return sum(1 for cell in cells if header_key(cell.text)) >= max(2, len(columns) - 2)


def _group_of(cells, columns, values_text, next_number):
    """(number, numeral, title) when the row opens a content area, else None."""
    code = values_text.get("code", "")
    title = values_text.get("title", "")
    lead = values_text.get("lead_agency", "")
    deadline = values_text.get("deadline", "")
    texts = _texts(cells)
    first = texts[0] if texts else ""
    # A title merged across the row (beside its numeral, or over the whole row).
    single = len(set(texts) - {code}) == 1
    numeral = ""
    rest = ""
    bare_code = code.rstrip(". ")
    if bare_code and roman_value(bare_code):
        numeral, rest = bare_code, (title if title != code else "")
    else:
        match = _ROMAN_RE.match(first)
        if match and roman_value(match.group("numeral")) and match.group("rest").strip():
            numeral, rest = match.group("numeral"), match.group("rest")
    if numeral and (single or not (lead or deadline)):
        title_text = rest or (title if title != code else "")
        return roman_value(numeral), numeral, title_text.strip(" :.")
    bold = all(cell.bold for cell in cells if cell.text)
    if texts and bold and not (lead or deadline) and not _ARABIC_RE.match(bare_code or "x"):
        return next_number, "", (title or first).strip(" :.")
    return None


def _is_note(values_text, texts) -> bool:
    joined = fold(texts[0]) if texts else ""
    if joined.startswith(NOTE_STARTS):
        return True
    return not (values_text.get("code") or values_text.get("lead_agency") or values_text.get("deadline"))


def read_grid(grid, *, numbers, header=None) -> PublishedTable:
    """Read ``grid`` (rows of ``Cell``, merged cells already filled in) whose rows have
    the numbers ``numbers``. ``header`` is ``find_header``'s answer when known."""
    table = PublishedTable()
    header = header or find_header(grid)
    if header is None:
        return table
    first, last, columns = header
    table.columns = columns
    for index in range(first):
        texts = _texts(grid[index])
        if texts:
            # Title rows above the table (the document's heading, "Phụ lục…").
            table.skipped.append(SkippedRow(numbers[index], "dòng tiêu đề phía trên bảng", texts[0]))
    current = None  # (number, numeral, title, row)
    tasks = []
    for index in range(last + 1, len(grid)):
        cells = grid[index]
        number = numbers[index]
        values = {
            key: (cells[column].value if column < len(cells) else None) for key, column in columns.items()
        }
        values_text = {
            key: (cells[column].text if column < len(cells) else "") for key, column in columns.items()
        }
        texts = _texts(cells)
        if not texts:
            table.skipped.append(SkippedRow(number, "dòng trống"))
            continue
        if _is_numbering_row(cells):
            table.skipped.append(SkippedRow(number, "dòng đánh số cột", " ".join(texts)))
            continue
        if _is_header_again(cells, columns):
            table.skipped.append(SkippedRow(number, "dòng tiêu đề bảng lặp lại", texts[0]))
            continue
        group = _group_of(cells, columns, values_text, len(table.areas) + 1)
        if group is not None:
            area_number, numeral, title = group
            current = AreaRow(
                number=area_number, title=title, row=number, numeral=numeral or roman_text(area_number)
            )
            table.areas.append(current)
            continue
        if _is_note(values_text, texts):
            table.skipped.append(
                SkippedRow(number, "dòng ghi chú (không có STT, cơ quan chủ trì, thời gian)", texts[0])
            )
            continue
        tasks.append((number, values, values_text, current))

    stts = [values_text.get("code", "").rstrip(". ") for _n, _v, values_text, _a in tasks]
    plain = [stt for stt in stts if _ARABIC_RE.match(stt)]
    restarts = len(plain) != len(set(plain)) and bool(table.areas)
    place = {}
    for (number, values, _values_text, area), stt in zip(tasks, stts, strict=True):
        key = area.number if area else None
        place[key] = place.get(key, 0) + 1
        prefix = area.numeral if area else ""
        if not stt or stt in {"-", "+", "•"}:
            code = f"{prefix}.{place[key]}" if prefix else str(place[key])
        elif restarts and _ARABIC_RE.match(stt) and prefix:
            code = f"{prefix}.{stt}"
        else:
            code = stt
        row = dict.fromkeys(KEYS)
        row.update(values)
        row["code"] = code
        if "area" not in columns:
            row["area_title"] = area.title if area else None
            if area is not None:
                row["area"] = area.number
            else:
                leading = re.match(r"^(\d+)\.\d", code)
                row["area"] = int(leading.group(1)) if leading else None
        table.rows.append((number, row))
    return table


# --- Reading the files ----------------------------------------------------------------


def _one_line(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def xlsx_grid(sheet):
    """A sheet (openpyxl, normal mode) as rows of ``Cell`` with merged ranges filled in
    from their top-left cell, and the Excel row numbers."""
    merged = {}
    for cell_range in sheet.merged_cells.ranges:
        top_left = sheet.cell(row=cell_range.min_row, column=cell_range.min_col)
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for column in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, column)] = top_left
    grid, numbers = [], []
    for row_cells in sheet.iter_rows():
        cells = []
        for cell in row_cells:
            source = merged.get((cell.row, cell.column), cell)
            font = getattr(source, "font", None)
            cells.append(
                Cell(value=source.value, text=_one_line(source.value), bold=bool(font is not None and font.b))
            )
        grid.append(cells)
        numbers.append(row_cells[0].row if row_cells else len(numbers) + 1)
    return grid, numbers


def docx_grid(table):
    """A Word table as rows of ``Cell``: python-docx gives a cell merged across columns
    or down rows (vMerge) as the same cell at each place it covers."""
    grid = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = "\n".join(paragraph.text for paragraph in cell.paragraphs).strip()
            runs = [run for paragraph in cell.paragraphs for run in paragraph.runs if run.text.strip()]
            bold = bool(runs) and all(run.bold for run in runs)
            cells.append(Cell(value=text, text=" ".join(text.split()), bold=bold))
        grid.append(cells)
    return grid
