"""A plan's task table imported from Excel (.xlsx): the template, reading and checking.

``import_preview`` reads a workbook and says, row by row, what an import would do to the
plan (create, update with the fields that change, leave unchanged, or reject with every
reason), without writing anything. ``documents.services.plan_import_apply`` re-reads the same
file inside its transaction and applies it only when no row is rejected.

Reading a workbook safely and fast
----------------------------------
Uploaded files are untrusted, so a file is checked from the cheapest test to the
dearest, and refused with one Vietnamese message (``ImportFileError``) at the first
problem:

1. its size (at most ``MAX_FILE_BYTES``), read with a bound so a huge upload is never
   held in memory;
2. that it is a zip archive holding a workbook (an old .xls, a password-protected file,
   a Word document or random bytes each get their own message), checked by structure
   with the evidence's rules (``plans.office_package``, ``IMPORT_PACKAGE_LIMITS``: at
   most ``MAX_UNZIPPED_BYTES`` unpacked, so a small file whose shared strings inflate
   to ~100 MB is refused unread, and parsing takes seconds at most; no executable,
   HTML or macro parts; a real workbook);
3. the sheet names, from ``xl/workbook.xml``, and the size of the sheet "Nhiệm vụ" from
   a streaming scan of its XML: the ``<dimension>`` record comes before the rows, so a
   50,000-row sheet is refused in milliseconds without reading a row. A dimension can
   be missing or wrong, so the scan also reads the rows' numbers and counts rows,
   stopping at the limit. (openpyxl's read-only mode is not used for this: it has no
   merged-cell information, and when the dimension is missing it parses the whole
   sheet just to size it, several seconds for 50,000 rows.)
4. only a file that passed all this (at most ``MAX_DATA_ROWS`` rows) is loaded by
   openpyxl in its normal mode, which knows merged cells and is quick at that size;
   formulas are found in the same pass (``data_only=False`` keeps them as formulas
   rather than cached results). XML entity expansion is bounded by the expat parser
   (since 2.4 it refuses "billion laughs" documents).
"""

import copy
import datetime
import difflib
import io
import posixpath
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

import docx
import openpyxl

# Uploaded XML is parsed without entity expansion (no "billion laughs").
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import formats, timezone
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from documents import published_table as published
from documents.excel import FORMULA_START, workbook_text_safe
from documents.models import AgencyNameMapping
from documents.schedule_text import ACCEPTED_FORMS, DeadlineTextError, fold, quote, read_timing
from plans.collation import VietnameseOrder
from plans.models import Agency, AgencyGroup, ContentArea, Plan, Task
from plans.office_package import PackageLimits, PackageRefused, package_check
from plans.schedules import occurrences
from plans.selectors.agencies import AgencyMatch, agency_successors, normalise_name
from plans.services import deadline_horizon_end

SHEET_NAME = "Nhiệm vụ"
GUIDE_SHEET_NAME = "Hướng dẫn"

# Column keys and their header text, in the template's order.
COLUMNS = [
    ("code", "Mã nhiệm vụ"),
    ("area", "Nội dung số"),
    ("title", "Nhiệm vụ"),
    ("expected_output", "Sản phẩm"),
    ("lead_agency", "Cơ quan chủ trì"),
    ("cooperating_agencies", "Cơ quan phối hợp"),
    ("deadline", "Thời hạn"),
]
HEADERS = [header for _key, header in COLUMNS]
HEADER_OF = dict(COLUMNS)

MAX_FILE_BYTES = 5 * 1024 * 1024
# What the archive's members may unpack to. A 2,000-row table is a few megabytes of XML;
# a file packed far tighter than spreadsheets are is a "zip bomb".
# A full task table (MAX_DATA_ROWS rows) is a few MB unpacked; openpyxl parses 16 MB of
# shared strings in about 4 s (README, Importing).
MAX_UNZIPPED_BYTES = 16 * 1024 * 1024
IMPORT_PACKAGE_LIMITS = PackageLimits(max_parts=500, max_unpacked_bytes=MAX_UNZIPPED_BYTES)
MAX_DATA_ROWS = 2000
# Cells named in one message (formulas, merged ranges): enough to find them.
MAX_CELLS_NAMED = 10
COOPERATING_SEPARATOR = ";"
# Deadlines listed for a row in the preview.
MAX_DUE_SHOWN = 6


class ImportFileError(Exception):
    """A file that cannot be imported at all; ``message`` says why, in Vietnamese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ImportRejected(ValidationError):
    """Raised by the apply service when rows are rejected; nothing was saved."""

    def __init__(self, preview):
        self.preview = preview
        super().__init__(
            [f"Dòng {row.number}: {'; '.join(row.errors)}" for row in preview.rejected]
            + [f"Dòng {row.number}: {'; '.join(row.decisions)}" for row in preview.need_decision],
            code="rows_rejected",
        )


class Outcome(models.TextChoices):
    CREATE = "create", "Tạo mới"
    UPDATE = "update", "Cập nhật"
    UNCHANGED = "unchanged", "Không đổi"
    DECISION = "decision", "Cần quyết định"
    REJECTED = "rejected", "Bị từ chối"


# Names a decision is kept for: the longest a created agency's name may be.
MAX_DECIDED_NAME = 200
# Decisions read from one posted form: far more than any plan names.
MAX_DECISIONS = 500


def default_short_name(name: str) -> str:
    """The short name a proposed agency gets unless the coordinator writes another."""
    return name if len(name) <= 80 else name[:79] + "…"


@dataclass
class NameDecision:
    """What the coordinator decided, in the preview, for a name the portal lacks:
    ``choice`` "create" (an agency with ``agency_kind`` and ``short_name``, or a group)
    or "map" (the existing agency or group ``target_id``). ``kind`` is what the name was
    proposed as: "agency" or "group". ``decisions_check`` validates it and sets
    ``target``."""

    kind: str
    name: str
    choice: str = ""
    agency_kind: str = ""
    short_name: str = ""
    target_id: int | None = None
    target: Agency | AgencyGroup | None = None

    @property
    def key(self):
        return (self.kind, agency_key(self.name))

    @property
    def maps(self) -> bool:
        return self.choice == "map" and self.target is not None

    @property
    def creates(self) -> bool:
        return self.choice == "create"


@dataclass
class Proposal:
    """Something the document names that the portal lacks, proposed for creation: a
    content area (a group row), an agency or an agency group (a collective phrase).
    An agency name close to existing ones (``suggestions``) has no default: the
    coordinator chooses an agency or creates one (``decision``)."""

    kind: str  # "area", "agency" or "group"
    name: str
    number: int | None = None  # an area's
    agency_kind: str = ""  # an agency's Agency.Kind, guessed from its name
    rows: list[int] = field(default_factory=list)
    suggestions: list[Agency] = field(default_factory=list)
    decision: NameDecision | None = None

    @property
    def key(self):
        return (self.kind, self.number if self.kind == "area" else agency_key(self.name))

    @property
    def short_name(self):
        return default_short_name(self.name)

    @property
    def needs_choice(self) -> bool:
        """A near-miss nobody decided: accepting the proposals does not settle it."""
        return bool(self.suggestions) and self.decision is None

    @property
    def label(self):
        if self.kind == "area":
            return f"Tạo nội dung số {self.number}: {self.name}"
        decision = self.decision
        if decision is not None and decision.maps:
            return f"“{self.name}” là {decision.target.name}"
        if self.kind == "group":
            return f"Tạo nhóm cơ quan “{self.name}” (chọn các cơ quan thành viên sau khi nhập)"
        if decision is not None and decision.creates:
            kind = Agency.Kind(decision.agency_kind).label
            return f"Tạo cơ quan “{self.name}” (loại: {kind}, tên viết tắt: {decision.short_name})"
        if self.suggestions:
            return f"Chọn cơ quan đã có mà “{self.name}” chỉ, hoặc tạo cơ quan mới"
        return f"Tạo cơ quan “{self.name}” (loại: {Agency.Kind(self.agency_kind).label})"


@dataclass
class Remembered:
    """A name the import resolved through a mapping saved by an earlier import."""

    name: str
    target: object
    rows: list[int] = field(default_factory=list)

    @property
    def label(self):
        return f"“{self.name}” là {self.target.name} (theo lựa chọn đã lưu)"


def guess_agency_kind(name: str) -> str:
    """An agency's kind from how its name begins: "Sở …", "UBND huyện …"…"""
    words = fold(name)
    if re.match(r"^(so|ban|thanh tra|van phong) ", words):
        return Agency.Kind.DEPARTMENT
    if re.match(r"^(uy ban nhan dan|ubnd) (huyen|thi xa|thanh pho)", words):
        return Agency.Kind.DISTRICT
    if re.match(r"^(uy ban nhan dan|ubnd) (xa|phuong|thi tran)", words):
        return Agency.Kind.COMMUNE
    if re.match(r"^(hoi|uy ban mat tran|mttq|tinh doan|doan|lien doan|hoi lien hiep)", words):
        return Agency.Kind.MASS_ORGANISATION
    if re.match(r"^(cong an|bo chi huy|chi cuc|cuc|kho bac|ngan hang|bao hiem)", words):
        return Agency.Kind.CENTRAL_UNIT
    return Agency.Kind.OTHER


