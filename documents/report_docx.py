"""The province's periodic report on a plan as a Word document, laid out as Decree
30/2020/NĐ-CP asks of an administrative document: A4, Times New Roman, the issuer and
the national title side by side, number and symbol, place and date, signature block,
page numbers from the second page on.

Everything is made with python-docx. Two things it has no API for are added as single
elements: the PAGE field of the page numbers and the "repeat as header row" flag of
the appendix table.

A plan of 10,000 tasks makes some 65,000 paragraphs and 70,000 table cells, and
python-docx spends a fraction of a millisecond on every element it creates (its
``add_paragraph`` also looks for the end of the body each time, and its paragraph
``style`` setter scans every style of the document). So python-docx makes the first
paragraph of each kind and the first appendix row, and the others are copies of them
(``copy.deepcopy``, as python-docx itself copies section properties) with their text
replaced, inserted before an anchor paragraph. Text with tabs or line breaks still
goes through python-docx's run text setter. The whole document takes a few seconds.
"""

import copy
import datetime
import io
import re

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

from documents.selectors import ProvinceReport, ReportTask
from plans.models import DeadlineStatus, ProgressReport, StatusGroup

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top_margin": Mm(20), "bottom_margin": Mm(20), "left_margin": Mm(30), "right_margin": Mm(15)}
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NO_ACCEPTED_REPORT = "Chưa có báo cáo được xác nhận trong kỳ."
NO_OVERDUE = "Không có nhiệm vụ quá hạn."
SECTION_HEADINGS = (
    "I. KHÁI QUÁT CHUNG",
    "II. KẾT QUẢ THỰC HIỆN THEO TỪNG NỘI DUNG",
    "III. CÁC NHIỆM VỤ QUÁ HẠN",
)
APPENDIX_COLUMNS = [
    ("STT", Mm(13)),
    ("Mã", Mm(20)),
    ("Nhiệm vụ", Mm(67)),
    ("Cơ quan chủ trì", Mm(36)),
    ("Cơ quan phối hợp", Mm(42)),
    ("Thời hạn", Mm(30)),
    ("Tình hình trong kỳ", Mm(44)),
]

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


def document_symbol(agency) -> str:
    return f"BC-{agency.document_symbol}" if agency.document_symbol else "BC"


def file_name(report: ProvinceReport) -> str:
    """A safe ASCII file name: "BC-139-KH-UBND-2020.docx"."""
    number = re.sub(r"[^A-Za-z0-9]+", "-", report.plan.number).strip("-") or "KH"
    return f"BC-{number}-{report.period.code}.docx"


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


