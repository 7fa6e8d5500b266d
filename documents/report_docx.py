"""The province's periodic report on a plan as a Word document, laid out as Decree
30/2020/NĐ-CP asks of an administrative document: A4, Times New Roman, the issuer and
the national title side by side with the short lines under them, number and symbol,
place and date, the plan cited in full at its first mention, the signature block with
authority, title, room to sign and the signer's name, page numbers from the second page
on, and an appendix with its own heading.

Its contents follow a provincial periodic report: I. results (the official classes, a
table by lead agency, a summary per content area), II. shortcomings and their causes,
III. key tasks of the next period, IV. proposals; the appendix lists the period's
deadlines (the backlog included) and the agencies to commend and to remind. It is
written from the figures of ``documents.selectors.periodic_report_figures_get`` alone:
an issued report's stored figures give the same document whatever the data becomes.

Everything is made with python-docx. What it has no API for is added as single
elements: the PAGE field of the page numbers, the "repeat as header row" and "do not
split" flags of table rows, and the bottom border that draws the short lines.

A year of a large plan puts thousands of deadlines in the appendix,
and python-docx spends a fraction of a millisecond on every element it creates (its
``add_paragraph`` also looks for the end of the body each time, and its paragraph
``style`` setter scans every style of the document). So python-docx makes the first
paragraph of each kind and the first row of each table, and the others are copies of
them (``copy.deepcopy``, as python-docx itself copies section properties) with their
text replaced. Text with tabs or line breaks still goes through python-docx's run text
setter.
"""

import copy
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from documents.selectors import periodic_report_drafts
from plans.models import DeadlineStatus, StatusGroup

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top_margin": Mm(20), "bottom_margin": Mm(20), "left_margin": Mm(30), "right_margin": Mm(15)}
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NO_OVERDUE = "Không có cơ quan nào còn hạn nhiệm vụ quá hạn."
NO_COMMENDATION = "Chưa có cơ quan nào hoàn thành đúng hạn tất cả các hạn trong kỳ."
NO_UPCOMING = "Kỳ tới không có hạn thực hiện nhiệm vụ nào."
SECTION_HEADINGS = (
    "I. KẾT QUẢ THỰC HIỆN",
    "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
    "III. NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
    "IV. ĐỀ XUẤT, KIẾN NGHỊ",
)
RESULT_HEADINGS = (
    "1. Tình hình thực hiện chung",
    "2. Kết quả theo cơ quan chủ trì",
    "3. Kết quả theo từng nội dung của Kế hoạch",
)
APPENDIX_HEADINGS = (
    "1. Các hạn thực hiện nhiệm vụ trong kỳ (gồm các hạn tồn từ kỳ trước)",
    "2. Cơ quan đề nghị biểu dương (hoàn thành đúng hạn tất cả các hạn trong kỳ)",
    "3. Cơ quan đề nghị nhắc nhở (còn hạn chưa hoàn thành, quá hạn; nhiều nhất trước)",
)
# 165 mm: the width between the margins.
AGENCY_COLUMNS = [
    ("STT", Mm(12)),
    ("Cơ quan chủ trì", Mm(37)),
    ("Tổng số hạn", Mm(15)),
    ("Hoàn thành đúng hạn", Mm(17)),
    ("Hoàn thành quá hạn", Mm(17)),
    ("Chưa hoàn thành, trong hạn", Mm(17)),
    ("Chưa hoàn thành, quá hạn", Mm(17)),
    ("Tỷ lệ đúng hạn", Mm(18)),
    ("Xếp hạng", Mm(15)),
]
# 252 mm: the width between the margins of a landscape page.
APPENDIX_COLUMNS = [
    ("STT", Mm(13)),
    ("Mã", Mm(14)),
    ("Nhiệm vụ", Mm(66)),
    ("Cơ quan chủ trì", Mm(43)),
    ("Kỳ", Mm(30)),
    ("Hạn", Mm(26)),
    ("Tình trạng", Mm(38)),
    ("Ghi chú", Mm(22)),
]
BACKLOG_NOTE = "Tồn từ kỳ trước"