def looks_collective(name: str) -> bool:
    """A phrase for several agencies ("các sở, ban, ngành", "UBND các huyện")."""
    words = f" {fold(name)} "
    return " cac " in words or " nhung " in words


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    def __str__(self):
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class ImportRow:
    number: int  # the row number in Excel
    code: str
    title: str
    deadline_text: str
    outcome: str = ""
    errors: list[str] = field(default_factory=list)
    # What the coordinator should know but that does not refuse the row.
    notes: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    # What the coordinator must decide before the row can be imported (a proposal).
    decisions: list[str] = field(default_factory=list)
    # Filled in when the row is valid: the task as it would be saved (a copy of the
    # existing one for an update) and its cooperating agencies.
    task: Task | None = None
    cooperating: list[Agency] = field(default_factory=list)
    cooperating_groups: list = field(default_factory=list)
    # The deadlines the task will have (their dates), as the plan's schedule gives them.
    due_dates: list[datetime.date] = field(default_factory=list)

    @property
    def due_dates_display(self):
        shown = [formats.date_format(day, "SHORT_DATE_FORMAT") for day in self.due_dates[:MAX_DUE_SHOWN]]
        more = len(self.due_dates) - MAX_DUE_SHOWN
        return ", ".join(shown) + (f" và {more} hạn khác" if more > 0 else "") if shown else "chưa lập hạn"

    @property
    def outcome_label(self):
        return Outcome(self.outcome).label


@dataclass
class ImportPreview:
    plan: Plan
    rows: list[ImportRow]
    # Rows of the file left out (title, numbering, blank and note rows), with why.
    skipped: list = field(default_factory=list)
    layout: str = "template"
    # The coordinator's decisions for names the portal lacks, by proposal key.
    decisions: dict = field(default_factory=dict)
    _proposals: dict = field(default_factory=dict)
    _remembered: dict = field(default_factory=dict)

    def propose(self, proposal: Proposal, row: int) -> Proposal:
        kept = self._proposals.setdefault(proposal.key, proposal)
        if kept is proposal:
            kept.decision = self.decisions.get(proposal.key)
        if row not in kept.rows:
            kept.rows.append(row)
        return kept

    def remember(self, mapping, row: int) -> None:
        kept = self._remembered.setdefault(mapping.key, Remembered(mapping.name, mapping.target))
        if row not in kept.rows:
            kept.rows.append(row)

    def _with(self, outcome):
        return [row for row in self.rows if row.outcome == outcome]

    @property
    def to_create(self):
        return self._with(Outcome.CREATE)

    @property
    def to_update(self):
        return self._with(Outcome.UPDATE)

    @property
    def unchanged(self):
        return self._with(Outcome.UNCHANGED)

    @property
    def rejected(self):
        return self._with(Outcome.REJECTED)

    @property
    def need_decision(self):
        return self._with(Outcome.DECISION)

    @property
    def proposals(self) -> list[Proposal]:
        return list(self._proposals.values())

    @property
    def decidable(self) -> list[Proposal]:
        """The proposed agencies and groups, which the coordinator may map or create."""
        return [proposal for proposal in self._proposals.values() if proposal.kind != "area"]

    @property
    def creating(self) -> list[Proposal]:
        """The proposals that create something: all but the names mapped."""
        return [p for p in self._proposals.values() if p.decision is None or not p.decision.maps]

    @property
    def needing_choice(self) -> list[Proposal]:
        return [proposal for proposal in self._proposals.values() if proposal.needs_choice]

    @property
    def remembered(self) -> list[Remembered]:
        return list(self._remembered.values())

    @property
    def has_changes(self):
        return bool(self.to_create or self.to_update)

    @property
    def noted(self):
        return [row for row in self.rows if row.notes]

    def summary(self):
        return (
            f"Tạo mới: {len(self.to_create)}, cập nhật: {len(self.to_update)}, "
            f"không đổi: {len(self.unchanged)}, cần quyết định: {len(self.need_decision)}, "
            f"bị từ chối: {len(self.rejected)}."
        )


# --- Text helpers -----------------------------------------------------------------


def number_vi(value: int) -> str:
    """1.234 as Vietnamese writes thousands."""
    return f"{value:,}".replace(",", ".")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def cell_text(value) -> str:
    """A cell's value as one line of text: NFC, spaces collapsed, integers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return _nfc(" ".join(str(value).split()))


def cell_multiline(value) -> str:
    """Like ``cell_text`` but keeping line breaks (for the expected output)."""
    if isinstance(value, str):
        lines = [
            " ".join(line.split()) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]
        return _nfc("\n".join(lines).strip())
    return cell_text(value)


def agency_key(text: str) -> str:
    """Exact matching of agency names: case, spaces, dashes and a leading office title
    aside (``plans.selectors.agencies.normalise_name``)."""
    return normalise_name(str(text))


def _loose_key(text: str) -> str:
    """Close-match key for suggestions: no diacritics, no punctuation, lower case."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