class _Writer:
    def __init__(self, report: ProvinceReport, today: datetime.date):
        self.report = report
        self.today = today
        self.document = Document()
        self.styles = _Styles(self.document)
        self.symbol = document_symbol(report.coordinating_agency)
        self.prototypes = {}

    def build(self) -> bytes:
        self._page()
        self._header()
        self._title()
        # Running text goes in before this paragraph, which then stays as the blank
        # line above the signature block.
        self.anchor = self.document.add_paragraph()
        self._overview()
        self._results()
        self._overdue()
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

    # Heading block: issuer and national title, number and date.

    def _header(self):
        table, left, right = self._two_columns(Mm(65), Mm(100))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        agency = self.report.coordinating_agency
        self._cell_lines(
            left,
            [
                (self.report.plan.issuer.upper(), False, False),
                (agency.name.upper(), True, False),
                ("", False, False),
                (f"Số:      /{self.symbol}", False, False),
            ],
        )
        place = place_of(self.report.plan.issuer)
        self._cell_lines(
            right,
            [
                ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
                ("Độc lập - Tự do - Hạnh phúc", True, False),
                ("", False, False),
                (f"{place}, {date_line_date(self.today)}", False, True),
            ],
        )

    def _cell_lines(self, cell, lines, style=None):
        style = style or self.styles.block
        first = True
        for text, bold, italic in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.style = style
            if text:
                run = paragraph.add_run(_text(text))
                run.bold = bold or None
                run.italic = italic or None

    def _title(self):
        report = self.report
        period = report.period
        self.document.add_paragraph("BÁO CÁO", self.styles.doc_type)
        self.document.add_paragraph(
            _text(f"Kết quả thực hiện Kế hoạch số {report.plan.number} {period.name} ({period.span})"),
            self.styles.subject,
        )
        subject = self.document.add_paragraph(_text(report.plan.title), self.styles.centre)
        subject.paragraph_format.space_after = Pt(0)
        self.document.add_paragraph("―――――――", self.styles.centre)

    # Body.

    def _overview(self):
        report = self.report
        counts = report.status_counts
        self.para(SECTION_HEADINGS[0], self.styles.section)
        as_of = f"Số liệu tính đến ngày {dmy(report.today)}."
        period = f"Trong {report.period.name} (từ {dmy(report.period.start)} đến {dmy(report.period.end)})"
        if report.total:
            figures = report.figures
            groups, carried = figures.groups, figures.backlog_total
            done, in_term, overdue = (groups[g] for g in StatusGroup)
            self.para(
                f"{as_of} {period}, Kế hoạch số {report.plan.number} có {report.total} hạn thực hiện "
                f"nhiệm vụ ({report.total - carried} hạn trong kỳ, {carried} hạn chưa hoàn thành từ các kỳ "
                f"trước), trong đó: đã hoàn thành {done} (đúng hạn {counts[DeadlineStatus.DONE_ON_TIME]}, "
                f"quá hạn {counts[DeadlineStatus.DONE_LATE]}); chưa hoàn thành {in_term + overdue} "
                f"(trong hạn {in_term}, gồm sắp đến hạn {counts[DeadlineStatus.DUE_SOON]} và chưa đến hạn "
                f"{counts[DeadlineStatus.NOT_YET_DUE]}; quá hạn {overdue})."
            )
        else:
            self.para(f"{as_of} {period}, Kế hoạch số {report.plan.number} không có hạn nào.")
        share = report.overdue_share
        if share is None:
            self.para("Trong kỳ không có hạn nào, nên chưa tính tỷ lệ quá hạn.", bold=True)
        else:
            paragraph = self.para(f"Tỷ lệ chưa hoàn thành, quá hạn: {percent_vi(share)}", bold=True)
            paragraph.add_run(f" ({counts[DeadlineStatus.OVERDUE]} trên {report.total} hạn).")

    def _results(self):
        self.para(SECTION_HEADINGS[1], self.styles.section)
        for area in self.report.areas:
            self.para(f"{area.number}. {area.title}", self.styles.area)
            if not area.tasks:
                self.para("Nội dung này chưa có nhiệm vụ.")
            for task in area.tasks:
                self._task(task)

    def _task(self, task: ReportTask):
        self.para(f"{task.code}. {task.title}", self.styles.task)
        self.para(f"Cơ quan chủ trì: {task.lead_agency}.")
        self.para(f"Cơ quan phối hợp: {', '.join(task.cooperating_agencies) or 'không có'}.")
        self.para(f"Thời hạn: {task.schedule_display}.")
        self.para(f"Tình hình trong kỳ: {task.period_status}.")
        if task.narrative is None:
            self.para(NO_ACCEPTED_REPORT)
        elif task.narrative.strip():
            self.para(f"Kết quả: {task.narrative.strip()}")
        else:
            self.para(f"Kết quả: {_report_state_line(task)}")

    def _overdue(self):
        self.para(SECTION_HEADINGS[2], self.styles.section)
        if not self.report.overdue_by_agency:
            self.para(NO_OVERDUE)
        for number, group in enumerate(self.report.overdue_by_agency, start=1):
            self.para(f"{number}. {group.agency}: {len(group.items)} hạn quá hạn", self.styles.area)
            for item in group.items:
                deadline = item.deadline
                # A one-off deadline's label is its date already ("Thời hạn 31/05/2020").
                period = "" if deadline.period_label.startswith("Thời hạn") else f"{deadline.period_label}, "
                moved = f" (hết hạn {dmy(deadline.ends_on)})" if deadline.ends_on != deadline.due_on else ""
                self.para(
                    f"- {item.task.code}. {item.task.title} – {period}hạn {dmy(deadline.due_on)}{moved}, "
                    f"quá hạn {deadline.days_overdue} ngày."
                )

    def _signature(self):
        signature, left, right = self._two_columns(Mm(85), Mm(80))
        left.paragraphs[0].style = self.styles.recipients_head
        left.paragraphs[0].add_run("Nơi nhận:")
        for line in ("- UBND tỉnh (để báo cáo);", "- Lưu: VT."):
            left.add_paragraph(line, self.styles.recipients)
        right.paragraphs[0].style = self.styles.block
        right.paragraphs[0].add_run("GIÁM ĐỐC").bold = True
        # Room for the signature and seal: a row of exact height, which is not broken
        # across pages (its empty part would otherwise make a page of its own).
        signature.rows[0].height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
        signature.rows[0].height = Cm(4.5)

    # Appendix: every task, on landscape pages.

    def _appendix(self):
        report = self.report
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        # The empty paragraph that ends the report's section is made a point high, so
        # that it never spills onto a page of its own below the signature block.
        # (``document.paragraphs[-1]`` would list every paragraph: it is the one just
        # before the body's closing section properties.)
        section_end = self.document.element.body.sectPr.getprevious()
        Paragraph(section_end, self.anchor._parent).style = self.styles.section_end
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        section.different_first_page_header_footer = False
        self.document.add_paragraph("PHỤ LỤC", self.styles.doc_type).paragraph_format.space_before = Pt(0)
        self.document.add_paragraph(
            _text(
                f"Danh mục nhiệm vụ của Kế hoạch số {report.plan.number}, {report.period.name} "
                f"({report.period.span})"
            ),
            self.styles.subject,
        ).paragraph_format.space_after = Pt(0)
        self.document.add_paragraph(
            _text(
                f"(Kèm theo Báo cáo số      /{self.symbol} ngày {dmy(self.today)} "
                f"của {report.coordinating_agency.name})"
            ),
            self.styles.centre,
        ).runs[0].italic = True

        table = self.document.add_table(rows=1, cols=len(APPENDIX_COLUMNS))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, (_, width) in zip(table.columns, APPENDIX_COLUMNS, strict=True):
            column.width = width
        header = table.rows[0]
        _repeat_as_header(header)
        for cell, (label, width) in zip(header.cells, APPENDIX_COLUMNS, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = self.styles.cell_head
            paragraph.add_run(label)
        # One row made with python-docx, then copied for each task.
        prototype = table.add_row()
        for cell in prototype.cells:
            cell.paragraphs[0].style = self.styles.cell
            cell.paragraphs[0].add_run(PLACEHOLDER)
        prototype = prototype._tr
        rows = prototype.getparent()
        rows.remove(prototype)
        for number, task in enumerate(report.tasks, start=1):
            values = (
                str(number),
                task.code,
                task.title,
                task.lead_agency,
                ", ".join(task.cooperating_agencies),
                task.schedule_display,
                task.period_status,
            )
            row = copy.deepcopy(prototype)
            for text_element, value in zip(row.iter(W_T), values, strict=True):
                _put_text(text_element, _text(value))
            rows.append(row)


def _put_text(element, text: str) -> None:
    """Replace the placeholder text of a copied run. Tabs and line breaks are elements
    of their own, which python-docx's run text setter makes."""
    if "\t" in text or "\n" in text or "\r" in text:
        Run(element.getparent(), None).text = text
    else:
        element.text = text


def _report_state_line(task: ReportTask) -> str:
    state = ProgressReport.State(task.report_state).label if task.report_state else ""
    return f"{state} ({task.report_percent}%), báo cáo không nêu chi tiết kết quả."


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


def province_report_docx(report: ProvinceReport, *, today: datetime.date) -> bytes:
    """The report as the bytes of a .docx file, dated ``today``."""
    return _Writer(report, today).build()