# The text of the paragraph or row python-docx makes once per kind, which is then
# copied. Its spaces make python-docx mark the text as space-preserving, so the copies
# keep runs of spaces ("Số:      /BC-SNgV") as written.
PLACEHOLDER = " x "
W_T = qn("w:t")

# Characters XML 1.0 does not allow (text pasted from other programs may carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value) -> str:
    return _NOT_XML.sub("", str(value).replace("\r\n", "\n"))


def date_line_date(day: datetime.date) -> str:
    """Decree 30's way of writing the date line: a leading zero for days below 10 and
    for the months 1 and 2 only ("ngày 05 tháng 02 năm 2020", "ngày 15 tháng 3 năm 2020")."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_of(issuer: str) -> str:
    """The place of the date line: the province or city of the issuer ("UBND tỉnh Điện
    Biên" → "Điện Biên")."""
    match = re.search(r"(?:tỉnh|thành phố)\s+(.+)$", issuer.strip(), flags=re.IGNORECASE)
    return match.group(1).strip() if match else issuer.strip()


def percent_vi(share: float) -> str:
    """12.5 % written the Vietnamese way: "12,5%"."""
    return f"{share * 100:.1f}".replace(".", ",") + "%"


def dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def day_of(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def document_symbol(agency: dict) -> str:
    return f"BC-{agency['document_symbol']}" if agency.get("document_symbol") else "BC"


def file_name(figures: dict, version: int = 1) -> str:
    """A safe ASCII file name: "BC-139-KH-UBND-2020.docx" ("…-2020-lan-2.docx" for a
    later version)."""
    number = re.sub(r"[^A-Za-z0-9]+", "-", figures["plan"]["number"]).strip("-") or "KH"
    suffix = f"-lan-{version}" if version > 1 else ""
    return f"BC-{number}-{figures['period']['code']}{suffix}.docx"


def period_dates(figures: dict) -> str:
    """ "(Số liệu từ ngày 15/09/2026 đến ngày 14/12/2026)": the period's data window, under
    the report's subject."""
    period = figures["period"]
    return f"(Số liệu từ ngày {dmy(day_of(period['start']))} đến ngày {dmy(day_of(period['end']))})"


def plan_citation(plan: dict) -> str:
    """The plan cited in full at its first mention (Decree 30): "Kế hoạch số
    139/KH-UBND ngày … tháng 01 năm 2019 của UBND tỉnh Điện Biên về …", with "…" for
    what the plan record does not know (never invented)."""
    issued = plan["issued"]
    title = plan["title"].strip()
    about = re.sub(r"^kế hoạch\s+", "", title, flags=re.IGNORECASE) or "…"
    return (
        f"Kế hoạch số {plan['number']} ngày {issued['day']} tháng {issued['month']} năm {issued['year']} "
        f"của {plan['issuer']} về {about}"
    )


# Widths of Times New Roman Bold, in thousandths of the font size: the metrics of Adobe's
# Times-Bold (the 14 standard PDF fonts), which Times New Roman Bold and its metric twin
# Liberation Serif Bold share closely. A letter with Vietnamese diacritics is as wide as
# its base letter. Enough to size the short lines under a heading, which Decree 30 gives
# as a share of the text above them.
_BOLD_WIDTHS = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        [722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667]
        + [722, 722, 1000, 722, 722, 667]
        + [500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333]
        + [556, 500, 722, 500, 500, 444],
        strict=True,
    )
)
_BOLD_WIDTHS.update({" ": 250, "-": 333, ".": 250, ",": 250, "&": 833, "(": 333, ")": 333, "/": 278})


def bold_text_width(text: str, size: float) -> float:
    """The width of ``text`` in points, set in Times New Roman Bold at ``size`` points."""
    base = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return sum(_BOLD_WIDTHS.get(char, 500) for char in base if not unicodedata.combining(char)) * size / 1000