# --- Agencies ------------------------------------------------------------------------


class AgencyDirectory:
    """Agencies matched by full name, short name or code, collective phrases matched to
    agency groups by the group's name or one of its other wordings, and names that
    earlier imports mapped to an agency or group (``AgencyNameMapping``), used only
    where a name matches no agency and no phrase."""

    def __init__(self, agencies, groups=(), mappings=()):
        self.agencies = list(agencies)
        self.groups = {}
        for group in groups:
            for phrase in group.phrase_list():
                self.groups.setdefault(agency_key(phrase), group)
        self.mappings = {mapping.key: mapping for mapping in mappings}
        self.by_id = {agency.pk: agency for agency in self.agencies}
        self._exact = defaultdict(set)
        self._loose = defaultdict(set)
        for agency in self.agencies:
            for text in (agency.name, agency.short_name, agency.code):
                if text:
                    self._exact[agency_key(text)].add(agency.pk)
            for text in (agency.name, agency.short_name):
                if text:
                    self._loose[_loose_key(text)].add(agency.pk)

    def group(self, text: str):
        """The agency group a collective phrase stands for, or None."""
        return self.groups.get(agency_key(text))

    def matches(self, text: str) -> bool:
        """An agency's name, short name or code, or a group's phrase."""
        key = agency_key(text)
        return key in self._exact or key in self.groups

    def mapping(self, text: str):
        """The saved mapping of a name that matches nothing by itself, or None."""
        return None if self.matches(text) else self.mappings.get(agency_key(text))

    def known(self, text: str) -> bool:
        """An agency's name, a group's phrase, or a name an earlier import mapped."""
        return self.matches(text) or agency_key(text) in self.mappings

    def split(self, value) -> list[str]:
        """The names in a cooperating-agencies cell: one per line or between ";", and
        between commas, except where the commas belong to a known name or collective
        phrase ("UBND các huyện, thị xã, thành phố")."""
        names = []
        for part in _split_agencies(value):
            if self.known(part):
                names.append(part)
                continue
            pieces = [piece.strip() for piece in part.split(",") if piece.strip()]
            start = 0
            while start < len(pieces):
                for end in range(len(pieces), start, -1):
                    candidate = ", ".join(pieces[start:end])
                    if self.known(candidate) or end == start + 1:
                        if end == start + 1 and looks_collective(candidate) and not self.known(candidate):
                            # A collective phrase not yet known keeps its commas to the end
                            # of the part: "Các cơ quan, đơn vị liên quan".
                            candidate, end = ", ".join(pieces[start:]), len(pieces)
                        names.append(candidate)
                        start = end
                        break
        return list(dict.fromkeys(names))

    def resolve(self, text: str) -> tuple[Agency | None, str | None]:
        """(agency, None) when found; (None, Vietnamese reason) otherwise."""
        ids = self._exact.get(agency_key(text), set())
        if len(ids) == 1:
            return self.current(self.by_id[next(iter(ids))])
        if len(ids) > 1:
            names = "; ".join(sorted(self.by_id[pk].name for pk in ids))
            return None, (
                f"Tên {quote(text)} ứng với nhiều cơ quan ({names}). Hãy ghi tên đầy đủ của cơ quan."
            )
        return None, self.not_found(text)

    @staticmethod
    def current(agency: Agency) -> tuple[Agency | None, str | None]:
        """(agency, None) while it exists; an ended one is refused, naming who carries its
        work today."""
        if agency.ended_on is not None:
            # An old name (a department merged in 2025…): offer who carries its work today.
            ended = AgencyMatch(agency=agency, successors=agency_successors(agency=agency))
            return None, f"{ended.message} Hãy ghi cơ quan hiện nay."
        return agency, None

    def not_found(self, text):
        message = f"Không tìm thấy cơ quan {quote(text)}."
        suggestions = self.suggest(text)
        if suggestions:
            message += f" Có phải: {'; '.join(suggestions)}?"
        return message

    def suggest(self, text, limit=3) -> list[str]:
        return [agency.name for agency in self.suggested(text, limit)]

    def suggested(self, text, limit=3) -> list[Agency]:
        """The agencies whose names are closest to ``text``."""
        key = _loose_key(text)
        # The same name but for diacritics or punctuation is the one meant.
        matches = (
            [key] if key in self._loose else difflib.get_close_matches(key, list(self._loose), n=limit * 2)
        )
        found = []
        for match in matches:
            for pk in sorted(self._loose[match]):
                agency = self.by_id[pk]
                if all(agency.name != other.name for other in found):
                    found.append(agency)
        return found[:limit]


# --- Reading the workbook ----------------------------------------------------------


def _read_bounded(file) -> bytes:
    """The file's bytes (bytes, or a file object such as an upload), refusing a file
    larger than the limit without reading all of it."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
    if not data:
        raise ImportFileError("Tệp tải lên trống (0 byte). Hãy chọn tệp Excel (.xlsx) có bảng nhiệm vụ.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"Tệp lớn hơn giới hạn {MAX_FILE_BYTES // (1024 * 1024)} MB. Bảng nhiệm vụ thường chỉ vài "
            "trăm KB: hãy bỏ hình ảnh, trang tính không cần thiết, hoặc chia thành nhiều tệp."
        )
    return data


NOT_XLSX = (
    "Tệp không phải bảng tính Excel (.xlsx) hay văn bản Word (.docx). Hãy mở tệp bằng Excel và lưu lại "
    "dưới dạng “Excel Workbook (*.xlsx)” (hoặc bằng Word, dạng “Word Document (*.docx)”), hoặc dùng tệp mẫu."
)


DAMAGED = (
    "Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng .xlsx. Hãy mở tệp bằng Excel, "
    "lưu lại dưới dạng “Excel Workbook (*.xlsx)” rồi tải lên lại."
)


def _check_archive(data: bytes) -> zipfile.ZipFile:
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE: Excel 97-2003, or an encrypted file
        raise ImportFileError(
            "Tệp là bảng tính Excel 97–2003 (.xls) hoặc được đặt mật khẩu. Hãy bỏ mật khẩu và lưu lại "
            "dưới dạng “Excel Workbook (*.xlsx)”."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(NOT_XLSX) from None
    names = {member.filename for member in members}
    if "word/document.xml" in names:
        kind, label = "docx", "Word (.docx)"
    elif "xl/workbook.xml" in names:
        kind, label = "xlsx", "Excel (.xlsx)"
    else:
        raise ImportFileError(NOT_XLSX)
    try:
        package_check(archive, kind=kind, limits=IMPORT_PACKAGE_LIMITS, label=label)
    except PackageRefused as refused:
        raise ImportFileError(
            f"Hệ thống không đọc tệp này: {refused.message} Nếu đây là bảng nhiệm vụ, hãy sao chép bảng sang "
            "tệp mẫu và tải lên lại."
        ) from None
    return archive, kind


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the sheet's XML part in the archive (workbook.xml and its relationships)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(DAMAGED) from None
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in relationships if _local(rel.tag) == "Relationship"
    }
    parts = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rel_id = next((value for key, value in sheet.attrib.items() if _local(key) == "id"), None)
        target = targets.get(rel_id, "")
        parts[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
    return parts


def _sheet_name(names) -> str | None:
    """The template's sheet "Nhiệm vụ", when the workbook has one."""
    wanted = fold(SHEET_NAME)
    return next((name for name in names if fold(name) == wanted), None)


def _too_many_rows(count: int | None, sheet: str = SHEET_NAME) -> ImportFileError:
    counted = f"có {number_vi(count)} dòng" if count else f"có hơn {number_vi(MAX_DATA_ROWS)} dòng"
    return ImportFileError(
        f"Trang {quote(sheet)} {counted} dữ liệu, quá giới hạn {number_vi(MAX_DATA_ROWS)} dòng mỗi lần "
        "nhập. Hãy chia bảng thành nhiều tệp (nếu bảng ít dòng hơn, hãy xóa các dòng trống thừa bên dưới "
        "bảng rồi lưu lại)."
    )


def _check_row_count(archive: zipfile.ZipFile, part: str, sheet: str = SHEET_NAME) -> None:
    """Refuse a sheet with too many rows from a streaming scan of its XML: the
    ``<dimension>`` record comes before the rows, so a big sheet is refused without
    reading them; without one (or with a wrong one) rows are counted up to the limit."""
    rows = 0
    try:
        with archive.open(part) as source:
            for event, element in ElementTree.iterparse(source, events=("start", "end")):
                tag = _local(element.tag)
                if event == "end":
                    if tag in ("c", "row"):
                        element.clear()  # keep memory flat whatever the sheet holds
                    continue
                if tag == "dimension":
                    last = re.search(r"(\d+)$", element.get("ref", ""))
                    if last and int(last.group(1)) - 1 > MAX_DATA_ROWS:
                        raise _too_many_rows(int(last.group(1)) - 1, sheet)
                elif tag == "row":
                    rows += 1
                    number = element.get("r", "")
                    if number.isdigit() and int(number) - 1 > MAX_DATA_ROWS:
                        raise _too_many_rows(int(number) - 1, sheet)
                    if rows - 1 > MAX_DATA_ROWS:
                        raise _too_many_rows(None, sheet)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(DAMAGED) from None


def _load(data: bytes):
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(DAMAGED) from None


def _header_columns(header_cells) -> dict[str, int]:
    """Column index (0-based) of each key, from the header row; headers may come in any
    order and extra columns are ignored."""
    found = {}
    wanted = {fold(header): key for key, header in COLUMNS}
    for index, value in enumerate(header_cells):
        key = wanted.get(fold(cell_text(value)))
        if key and key not in found:
            found[key] = index
    missing = [header for key, header in COLUMNS if key not in found]
    if missing:
        raise ImportFileError(
            f"Dòng tiêu đề (dòng 1) của trang {quote(SHEET_NAME)} thiếu cột: "
            f"{', '.join(quote(header) for header in missing)}. Cần đủ các cột: "
            f"{', '.join(quote(header) for header in HEADERS)} (xem tệp mẫu)."
        )
    return found


def _named_cells(cells, what, advice):
    shown = ", ".join(cells[:MAX_CELLS_NAMED])
    more = f" và {len(cells) - MAX_CELLS_NAMED} ô khác" if len(cells) > MAX_CELLS_NAMED else ""
    return ImportFileError(f"{what} {shown}{more}. {advice}")


class TableRows(list):
    """``read_rows``' answer: the rows, and what reading the layout noticed (rows skipped
    and why, the groups read as content areas); an empty note for the template."""

    def __init__(self, rows=(), *, skipped=(), areas=(), layout="template"):
        super().__init__(rows)
        self.skipped = list(skipped)
        self.areas = list(areas)
        self.layout = layout


NO_TABLE = (
    "Không tìm thấy bảng nhiệm vụ trong tệp. Bảng cần một dòng tiêu đề có ít nhất các cột nội dung "
    "nhiệm vụ và cơ quan chủ trì, ví dụ: “STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | "
    "Thời gian thực hiện | Sản phẩm” (các cách ghi được chấp nhận: xem hướng dẫn), hoặc dùng tệp mẫu."
)


def _formulas_refused(formulas):
    if len(formulas) == 1:
        what = f"Ô {formulas[0]} chứa công thức."
    else:
        shown = ", ".join(formulas[:MAX_CELLS_NAMED])
        more = f" và {len(formulas) - MAX_CELLS_NAMED} ô khác" if len(formulas) > MAX_CELLS_NAMED else ""
        what = f"Các ô {shown}{more} chứa công thức."
    return ImportFileError(
        f"{what} Hãy thay công thức bằng giá trị (Sao chép, rồi Dán đặc biệt → Giá trị) và tải lên lại."
    )


def _published_rows(table: published.PublishedTable, layout: str) -> TableRows:
    if not table.rows:
        raise ImportFileError("Bảng nhiệm vụ trong tệp chưa có dòng nhiệm vụ nào dưới dòng tiêu đề.")
    return TableRows(table.rows, skipped=table.skipped, areas=table.areas, layout=layout)


def _read_published_xlsx(archive, data, parts) -> TableRows:
    """The first sheet holding a task table laid out as published."""
    for name, part in parts.items():
        _check_row_count(archive, part, name)
    workbook = _load(data)
    for sheet in workbook.worksheets:
        grid, numbers = published.xlsx_grid(sheet)
        header = published.find_header(grid)
        if header is None:
            continue
        formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        if formulas:
            raise _formulas_refused(formulas)
        return _published_rows(published.read_grid(grid, numbers=numbers, header=header), "xlsx")
    listed = ", ".join(quote(name) for name in parts) or "không có trang nào"
    raise ImportFileError(f"{NO_TABLE} Các trang tính trong tệp: {listed}.")


def _read_docx(data) -> TableRows:
    """The task tables of a Word document: the first table whose header names a task
    table's columns, and the tables after it with the same columns (the appendix split
    over several tables), read as one."""
    try:
        document = docx.Document(io.BytesIO(data))
        tables = list(document.tables)
    except Exception:  # python-docx raises many kinds of errors on damaged files
        raise ImportFileError(
            "Không đọc được văn bản Word: tệp bị hỏng hoặc không đúng định dạng .docx. Hãy mở bằng Word, "
            "lưu lại dưới dạng “Word Document (*.docx)” rồi tải lên lại."
        ) from None
    grid, header = [], None
    for table in tables:
        if len(table.rows) + len(grid) > MAX_DATA_ROWS + published.HEADER_SEARCH_ROWS:
            raise ImportFileError(
                f"Bảng nhiệm vụ của văn bản có hơn {number_vi(MAX_DATA_ROWS)} dòng, quá giới hạn mỗi lần "
                "nhập. Hãy chia văn bản thành nhiều tệp."
            )
        part = published.docx_grid(table)
        if header is None:
            header = published.find_header(part)
            if header is not None:
                grid = part
        elif part and len(part[0]) == len(grid[0]):
            # The table continued after a page or section break.
            grid += part
    numbers = list(range(1, len(grid) + 1))
    if header is None:
        raise ImportFileError(
            f"{NO_TABLE} Văn bản có {len(tables)} bảng, không bảng nào có dòng tiêu đề như vậy."
        )
    return _published_rows(published.read_grid(grid, numbers=numbers, header=header), "docx")