class _Styles:
    """The document's paragraph styles: Normal for running text, and a few styles
    based on it, so that no paragraph carries its own font."""

    def __init__(self, document):
        styles = document.styles
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)
        # The east-Asian and complex-script slots too, so that no character falls back
        # to another font.
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT)
        fonts.set(qn("w:cs"), FONT)
        paragraph = normal.paragraph_format
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.first_line_indent = Cm(1)
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(6)
        paragraph.line_spacing = 1.0
        self.normal = normal

        self.block = self._add(styles, "BC Khối đầu", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        self.doc_type = self._add(
            styles, "BC Tên loại", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0
        )
        self.subject = self._add(styles, "BC Trích yếu", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.centre = self._add(styles, "BC Giữa", size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.section = self._add(styles, "BC Đề mục", bold=True, before=6, keep=True)
        self.area = self._add(styles, "BC Nội dung", bold=True, keep=True)
        self.task = self._add(styles, "BC Nhiệm vụ", bold=True, italic=True, keep=True)
        self.recipients_head = self._add(
            styles, "BC Nơi nhận", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=0
        )
        self.recipients = self._add(
            styles, "BC Danh sách nhận", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0
        )
        self.section_end = self._add(styles, "BC Hết phần", size=1, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
        self.section_end.paragraph_format.line_spacing = Pt(1)
        self.cell = self._add(styles, "BC Ô bảng", size=12, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
        self.cell_number = self._add(styles, "BC Ô số", size=12, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        # The short lines under the heading block: an empty paragraph's bottom border.
        self.rule = self._add(styles, "BC Đường kẻ", size=4, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
        self.title_rule = self._add(
            styles, "BC Đường kẻ dưới tên", size=4, align=WD_ALIGN_PARAGRAPH.CENTER, after=8
        )
        self.signer = self._add(
            styles, "BC Người ký", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
        )
        self.cell_head = self._add(
            styles, "BC Đầu bảng", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
        )

    def _add(
        self,
        styles,
        name,
        *,
        size=None,
        bold=None,
        italic=None,
        align=None,
        before=None,
        after=None,
        keep=False,
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.normal
        style.quick_style = True
        if size:
            style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        paragraph = style.paragraph_format
        if align is not None:
            paragraph.alignment = align
            # Centred and table text has no first-line indent.
            paragraph.first_line_indent = Cm(0)
        if before is not None:
            paragraph.space_before = Pt(before)
        if after is not None:
            paragraph.space_after = Pt(after)
        if keep:
            paragraph.keep_with_next = True
        return style


@dataclass
class ReportText:
    """What one report says: the stored figures, the narrative sections, the number and
    date once issued (empty and None in a draft), and the signature block."""

    figures: dict
    area_summaries: dict
    shortcomings: str
    proposals: str
    signer_title: str
    signer_authority: str = ""
    signer_authority_of: str = ""
    signer_name: str = ""
    number: str = ""
    dated: datetime.date | None = None


# Decree 30/2020/NĐ-CP, Appendix I, part II: the agency's name has "phía dưới có đường kẻ
# ngang, nét liền, có độ dài bằng từ 1/3 đến 1/2 độ dài của dòng chữ và đặt cân đối so với
# dòng chữ"; the Tiêu ngữ has "phía dưới có đường kẻ ngang, nét liền, có độ dài bằng độ dài
# của dòng chữ". The agency's line is drawn at 2/5 of its name, the motto's at its length.
AGENCY_RULE_SHARE = 0.4
MOTTO_RULE_SHARE = 1.0
HEADING_SIZE = 13
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
HEADER_WIDTHS = (Mm(65), Mm(100))
# The width between the margins: of a page, and of a landscape page (the appendix).
BODY_WIDTH = PAGE_WIDTH - MARGINS["left_margin"] - MARGINS["right_margin"]
APPENDIX_WIDTH = PAGE_HEIGHT - MARGINS["left_margin"] - MARGINS["right_margin"]
# Room for the signature and seal between the signer's title and name.
SIGNATURE_SPACE = Cm(2.8)


class _Writer:
    def __init__(self, text: ReportText):
        self.text = text
        self.figures = text.figures
        self.document = Document()
        self.styles = _Styles(self.document)
        self.symbol = document_symbol(self.figures["coordinating_agency"])
        self.agency_name = self.figures["coordinating_agency"]["name"]
        self.prototypes = {}

    def build(self) -> bytes:
        self._page()
        self._header()
        self._title()
        # Running text goes in before this paragraph, which then stays as the blank
        # line above the signature block.
        self.anchor = self.document.add_paragraph()
        self._opening()
        self._results()
        self._lines(SECTION_HEADINGS[1], self.text.shortcomings)
        self._next_period()
        self._lines(SECTION_HEADINGS[3], self.text.proposals)
        self.para(
            f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {self.figures['plan']['number']} "
            f"{self.figures['period']['name']}, {self.agency_name} kính báo cáo "
            f"{self.figures['plan']['issuer']}./."
        )
        self._signature()
        self._appendix()
        output = io.BytesIO()
        self.document.save(output)
        return output.getvalue()

    def para(self, text, style=None, *, bold=None):
        """A paragraph of one run, added before the anchor: a copy of the first one of
        its kind, which python-docx made."""
        key = (style.name if style is not None else None, bold)
        prototype = self.prototypes.get(key)
        if prototype is None:
            paragraph = self.anchor.insert_paragraph_before(PLACEHOLDER, style)
            paragraph.runs[0].bold = bold
            prototype = self.prototypes[key] = paragraph._p
            prototype.getparent().remove(prototype)
        paragraph = copy.deepcopy(prototype)
        _put_text(next(paragraph.iter(W_T)), _text(text))
        self.anchor._p.addprevious(paragraph)
        return Paragraph(paragraph, self.anchor._parent)

    # Page and running header.

    def _page(self):
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        for name, value in MARGINS.items():
            setattr(section, name, value)
        section.header_distance = section.footer_distance = Mm(10)
        # Decree 30: the page number in the middle of the top margin, from page 2 on.
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.style = self.styles.block
        _add_page_field(header)

    def _two_columns(self, *widths):
        """A borderless one-row table of two fixed-width cells (heading, signature)."""
        table = self.document.add_table(rows=1, cols=2)
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        cells = table.rows[0].cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        return table, *cells

    # Heading block: issuer and national title with their short lines, number and date.

    def _header(self):
        table, left, right = self._two_columns(*HEADER_WIDTHS)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        issuer = self.figures["plan"]["issuer"]
        agency = self.agency_name.upper()
        number = self.text.number or f"     /{self.symbol}"
        self._cell_lines(left, [(issuer.upper(), False, False), (agency, True, False)])
        _rule(left.add_paragraph(), self.styles.rule, HEADER_WIDTHS[0], agency, AGENCY_RULE_SHARE)
        self._cell_lines(left, [(f"Số: {number}", False, False)], first=False)
        place = place_of(issuer)
        if self.text.dated:
            date_line = f"{place}, {date_line_date(self.text.dated)}"
        else:
            # A draft: the day and month are written in by hand when it is signed.
            date_line = (
                f"{place}, ngày      tháng      năm {datetime.date.fromisoformat(self.figures['as_of']).year}"
            )
        self._cell_lines(right, [(NATIONAL_TITLE, True, False), (MOTTO, True, False)])
        _rule(right.add_paragraph(), self.styles.rule, HEADER_WIDTHS[1], MOTTO, MOTTO_RULE_SHARE)
        self._cell_lines(right, [(date_line, False, True)], first=False)

    def _cell_lines(self, cell, lines, style=None, *, first=True):
        style = style or self.styles.block
        for text, bold, italic in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.style = style
            if text:
                run = paragraph.add_run(_text(text))
                run.bold = bold or None
                run.italic = italic or None

    def _title(self):
        period = self.figures["period"]
        self.document.add_paragraph("BÁO CÁO", self.styles.doc_type)
        subject = self.document.add_paragraph(
            _text(f"Kết quả thực hiện Kế hoạch số {self.figures['plan']['number']} {period['name']}"),
            self.styles.subject,
        )
        subject.paragraph_format.space_after = Pt(0)
        self.document.add_paragraph(
            period_dates(self.figures), self.styles.centre
        ).paragraph_format.space_after = Pt(0)
        # Decree 30: a line under the subject, 1/3 to 1/2 as long as it.
        _rule(
            self.document.add_paragraph(),
            self.styles.title_rule,
            BODY_WIDTH,
            subject.text,
            AGENCY_RULE_SHARE,
            14,
        )

    # Body.

    def _opening(self):
        figures = self.figures
        as_of = dmy(day_of(figures["as_of"]))
        self.para(
            f"Thực hiện {plan_citation(figures['plan'])}, {self.agency_name} báo cáo kết quả thực hiện "
            f"{figures['period']['name']} (số liệu tính đến ngày {as_of}) như sau:"
        )

    def _results(self):
        figures = self.figures
        counts, groups = figures["counts"], figures["groups"]
        backlog_total = sum(figures["backlog"].values())
        total = sum(counts.values())
        self.para(SECTION_HEADINGS[0], self.styles.section)
        self.para(RESULT_HEADINGS[0], self.styles.area)
        if total:
            done, in_term, overdue = (groups[str(group)] for group in StatusGroup)
            self.para(
                f"Trong kỳ có {total} hạn thực hiện nhiệm vụ ({total - backlog_total} hạn đến trong kỳ, "
                f"{backlog_total} hạn chưa hoàn thành từ các kỳ trước), trong đó: đã hoàn thành {done} "
                f"(đúng hạn {counts[DeadlineStatus.DONE_ON_TIME]}, "
                f"quá hạn {counts[DeadlineStatus.DONE_LATE]}); "
                f"chưa hoàn thành {in_term + overdue} (trong hạn {in_term}, gồm sắp đến hạn "
                f"{counts[DeadlineStatus.DUE_SOON]} và chưa đến hạn {counts[DeadlineStatus.NOT_YET_DUE]}; "
                f"quá hạn {overdue})."
            )
            paragraph = self.para(
                f"Tỷ lệ chưa hoàn thành, quá hạn: {percent_vi(figures['overdue_share'])}", bold=True
            )
            paragraph.add_run(f" ({counts[DeadlineStatus.OVERDUE]} trên {total} hạn).")
        else:
            self.para("Trong kỳ không có hạn thực hiện nhiệm vụ nào, nên chưa tính tỷ lệ quá hạn.")
        self.para(RESULT_HEADINGS[1], self.styles.area)
        if figures["agencies"]:
            self._agency_table()
        else:
            self.para("Không có cơ quan nào có hạn trong kỳ.")
        self.para(RESULT_HEADINGS[2], self.styles.area)
        for area in figures["areas"]:
            self.para(f"{area['number']}. {area['title']}", self.styles.task)
            summary = self.text.area_summaries.get(str(area["number"]), "")
            for line in _lines_of(summary) or ["…"]:
                self.para(line)

    def _agency_table(self):
        rows = [
            [
                str(number),
                row["agency"],
                str(row["total"]),
                str(row["counts"][DeadlineStatus.DONE_ON_TIME]),
                str(row["counts"][DeadlineStatus.DONE_LATE]),
                str(row["in_term"]),
                str(row["counts"][DeadlineStatus.OVERDUE]),
                percent_vi(row["on_time_share"]),
                str(row["rank"]),
            ]
            for number, row in enumerate(self.figures["agencies"], start=1)
        ]
        table = self._grid(AGENCY_COLUMNS, rows, numeric_from=2)
        self.anchor._p.addprevious(table._tbl)
        # A table is followed by a paragraph, so that the next heading keeps its space.
        self.para("", self.styles.section_end)

    def _grid(self, columns, rows, *, numeric_from=None):
        """A bordered table with a header row repeated on each page; the body rows are
        copies of one row python-docx made."""
        table = self.document.add_table(rows=1, cols=len(columns))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, (_, width) in zip(table.columns, columns, strict=True):
            column.width = width
        header = table.rows[0]
        _repeat_as_header(header)
        for cell, (label, width) in zip(header.cells, columns, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = self.styles.cell_head
            paragraph.add_run(label)
        prototype = table.add_row()
        for index, cell in enumerate(prototype.cells):
            numeric = numeric_from is not None and (index == 0 or index >= numeric_from)
            cell.paragraphs[0].style = self.styles.cell_number if numeric else self.styles.cell
            cell.paragraphs[0].add_run(PLACEHOLDER)
        prototype = prototype._tr
        body = prototype.getparent()
        body.remove(prototype)
        for values in rows:
            row = copy.deepcopy(prototype)
            for text_element, value in zip(row.iter(W_T), values, strict=True):
                _put_text(text_element, _text(value))
            body.append(row)
        return table

    def _lines(self, heading, text):
        self.para(heading, self.styles.section)
        for line in _lines_of(text) or ["…"]:
            self.para(line)

    def _next_period(self):
        following = self.figures["next_period"]
        self.para(SECTION_HEADINGS[2], self.styles.section)
        upcoming = self.figures["upcoming"]
        if not upcoming:
            self.para(NO_UPCOMING)
            return
        self.para(
            f"Trong {following['name']} ({following['span']}) có {len(upcoming)} hạn thực hiện nhiệm vụ; "
            "đề nghị các cơ quan chủ trì tập trung thực hiện và báo cáo đúng hạn:"
        )
        for item in upcoming:
            self.para(
                f"- {item['code']}. {item['title']} ({item['agency']}; hạn {dmy(day_of(item['due_on']))})."
            )

    def _signature(self):
        text = self.text
        signature, left, right = self._two_columns(Mm(85), Mm(80))
        left.paragraphs[0].style = self.styles.recipients_head
        left.paragraphs[0].add_run("Nơi nhận:")
        issuer = self.figures["plan"]["issuer"]
        for line in (f"- {issuer} (để báo cáo);", "- Lưu: VT."):
            left.add_paragraph(_text(line), self.styles.recipients)
        lines = []
        if text.signer_authority:
            lines.append(f"{text.signer_authority} {text.signer_authority_of}".upper())
        lines.append(text.signer_title.upper())
        first = right.paragraphs[0]
        for index, line in enumerate(lines):
            paragraph = first if index == 0 else right.add_paragraph()
            paragraph.style = self.styles.signer
            paragraph.add_run(_text(line))
        # Decree 30: the signer's name under the room for the signature and seal.
        name = right.add_paragraph(_text(text.signer_name), self.styles.signer)
        name.paragraph_format.space_before = SIGNATURE_SPACE
        # The block is not broken across pages.
        signature.rows[0].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        _cant_split(signature.rows[0])

    # Appendix: the period's deadlines and the agencies to commend and remind, on
    # landscape pages.

    def _appendix(self):
        figures, text = self.figures, self.text
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        # The empty paragraph that ends the report's section is made a point high, so
        # that it never spills onto a page of its own below the signature block.
        section_end = self.document.element.body.sectPr.getprevious()
        Paragraph(section_end, self.anchor._parent).style = self.styles.section_end
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        section.different_first_page_header_footer = False
        # Decree 30, Appendix I: the word "Phụ lục" on its own line, the appendix's
        # title in capitals, "(Kèm theo …)" in italics, and a short line under them.
        self.document.add_paragraph("Phụ lục", self.styles.doc_type).paragraph_format.space_before = Pt(0)
        title = "DANH MỤC HẠN THỰC HIỆN NHIỆM VỤ VÀ CƠ QUAN ĐỀ NGHỊ BIỂU DƯƠNG, NHẮC NHỞ"
        self.document.add_paragraph(title, self.styles.subject).paragraph_format.space_after = Pt(0)
        number = text.number or f"     /{self.symbol}"
        dated = dmy(text.dated) if text.dated else "     /     /    "
        attached = self.document.add_paragraph(
            _text(f"(Kèm theo Báo cáo số {number} ngày {dated} của {self.agency_name})"), self.styles.centre
        )
        attached.runs[0].italic = True
        attached.paragraph_format.space_after = Pt(0)
        _rule(
            self.document.add_paragraph(),
            self.styles.title_rule,
            APPENDIX_WIDTH,
            title,
            AGENCY_RULE_SHARE,
            14,
        )

        self.document.add_paragraph(APPENDIX_HEADINGS[0], self.styles.area)
        rows = [
            [
                str(number),
                item["code"],
                item["title"],
                item["agency"],
                item["period_label"],
                dmy(day_of(item["due_on"])),
                item["status_label"],
                BACKLOG_NOTE if item["backlog"] else "",
            ]
            for number, item in enumerate(figures["deadlines"], start=1)
        ]
        self._grid(APPENDIX_COLUMNS, rows)
        self.document.add_paragraph(
            APPENDIX_HEADINGS[1], self.styles.area
        ).paragraph_format.space_before = Pt(6)
        for name in figures["commend"] or [NO_COMMENDATION]:
            self.document.add_paragraph(_text(f"- {name}" if figures["commend"] else name))
        self.document.add_paragraph(APPENDIX_HEADINGS[2], self.styles.area)
        for item in figures["remind"]:
            self.document.add_paragraph(_text(f"- {item['agency']}: {item['overdue']} hạn nhiệm vụ quá hạn"))
        if not figures["remind"]:
            self.document.add_paragraph(NO_OVERDUE)


def _lines_of(text: str) -> list[str]:
    """The paragraphs of a narrative section: one a line (only line feeds end a line; other
    control characters are dropped by ``_text``)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip()]


def _rule(paragraph, style, cell_width, text_above: str, share: float, size: float = HEADING_SIZE) -> None:
    """A short horizontal line under ``text_above`` (Times New Roman Bold, ``size`` pt),
    ``share`` of its length and centred on it: the bottom border of an empty paragraph
    narrowed by equal indents."""
    paragraph.style = style
    # A text longer than its cell (or page) wraps: the line follows the width then.
    length = int(min(Pt(bold_text_width(text_above, size)), cell_width) * share)
    margin = max((cell_width - length) // 2, 0)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = margin
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    # pBdr comes before spacing, indents and alignment in a paragraph's properties.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_BORDERS)


_AFTER_BORDERS = tuple(
    f"w:{name}"
    for name in (
        "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
        "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
        "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ).split()
)


def _cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _put_text(element, text: str) -> None:
    """Replace the placeholder text of a copied run. Tabs and line breaks are elements
    of their own, which python-docx's run text setter makes."""
    if "\t" in text or "\n" in text or "\r" in text:
        Run(element.getparent(), None).text = text
    else:
        element.text = text


def _add_page_field(paragraph) -> None:
    """A PAGE field, which python-docx has no API for: begin, instruction, end."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text


def _repeat_as_header(row) -> None:
    """Repeat the row at the top of each page: the one row flag python-docx has no API for."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def province_report_docx(figures: dict, *, today: datetime.date) -> bytes:
    """The report straight from the figures, its narrative as first drafted and its
    signature block from the settings, dated ``today`` (``export_report``, and the
    overview's download of the current figures)."""
    text = ReportText(
        figures=figures,
        **periodic_report_drafts(figures),
        signer_authority=settings.REPORT_SIGNER_AUTHORITY,
        signer_authority_of=settings.REPORT_SIGNER_AUTHORITY_OF,
        signer_title=settings.REPORT_SIGNER_TITLE,
        signer_name=settings.REPORT_SIGNER_NAME,
        dated=today,
    )
    return _Writer(text).build()


def periodic_report_docx(report) -> bytes:
    """A periodic report record as the bytes of a .docx file: its stored figures and
    narrative; number and date once issued, blank in a draft."""
    text = ReportText(
        figures=report.figures,
        area_summaries=report.area_summaries,
        shortcomings=report.shortcomings,
        proposals=report.proposals,
        signer_authority=report.signer_authority,
        signer_authority_of=report.signer_authority_of,
        signer_title=report.signer_title,
        signer_name=report.signer_name,
        number=report.number if report.is_issued else "",
        dated=report.issued_on if report.is_issued else None,
    )
    return _Writer(text).build()