def read_rows(file) -> TableRows:
    """The data rows of the task table as (row number, {column key: cell value}), empty
    rows left out: the template's sheet "Nhiệm vụ" when the workbook has one, otherwise
    the task table as published, in a Word document or a workbook
    (``documents.published_table``). Raises ``ImportFileError`` for a file that cannot
    be imported."""
    data = _read_bounded(file)
    archive, kind = _check_archive(data)
    if kind == "docx":
        return _read_docx(data)
    parts = _sheet_parts(archive)
    name = _sheet_name(list(parts))
    if name is None:
        return _read_published_xlsx(archive, data, parts)
    _check_row_count(archive, parts[name])
    # Only now, with the size bounded, the whole workbook is loaded.
    sheet = _load(data)[name]
    if sheet.merged_cells.ranges:
        ranges = sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
        raise _named_cells(
            [str(cell_range) for cell_range in ranges],
            f"Trang {quote(SHEET_NAME)} có ô gộp:",
            "Hãy bỏ gộp ô (Unmerge Cells), ghi giá trị vào từng ô rồi tải lên lại.",
        )
    rows = sheet.iter_rows()
    header = next(rows, ())
    columns = _header_columns([cell.value for cell in header])
    result, formulas = [], []
    for cells in rows:
        values = {}
        for key, index in columns.items():
            cell = cells[index] if index < len(cells) else None
            if cell is None:
                values[key] = None
                continue
            if cell.data_type == "f":
                formulas.append(cell.coordinate)
            values[key] = cell.value
        if any(cell_text(value) for value in values.values()):
            result.append((cells[0].row, values))
    if formulas:
        raise _formulas_refused(formulas)
    if not result:
        raise ImportFileError(f"Trang {quote(SHEET_NAME)} chưa có dòng nhiệm vụ nào dưới dòng tiêu đề.")
    return TableRows(result)


# --- Checking rows against the plan ------------------------------------------------

# Where a model field's error is shown: the column the official filled in.
FIELD_COLUMN = {
    "code": "Mã nhiệm vụ",
    "area": "Nội dung số",
    "title": "Nhiệm vụ",
    "expected_output": "Sản phẩm",
    "lead_agency": "Cơ quan chủ trì",
    "schedule": "Thời hạn",
    "due_on": "Thời hạn",
    "due_day": "Thời hạn",
    "due_month": "Thời hạn",
    "report_cycle": "Thời hạn",
    "start_on": "Thời hạn",
    "end_on": "Thời hạn",
    "schedule_text": "Thời hạn",
}


def validation_messages(exc: ValidationError) -> list[str]:
    """A model's validation errors as "Column: message", each message once (a check
    constraint repeats what ``clean()`` already said)."""
    if not hasattr(exc, "error_dict"):
        return list(dict.fromkeys(exc.messages))
    messages, seen = [], set()
    for name, errors in exc.message_dict.items():
        column = FIELD_COLUMN.get(name)
        if column is None and name != NON_FIELD_ERRORS:
            column = str(Task._meta.get_field(name).verbose_name).capitalize()
        for message in errors:
            if message not in seen:
                seen.add(message)
                messages.append(f"{column}: {message}" if column else message)
    return messages


def _area_number(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value).rstrip(".")
    return int(text) if text.isdigit() else None


def _split_agencies(value) -> list[str]:
    text = cell_multiline(value).replace("\n", COOPERATING_SEPARATOR)
    names = [" ".join(part.split()) for part in text.split(COOPERATING_SEPARATOR)]
    return list(dict.fromkeys(name for name in names if name))


class PlanTables:
    """What rows are checked against: the plan's areas and tasks, and the agencies.
    A fixed number of queries whatever the size of the file."""

    def __init__(self, plan):
        self.plan = plan
        # A plan proposed from its document, not saved yet, has no areas nor tasks.
        saved = plan.pk is not None
        self.areas = {area.number: area for area in ContentArea.objects.filter(plan=plan)} if saved else {}
        for area in self.areas.values():
            area.plan = plan
        self.agencies = AgencyDirectory(
            Agency.objects.all(), AgencyGroup.objects.all(), AgencyNameMapping.objects.select_related("group")
        )
        self.yearly_due = settings.PLAN_IMPORT_YEARLY_DUE
        self.horizon_end = deadline_horizon_end(plan=plan, today=timezone.localdate())
        self._area_titles = {_loose_key(area.title): area for area in self.areas.values()}
        self.tasks = {task.code: task for task in Task.objects.filter(plan=plan)} if saved else {}
        self.cooperating = defaultdict(set)
        self.cooperating_groups = defaultdict(set)
        if not saved:
            return
        through = Task.cooperating_agencies.through
        for task_id, agency_id in through.objects.filter(task__plan=plan).values_list("task_id", "agency_id"):
            self.cooperating[task_id].add(agency_id)
        links = Task.cooperating_groups.through.objects.filter(task__plan=plan)
        for task_id, group_id in links.values_list("task_id", "agencygroup_id"):
            self.cooperating_groups[task_id].add(group_id)

    def area_titled(self, title: str):
        """The plan's area with this title, whatever its case, diacritics or punctuation."""
        return self._area_titles.get(_loose_key(title))


def _area_list(numbers) -> str:
    return ", ".join(str(number) for number in sorted(numbers)) or "chưa có nội dung nào"


def _agency_named(name, column, number, tables: PlanTables, preview: ImportPreview, row: ImportRow):
    """What a name in an agency column stands for: (agency, None) or (None, group);
    (None, None) with the reason in the row's errors, or a proposal in its decisions.

    In order: an agency by name, short name or code, or a group's phrase; a mapping an
    earlier import saved; the coordinator's decision in this preview; else a proposal
    (with suggestions when the name is close to existing agencies)."""
    directory = tables.agencies
    if directory.matches(name):
        agency, reason = directory.resolve(name)
        if agency is None and directory.group(name) is not None:
            return None, directory.group(name)
        if reason:
            row.errors.append(f"{column}: {reason}")
        return agency, None
    mapping = directory.mapping(name)
    if mapping is not None:
        preview.remember(mapping, number)
        if mapping.group is not None:
            return None, mapping.group
        agency, reason = directory.current(directory.by_id.get(mapping.agency_id, mapping.agency))
        if reason:
            row.errors.append(
                f"{column}: {quote(name)} theo lựa chọn đã lưu là {reason} Lựa chọn đã lưu có thể xóa ở "
                "trang quản trị “Tên cơ quan đã chọn khi nhập”."
            )
        return agency, None
    if looks_collective(name) and column != "Cơ quan chủ trì":
        proposal = preview.propose(Proposal("group", name), number)
        what = f"Chưa có nhóm cơ quan {quote(name)}."
    else:
        proposal = preview.propose(
            Proposal(
                "agency", name, agency_kind=guess_agency_kind(name), suggestions=directory.suggested(name)
            ),
            number,
        )
        what = directory.not_found(name)
    decision = proposal.decision
    if decision is not None and decision.maps:
        return (None, decision.target) if proposal.kind == "group" else (decision.target, None)
    if proposal.needs_choice:
        row.decisions.append(f"{column}: {what} Hãy chọn cơ quan đã có, hoặc tạo cơ quan mới.")
    else:
        row.decisions.append(f"{column}: {what} Đề xuất: {proposal.label}.")
    return None, None


def _check_row(number, values, tables: PlanTables, seen_codes, preview: ImportPreview) -> ImportRow:
    plan = tables.plan
    code = cell_text(values["code"])
    row = ImportRow(
        number=number,
        code=code,
        title=cell_text(values["title"]),
        deadline_text=cell_text(values["deadline"]),
    )
    errors = row.errors
    for key, header in COLUMNS:
        raw = values[key] if isinstance(values[key], str) else ""
        start = next((text[0] for text in (raw, cell_text(raw)) if text.startswith(FORMULA_START)), None)
        if start:
            # Kept as text, and every export writes it as text (documents.excel.text_safe).
            shown = {"\t": "dấu tab", "\r": "dấu xuống dòng"}.get(start, f"“{start}”")
            row.notes.append(
                f"Cột {quote(header)} bắt đầu bằng {shown} như một công thức: được giữ nguyên là chữ, "
                "không phải công thức."
            )
    if not code:
        errors.append("Thiếu mã nhiệm vụ.")
    elif code in seen_codes:
        errors.append(f"Mã nhiệm vụ {quote(code)} bị trùng với dòng {seen_codes[code]} trong tệp.")
    else:
        seen_codes[code] = number
    if not row.title:
        errors.append("Thiếu nội dung nhiệm vụ (cột “Nhiệm vụ”).")

    area = None
    area_value = values["area"]
    area_number = _area_number(area_value)
    area_title = cell_text(values.get("area_title"))
    if area_title and area_number not in tables.areas:
        # A group row of a published table: its title names the area when its number does not.
        area = tables.area_titled(area_title)
    if area is not None:
        pass
    elif cell_text(area_value) == "" and "area_title" in values:
        errors.append(
            "Không rõ nhiệm vụ thuộc nội dung nào của kế hoạch: bảng không có dòng nhóm (I, II, III…) phía "
            "trên nhiệm vụ, và STT không bắt đầu bằng số nội dung (như 5.1)."
        )
    elif cell_text(area_value) == "":
        errors.append("Thiếu nội dung số (cột “Nội dung số”).")
    elif area_number is None:
        errors.append(f"Nội dung số {quote(cell_text(area_value))} không phải một số.")
    elif area_number not in tables.areas and area_title:
        proposal = preview.propose(Proposal("area", area_title, number=area_number), number)
        row.decisions.append(f"Nội dung: {proposal.label} (dòng nhóm chưa có trong kế hoạch {plan.number}).")
    elif area_number not in tables.areas:
        named = f" {quote(area_title)}" if area_title else ""
        errors.append(
            f"Kế hoạch {plan.number} không có nội dung số {area_number}{named} (các nội dung có: "
            f"{_area_list(tables.areas)})."
        )
    else:
        area = tables.areas[area_number]

    lead = None
    lead_text = cell_text(values["lead_agency"])
    if not lead_text:
        errors.append("Thiếu cơ quan chủ trì.")
    else:
        lead, group = _agency_named(lead_text, "Cơ quan chủ trì", number, tables, preview, row)
        if group is not None:
            errors.append(
                f"Cơ quan chủ trì: {quote(lead_text)} là một nhóm cơ quan; mỗi nhiệm vụ cần một cơ quan chủ "
                "trì. Hãy ghi nhóm ở cột cơ quan phối hợp, hoặc tách thành nhiệm vụ của từng cơ quan."
            )

    cooperating, groups = [], []
    for name in tables.agencies.split(values["cooperating_agencies"]):
        agency, group = _agency_named(name, "Cơ quan phối hợp", number, tables, preview, row)
        if group is not None and group not in groups:
            groups.append(group)
        elif agency is None:
            continue
        elif agency == lead:
            errors.append(f"{agency.name} đã là cơ quan chủ trì, không đồng thời là cơ quan phối hợp.")
        elif agency not in cooperating:
            cooperating.append(agency)

    timing = None
    try:
        timing = read_timing(
            values["deadline"],
            period_start=plan.period_start,
            period_end=plan.period_end,
            yearly_due=tables.yearly_due,
        )
    except DeadlineTextError as exc:
        errors.append(exc.message)
    else:
        row.notes.extend(timing.assumptions)

    existing = tables.tasks.get(code) if code else None
    if errors:
        # Every problem of the row at once, the proposals among them.
        errors.extend(row.decisions)
        row.outcome = Outcome.REJECTED
        return row
    if row.decisions:
        row.outcome = Outcome.DECISION
        return row

    task = copy.deepcopy(existing) if existing else Task(code=code)
    task.plan = plan
    task.area = area
    task.title = row.title
    task.expected_output = cell_multiline(values["expected_output"])
    task.lead_agency = lead
    for name, value in timing.fields.as_dict().items():
        setattr(task, name, value)
    # A phase ("Giai đoạn 2023–2027") bounds the schedule where it falls inside the plan;
    # beyond it, the plan's own period does.
    if timing.start_on and timing.start_on > plan.period_start and plan.covers(timing.start_on):
        task.start_on = timing.start_on
    if timing.end_on and plan.covers(timing.end_on):
        task.end_on = timing.end_on
    written = timing.written if isinstance(timing.written, str) else ""
    task.schedule_text = written if fold(written) != fold(str(task.schedule_display)) else ""
    try:
        # The preview's check, one query-free pass per row: the plan, area and agency
        # were just read from the database, uniqueness is settled above (codes matched
        # within the plan, repeats in the file refused) and clean() says what the check
        # constraints would. The apply service runs the complete full_clean().
        task.full_clean(
            exclude=["plan", "area", "lead_agency"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.extend(validation_messages(exc))
        row.outcome = Outcome.REJECTED
        return row

    row.task, row.cooperating, row.cooperating_groups = task, cooperating, groups
    horizon = tables.horizon_end
    row.due_dates = [
        occurrence.due_on
        for occurrence in occurrences(
            schedule=task.schedule,
            cycle=task.report_cycle,
            due_on=task.due_on,
            due_day=task.due_day,
            due_month=task.due_month,
            start=max(task.start_on or plan.period_start, plan.period_start),
            end=min(horizon, task.end_on) if task.end_on else horizon,
        )
    ]
    if existing is None:
        row.outcome = Outcome.CREATE
    else:
        row.changes = _changes(existing, task, tables.cooperating[existing.pk], cooperating, tables)
        old_groups, new_groups = tables.cooperating_groups[existing.pk], {group.pk for group in groups}
        if old_groups != new_groups:
            row.changes.append(
                FieldChange(
                    "Nhóm cơ quan phối hợp",
                    f"{len(old_groups)} nhóm",
                    "; ".join(group.name for group in groups) or "(không còn nhóm nào)",
                )
            )
        row.outcome = Outcome.UPDATE if row.changes else Outcome.UNCHANGED
    return row


SCHEDULE_FIELDS = [
    "schedule",
    "due_on",
    "due_day",
    "due_month",
    "report_cycle",
    "start_on",
    "end_on",
    "schedule_text",
]


def _changes(old: Task, new: Task, old_cooperating: set, cooperating: list, tables) -> list[FieldChange]:
    changes = []
    if old.area_id != new.area.pk:
        old_area = next((a.number for a in tables.areas.values() if a.pk == old.area_id), "?")
        changes.append(FieldChange(HEADER_OF["area"], str(old_area), str(new.area.number)))
    if old.title != new.title:
        changes.append(FieldChange(HEADER_OF["title"], old.title, new.title))
    if old.expected_output != new.expected_output:
        changes.append(
            FieldChange(
                HEADER_OF["expected_output"],
                old.expected_output or "(trống)",
                new.expected_output or "(trống)",
            )
        )
    if old.lead_agency_id != new.lead_agency.pk:
        old_lead = tables.agencies.by_id.get(old.lead_agency_id)
        changes.append(
            FieldChange(HEADER_OF["lead_agency"], old_lead.name if old_lead else "?", new.lead_agency.name)
        )
    new_ids = {agency.pk for agency in cooperating}
    if old_cooperating != new_ids:
        by_id = tables.agencies.by_id
        added = sorted(by_id[pk].name for pk in new_ids - old_cooperating)
        removed = sorted(by_id[pk].name for pk in old_cooperating - new_ids)
        parts = []
        if added:
            parts.append("thêm " + "; ".join(added))
        if removed:
            parts.append("bỏ " + "; ".join(removed))
        changes.append(
            FieldChange(
                HEADER_OF["cooperating_agencies"], f"{len(old_cooperating)} cơ quan", ", ".join(parts)
            )
        )
    if [getattr(old, name) for name in SCHEDULE_FIELDS] != [getattr(new, name) for name in SCHEDULE_FIELDS]:
        changes.append(
            FieldChange(HEADER_OF["deadline"], str(old.schedule_display), str(new.schedule_display))
        )
    return changes


def decisions_check(decisions) -> dict:
    """Check the coordinator's decisions (``NameDecision``) against the portal as it is,
    and set the target of each mapping. Returns a Vietnamese message by proposal key
    for each decision that cannot be carried out; none for a name left undecided."""
    errors = {}
    agencies = Agency.objects.in_bulk(
        {d.target_id for d in decisions if d.kind == "agency" and d.choice == "map" and d.target_id}
    )
    groups = AgencyGroup.objects.in_bulk(
        {d.target_id for d in decisions if d.kind == "group" and d.choice == "map" and d.target_id}
    )
    creating = [d for d in decisions if d.kind == "agency" and d.choice == "create"]
    taken = {}
    if creating:
        for name, short_name, code in Agency.objects.values_list("name", "short_name", "code"):
            for text in (name, short_name, code):
                taken.setdefault(agency_key(text), name)
    created = {}  # what the created agencies will be called, and whose name it is
    for decision in creating:
        decision.short_name = " ".join(decision.short_name.split())
        for text in (decision.name, decision.short_name):
            created.setdefault(agency_key(text), set()).add(decision.name)
    mapped_keys = defaultdict(int)
    for decision in decisions:
        if decision.choice == "map":
            mapped_keys[agency_key(decision.name)] += 1
    longest = AgencyNameMapping._meta.get_field("name").max_length
    for decision in decisions:
        name = quote(decision.name)
        message = None
        if decision.choice == "map" and len(decision.name) > longest:
            message = f"Tên {name} dài quá {longest} ký tự để lưu lựa chọn: hãy sửa tên trong tệp."
        elif decision.choice == "map" and mapped_keys[agency_key(decision.name)] > 1:
            message = f"Tên {name} vừa là cơ quan vừa là nhóm cơ quan: hãy chọn một cách cho tên này."
        elif decision.choice == "map" and decision.kind == "agency":
            decision.target = agencies.get(decision.target_id)
            if decision.target is None:
                message = f"Hãy chọn cơ quan mà {name} chỉ."
            elif decision.target.ended_on is not None or not decision.target.is_active:
                message = f"{decision.target.name} không còn hoạt động: hãy chọn cơ quan khác cho {name}."
        elif decision.choice == "map":
            decision.target = groups.get(decision.target_id)
            if decision.target is None:
                message = f"Hãy chọn nhóm cơ quan mà {name} chỉ."
        elif decision.choice == "create" and decision.kind == "agency":
            short = decision.short_name
            others = created.get(agency_key(short), set()) - {decision.name}
            if len(decision.name) > MAX_DECIDED_NAME:
                message = f"Tên cơ quan {name} dài quá {MAX_DECIDED_NAME} ký tự: hãy chọn một cơ quan đã có."
            elif decision.agency_kind not in Agency.Kind.values:
                message = f"Hãy chọn loại cơ quan cho {name}."
            elif not short:
                message = f"Hãy ghi tên viết tắt cho cơ quan {name}."
            elif len(short) > 80:
                message = f"Tên viết tắt {quote(short)} dài quá 80 ký tự."
            elif agency_key(short) in taken:
                message = (
                    f"Tên viết tắt {quote(short)} đã dùng cho {taken[agency_key(short)]}: hãy ghi tên khác, "
                    f"hoặc chọn “là đơn vị đã có” cho {name}."
                )
            elif others:
                message = (
                    f"Tên viết tắt {quote(short)} trùng với cơ quan {quote(sorted(others)[0])} cũng được tạo "
                    "trong lần nhập này: hãy ghi tên khác."
                )
        if message:
            errors[decision.key] = message
    return errors


def import_preview(*, plan: Plan, file=None, rows=None, decisions=()) -> ImportPreview:
    """What importing ``file`` (bytes or a file object) into ``plan`` would do. Never
    writes. Raises ``ImportFileError`` when the file cannot be imported at all. ``rows``,
    what ``read_rows`` already gave for the file, spares parsing it again. ``decisions``
    (``NameDecision``, checked by ``decisions_check``) say what names the portal lacks
    stand for: rows naming a name mapped to an agency or group are read with it."""
    rows = read_rows(file) if rows is None else rows
    tables = PlanTables(plan)
    seen_codes = {}
    preview = ImportPreview(
        plan=plan,
        rows=[],
        skipped=list(getattr(rows, "skipped", [])),
        layout=getattr(rows, "layout", "template"),
        decisions={decision.key: decision for decision in decisions if decision.maps or decision.creates},
    )
    preview.rows = [_check_row(n, values, tables, seen_codes, preview) for n, values in rows]
    return preview


# --- The template ------------------------------------------------------------------

COLUMN_WIDTHS = {"code": 14, "area": 12, "title": 60, "expected_output": 36, "lead_agency": 32,
                 "cooperating_agencies": 48, "deadline": 30}  # fmt: skip

COLUMN_GUIDE = {
    "code": ("Bắt buộc", "Mã của nhiệm vụ trong kế hoạch, ví dụ 5.1. Dòng có mã đã có trong kế hoạch "
             "sẽ cập nhật nhiệm vụ đó; mã mới sẽ tạo nhiệm vụ mới. Mỗi mã chỉ ghi một lần."),
    "area": ("Bắt buộc", "Số thứ tự nội dung của kế hoạch mà nhiệm vụ thuộc về (xem danh sách bên dưới)."),
    "title": ("Bắt buộc", "Tên, nội dung nhiệm vụ."),
    "expected_output": ("Không bắt buộc", "Sản phẩm dự kiến (báo cáo, kế hoạch, đề án…)."),
    "lead_agency": ("Bắt buộc", "Một cơ quan: tên đầy đủ, tên viết tắt hoặc mã (xem danh sách bên dưới)."),
    "cooperating_agencies": ("Không bắt buộc", "Các cơ quan phối hợp, ngăn cách bằng dấu chấm phẩy “;”, ví "
                             "dụ: Sở Nội vụ; Sở Tư pháp. Không ghi lại cơ quan chủ trì."),
    "deadline": ("Bắt buộc", "Một trong các cách ghi ở bảng “Cách ghi thời hạn” bên dưới. Ngày viết "
                 "ngày/tháng/năm; cột này để dạng chữ (Text) để Excel không tự đổi ngày."),
}  # fmt: skip

EXAMPLES = [
    ["5.2", 5, "Ví dụ: Xây dựng chuyên mục thông tin đối ngoại trên Cổng thông tin điện tử tỉnh",
     "Chuyên mục được vận hành", "Sở TT&TT", "Sở Ngoại vụ; Đài PT-TH tỉnh", "31/12/2019"],
    ["5.3", 5, "Ví dụ: Báo cáo kết quả công tác thông tin đối ngoại", "Báo cáo",
     "Sở Thông tin và Truyền thông", "", "Hằng năm, trước 15/12"],
    ["8.1", 8, "Ví dụ: Bồi dưỡng nghiệp vụ đối ngoại cho cán bộ", "", "Sở Ngoại vụ", "Sở Nội vụ",
     "Thường xuyên, báo cáo 6 tháng"],
]  # fmt: skip

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


def _guide_heading(sheet, row, text):
    sheet.cell(row=row, column=1, value=text).font = Font(bold=True, size=12)
    return row + 1


def _guide_table(sheet, row, header, rows):
    for col, text in enumerate(header, start=1):
        cell = sheet.cell(row=row, column=col, value=text)
        cell.font, cell.fill = BOLD, HEADER_FILL
    for values in rows:
        row += 1
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row, column=col, value=value).alignment = WRAP
    return row + 2


def task_table_rows(tasks) -> list[list]:
    """The plan's tasks as rows of the import table, in its column order: the deadline as
    the portal displays it, which the import reads back to the same schedule."""
    return [
        [
            task.code,
            task.area.number,
            task.title,
            task.expected_output,
            task.lead_agency.name,
            f"{COOPERATING_SEPARATOR} ".join(agency.name for agency in task.cooperating_agencies.all()),
            str(task.schedule_display),
        ]
        for task in tasks
    ]


def template_workbook(*, plan: Plan | None = None, rows=()) -> bytes:
    """The .xlsx template: a "Nhiệm vụ" sheet with its header row (and ``rows``, the
    plan's current tasks when the table is exported for editing), and a "Hướng dẫn"
    sheet explaining the columns, the deadline forms, and listing the plan's areas and
    the known agencies. No example row sits in the data sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    for col, (key, header) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS[key]
        if key != "area":
            # Text cells, so that Excel never turns "5.10" or "01/02/2020" into a number or date.
            sheet.column_dimensions[letter].number_format = "@"
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(GUIDE_SHEET_NAME)
    for letter, width in zip("ABCDEFG", (24, 20, 60, 30, 30, 40, 30), strict=True):
        guide.column_dimensions[letter].width = width
    title = "Hướng dẫn nhập bảng nhiệm vụ"
    if plan is not None:
        title += f" của kế hoạch {plan.number}"
    row = _guide_heading(guide, 1, title)
    guide.cell(
        row=row,
        column=1,
        value=(
            f"Ghi mỗi nhiệm vụ một dòng trong trang “{SHEET_NAME}”, dưới dòng tiêu đề; không gộp ô, không "
            f"dùng công thức; tối đa {number_vi(MAX_DATA_ROWS)} dòng mỗi tệp. Trang này chỉ để hướng dẫn: "
            "không dòng nào ở đây được nhập."
        ),
    )
    row = _guide_heading(guide, row + 2, "Các cột")
    row = _guide_table(
        guide,
        row,
        ["Cột", "Bắt buộc?", "Cách ghi"],
        [[HEADER_OF[key], *COLUMN_GUIDE[key]] for key, _header in COLUMNS],
    )
    row = _guide_heading(guide, row, "Cách ghi thời hạn")
    row = _guide_table(
        guide, row, ["Cách ghi", "", "Ý nghĩa"], [[text, "", meaning] for text, meaning in ACCEPTED_FORMS]
    )
    guide.cell(
        row=row - 1,
        column=1,
        value="Viết hoa hay thường, “hằng” hay “hàng”, “trước 15/12” hay “trước ngày 15/12” đều được.",
    )
    row = _guide_heading(guide, row + 1, "Ví dụ (chỉ để tham khảo, không được nhập)")
    row = _guide_table(guide, row, HEADERS, EXAMPLES)
    if plan is not None:
        row = _guide_heading(guide, row, f"Các nội dung của kế hoạch {plan.number}")
        row = _guide_table(
            guide,
            row,
            ["Nội dung số", "", "Tên nội dung"],
            [[a.number, "", a.title] for a in plan.areas.order_by("number")],
        )
    row = _guide_heading(guide, row, "Các cơ quan, đơn vị (ghi tên đầy đủ, tên viết tắt hoặc mã)")
    _guide_table(
        guide,
        row,
        ["Tên đầy đủ", "Tên viết tắt", "Mã"],
        [
            [a.name, a.short_name, a.code]
            for a in Agency.objects.filter(is_active=True).order_by(VietnameseOrder("name"))
        ],
    )
    workbook_text_safe(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
