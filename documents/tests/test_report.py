"""The province's periodic report: periods, the selector, the Word document (read back
with python-docx, and printed to PDF by LibreOffice), the download and the command.

The plan below is reported on for 2020 as of 15/07/2020:

- area 1: task 1.2 (A leads; B and C cooperate) done on time with an accepted report;
  task 1.10 (A) with a quarter overdue, one done late, one in progress and one not yet
  due in 2020, plus a 2019 deadline and a 2021 one that the report leaves out; task 1.3
  (C) in progress with a report still waiting for confirmation;
- area 2: tasks 2.1 and 2.3 (B) overdue, task 2.2 (C) due only in 2021;
- area 3: no task.
"""

import datetime
import io
import os
import pathlib
import shutil
import subprocess
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from pypdf import PdfReader

from documents import selectors as document_selectors
from documents.report_docx import (
    AGENCY_COLUMNS,
    APPENDIX_COLUMNS,
    APPENDIX_HEADINGS,
    BACKLOG_NOTE,
    CONTENT_TYPE,
    FONT,
    NO_COMMENDATION,
    NO_OVERDUE,
    RESULT_HEADINGS,
    SECTION_HEADINGS,
    ReportText,
    _Writer,
    bold_text_width,
    date_line_date,
    province_report_docx,
)
from plans import selectors
from plans.models import Agency, Deadline, DeadlineStatus, Plan
from plans.periods import ReportPeriod
from plans.tests.environment import require
from plans.tests.factories import (
    AgencyFactory,
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    local_datetime,
)

D = datetime.date
TODAY = D(2020, 7, 15)
YEAR_2020 = ReportPeriod.parse("2020")


# Periods are tested in plans/tests/test_periods.py.


@pytest.mark.parametrize(
    "day, text",
    [
        (D(2020, 1, 5), "ngày 05 tháng 01 năm 2020"),
        (D(2020, 2, 5), "ngày 05 tháng 02 năm 2020"),
        (D(2020, 3, 15), "ngày 15 tháng 3 năm 2020"),
        (D(2020, 12, 9), "ngày 09 tháng 12 năm 2020"),
        (D(2020, 10, 31), "ngày 31 tháng 10 năm 2020"),
    ],
)
def test_date_line_uses_leading_zeros_as_decree_30_says(day, text):
    assert date_line_date(day) == text


# The plan reported on.


def deadline(task, due_on, label, period_start=None):
    return Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due_on,
        period_start=period_start or due_on.replace(month=1, day=1),
        period_label=label,
    )


@pytest.fixture
def coordinator_agency():
    agency = AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="Sở Ngoại vụ")
    agency.document_symbol = "SNgV"
    agency.save()
    return agency


@pytest.fixture
def plan(coordinator_agency):
    a = AgencyFactory(code="so-tttt", name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT")
    b = AgencyFactory(code="muong-nhe", name="Huyện Mường Nhé", short_name="Mường Nhé")
    c = AgencyFactory(code="cong-an", name="Công an tỉnh", short_name="Công an tỉnh")
    plan = PlanFactory(
        number="139/KH-UBND",
        title="Kế hoạch hành động triển khai công tác đối ngoại (dữ liệu mẫu của phép thử)",
        coordinating_agency=coordinator_agency,
    )
    area1 = ContentAreaFactory(plan=plan, number=1, title="Lãnh đạo, chỉ đạo (mẫu)")
    area2 = ContentAreaFactory(plan=plan, number=2, title="Ngoại giao kinh tế (mẫu)")
    ContentAreaFactory(plan=plan, number=3, title="Ngoại giao văn hóa (mẫu)")

    task = TaskFactory(
        area=area1, code="1.2", title="Tổ chức hội nghị triển khai", lead_agency=a, due_on=D(2020, 3, 31)
    )
    task.cooperating_agencies.add(c, b)
    done = deadline(task, D(2020, 3, 31), "Thời hạn 31/03/2020")
    ProgressReportFactory(
        deadline=done, submitted_at=local_datetime(D(2020, 3, 20)), narrative="Đã tổ chức hội nghị."
    )

    task = TaskFactory(
        area=area1, code="1.10", title="Báo cáo hằng quý", lead_agency=a, schedule="quarterly", due_on=None
    )
    old = deadline(task, D(2019, 12, 31), "Quý IV/2019", D(2019, 10, 1))  # outside 2020, overdue
    ProgressReportFactory(
        deadline=old, submitted_at=local_datetime(D(2020, 7, 10)), narrative="Báo cáo của năm 2019."
    )
    deadline(task, D(2020, 3, 31), "Quý I/2020")  # overdue
    late = deadline(task, D(2020, 6, 30), "Quý II/2020", D(2020, 4, 1))
    ProgressReportFactory(
        deadline=late, submitted_at=local_datetime(D(2020, 7, 5)), narrative="Hoàn thành muộn."
    )
    deadline(task, D(2020, 9, 30), "Quý III/2020", D(2020, 7, 1))  # in progress
    deadline(task, D(2020, 12, 31), "Quý IV/2020", D(2020, 10, 1))  # not yet due
    deadline(task, D(2021, 3, 31), "Quý I/2021", D(2021, 1, 1))  # after 2020

    task = TaskFactory(
        area=area1,
        code="1.3",
        title="Rà soát quy chế",
        lead_agency=c,
        schedule="yearly",
        due_on=None,
        due_day=15,
        due_month=12,
    )
    pending = deadline(task, D(2020, 12, 15), "Năm 2020")
    ProgressReportFactory(deadline=pending, pending=True, narrative="Chưa được xác nhận.")

    task = TaskFactory(area=area2, code="2.1", title="Xúc tiến đầu tư", lead_agency=b, due_on=D(2020, 5, 31))
    deadline(task, D(2020, 5, 31), "Thời hạn 31/05/2020")
    task = TaskFactory(
        area=area2, code="2.2", title="Hội chợ biên giới", lead_agency=c, due_on=D(2021, 6, 30)
    )
    deadline(task, D(2021, 6, 30), "Thời hạn 30/06/2021")
    task = TaskFactory(
        area=area2, code="2.3", title="Đón đoàn Phongsaly", lead_agency=b, due_on=D(2020, 6, 30)
    )
    deadline(task, D(2020, 6, 30), "Thời hạn 30/06/2020")
    return plan


def figures_of(plan, period=YEAR_2020, today=TODAY):
    return document_selectors.periodic_report_figures_get(
        plan=plan, period=period, dates=selectors.status_dates_get(today=today)
    )


def build(plan, period=YEAR_2020, today=TODAY):
    figures = figures_of(plan, period, today)
    return figures, Document(io.BytesIO(province_report_docx(figures, today=today)))


def body_texts(document):
    return [paragraph.text for paragraph in document.paragraphs]


def following(texts, start, count):
    index = texts.index(start)
    return texts[index + 1 : index + 1 + count]


# The selector.


@pytest.mark.django_db
def test_selector_counts_only_the_periods_deadlines(plan):
    report = document_selectors.province_report_get(
        plan=plan, period=YEAR_2020, dates=selectors.status_dates_get(today=TODAY)
    )
    # Year 2020 under Decree 09 runs from 15/12/2019 to 14/12/2020: Quý IV/2019 (due
    # 31/12/2019) is in it, Quý IV/2020 and 1.3 (due 15/12/2020) are not.
    assert report.status_counts == {
        DeadlineStatus.OVERDUE: 3,
        DeadlineStatus.DUE_SOON: 0,
        DeadlineStatus.NOT_YET_DUE: 1,
        DeadlineStatus.DONE_LATE: 2,
        DeadlineStatus.DONE_ON_TIME: 1,
    }
    assert report.backlog_counts == dict.fromkeys(report.status_counts, 0)
    assert report.overdue_share == pytest.approx(3 / 7)
    assert [area.number for area in report.areas] == [1, 2, 3]
    assert [task.code for task in report.areas[0].tasks] == ["1.2", "1.3", "1.10"]
    quarterly = report.areas[0].tasks[2]
    assert [d.period_label for d in quarterly.deadlines] == [
        "Quý IV/2019",
        "Quý I/2020",
        "Quý II/2020",
        "Quý III/2020",
    ]
    # The latest accepted report among the period's deadlines (Quý IV/2019's, sent 10/07).
    assert quarterly.narrative == "Báo cáo của năm 2019."
    assert report.areas[0].tasks[0].cooperating_agencies == ["Công an tỉnh", "Huyện Mường Nhé"]
    assert [(group.agency, len(group.items)) for group in report.overdue_by_agency] == [
        ("Huyện Mường Nhé", 2),
        ("Sở Thông tin và Truyền thông", 1),
    ]
    # 2.1 is due Sunday 31/05/2020, so it really ended on Monday 01/06 (Civil Code Art. 148).
    assert [item.deadline.days_overdue for item in report.overdue_by_agency[0].items] == [44, 15]
    assert [task.code for task in report.tasks] == ["1.2", "1.3", "1.10", "2.1", "2.2", "2.3"]


@pytest.mark.django_db
def test_selector_for_a_quarter(plan):
    report = document_selectors.province_report_get(
        plan=plan, period=ReportPeriod.parse("2020-Q2"), dates=selectors.status_dates_get(today=TODAY)
    )
    # Quý II/2020 runs from 15/03 to 14/06/2020, and its figures are those of 14/06.
    # Due in it: 1.2 (done on time), 1.10 Quý I (overdue), 2.1 (overdue). Carried over:
    # 1.10 Quý IV/2019, open on 15/03 (its report came on 10/07, after the cut-off).
    assert report.total == 4
    assert report.status_counts[DeadlineStatus.OVERDUE] == 3
    assert report.status_counts[DeadlineStatus.DONE_ON_TIME] == 1
    assert report.backlog_counts[DeadlineStatus.OVERDUE] == 1
    assert report.figures.backlog_total == 1
    quarterly = next(task for task in report.tasks if task.code == "1.10")
    assert [(d.period_label, d.status, d.backlog) for d in quarterly.deadlines] == [
        ("Quý IV/2019", DeadlineStatus.OVERDUE, True),
        ("Quý I/2020", DeadlineStatus.OVERDUE, False),
    ]


# The document.


def border_bottom(paragraph):
    borders = paragraph._p.pPr.find(qn("w:pBdr"))
    return None if borders is None else borders.find(qn("w:bottom"))


def rule_length(paragraph, cell):
    """The length of a short line drawn as a paragraph's bottom border: the cell's width
    less the paragraph's indents."""
    indents = paragraph.paragraph_format
    assert indents.left_indent == indents.right_indent  # centred
    return cell.width - indents.left_indent - indents.right_indent


@pytest.mark.django_db
def test_document_heading_block_and_title(plan):
    _, document = build(plan)
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH ĐIỆN BIÊN",
        "SỞ NGOẠI VỤ",
        "Số:      /BC-SNgV",
    ]
    assert left.paragraphs[1].runs[0].bold
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Điện Biên, ngày 15 tháng 7 năm 2020",
    ]
    assert right.paragraphs[0].runs[0].bold and right.paragraphs[1].runs[0].bold
    assert right.paragraphs[-1].runs[0].italic
    # The heading table has no borders (python-docx's default table style has none).
    assert document.tables[0].style.name == "Normal Table"

    texts = body_texts(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả thực hiện Kế hoạch số 139/KH-UBND năm 2020"
    assert texts[title + 2] == "(Số liệu từ ngày 15/12/2019 đến ngày 14/12/2020)"
    assert document.paragraphs[title].style.font.bold


@pytest.mark.django_db
def test_document_short_lines_under_the_agency_and_the_motto(plan):
    """Decree 30/2020/NĐ-CP, Appendix I: under the agency's name a solid line 1/3 to 1/2
    as long as the name, centred on it; under the Tiêu ngữ a solid line as long as it."""
    _, document = build(plan)
    left, right = document.tables[0].rows[0].cells
    name, agency_rule = left.paragraphs[1], left.paragraphs[2]
    motto, motto_rule = right.paragraphs[1], right.paragraphs[2]
    for rule in (agency_rule, motto_rule):
        assert rule.text == ""
        bottom = border_bottom(rule)
        assert bottom is not None and bottom.get(qn("w:val")) == "single"
        assert rule.alignment is None or rule.style.paragraph_format.alignment == 1  # centred
    # The texts above are set in Times New Roman Bold, 13 pt.
    assert left.paragraphs[1].style.font.size.pt == 13 and name.runs[0].bold
    name_width = Pt(bold_text_width(name.text, 13))
    motto_width = Pt(bold_text_width(motto.text, 13))
    assert 1 / 3 <= rule_length(agency_rule, left) / name_width <= 1 / 2
    assert rule_length(motto_rule, right) / motto_width == pytest.approx(1, abs=0.02)
    # The name is 30 mm or so wide, its line 12 mm; the motto about 60 mm.
    assert 25 < Emu(name_width).mm < 40 and 50 < Emu(motto_width).mm < 70
    assert border_bottom(left.paragraphs[0]) is None and border_bottom(right.paragraphs[0]) is None


def test_bold_text_width_follows_the_letters():
    assert bold_text_width("III", 10) < bold_text_width("MMM", 10)
    assert bold_text_width("SỞ NGOẠI VỤ", 13) == bold_text_width("SO NGOAI VU", 13)
    assert bold_text_width("Đ", 10) == bold_text_width("D", 10) == 7.22


@pytest.mark.django_db
def test_document_cites_the_plan_in_full_at_first_mention(plan):
    plan.source_note = "Tin của Trung tâm Thông tin tỉnh. Ban hành tháng 01/2019, tin không nêu ngày ký."
    plan.save()
    _, document = build(plan)
    texts = body_texts(document)
    first = next(text for text in texts if "139/KH-UBND" in text and text.startswith("Thực hiện"))
    assert first == (
        "Thực hiện Kế hoạch số 139/KH-UBND ngày … tháng 01 năm 2019 của UBND tỉnh Điện Biên về hành động "
        "triển khai công tác đối ngoại (dữ liệu mẫu của phép thử), Sở Ngoại vụ báo cáo kết quả thực hiện "
        "năm 2020 (số liệu tính đến ngày 15/07/2020) như sau:"
    )
    # It is the first paragraph of the body that names the plan, after the title.
    assert texts.index(first) < texts.index(SECTION_HEADINGS[0])
    plan.issued_on = D(2019, 1, 8)
    plan.save()
    texts = body_texts(build(plan)[1])
    assert any(
        text.startswith("Thực hiện Kế hoạch số 139/KH-UBND ngày 08 tháng 01 năm 2019 của") for text in texts
    )


@pytest.mark.django_db
def test_document_sections_in_the_order_of_a_provincial_report(plan):
    _, document = build(plan)
    texts = body_texts(document)
    positions = [texts.index(heading) for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)
    results = [texts.index(heading) for heading in RESULT_HEADINGS]
    assert positions[0] < results[0] < results[1] < results[2] < positions[1]
    summary, share = following(texts, RESULT_HEADINGS[0], 2)
    assert (
        "Trong kỳ có 7 hạn thực hiện nhiệm vụ (7 hạn đến trong kỳ, 0 hạn chưa hoàn thành từ các kỳ trước)"
        in (summary)
    )
    assert "đã hoàn thành 3 (đúng hạn 1, quá hạn 2)" in summary
    assert "chưa hoàn thành 4 (trong hạn 1, gồm sắp đến hạn 0 và chưa đến hạn 1; quá hạn 3)" in summary
    assert share == "Tỷ lệ chưa hoàn thành, quá hạn: 42,9% (3 trên 7 hạn)."
    # Per content area, the summary drafted from the reports accepted in the period.
    assert following(texts, "1. Lãnh đạo, chỉ đạo (mẫu)", 1) == [
        "- Sở Thông tin và Truyền thông (nhiệm vụ 1.2): Đã tổ chức hội nghị."
    ]
    assert following(texts, "3. Ngoại giao văn hóa (mẫu)", 1) == [document_selectors.NO_ACCEPTED_IN_PERIOD]
    # II: from the overdue list; III: the deadlines of 2021; IV: the agencies to remind.
    assert following(texts, SECTION_HEADINGS[1], 1)[0].startswith(
        "- Còn 3 hạn thực hiện nhiệm vụ chưa hoàn thành"
    )
    assert following(texts, SECTION_HEADINGS[2], 2) == [
        "Trong năm 2021 (15/12/2020–14/12/2021) có 4 hạn thực hiện nhiệm vụ; đề nghị các cơ quan chủ trì "
        "tập trung thực hiện và báo cáo đúng hạn:",
        "- 1.3. Rà soát quy chế (Công an tỉnh; hạn 15/12/2020).",
    ]
    assert following(texts, SECTION_HEADINGS[3], 1)[0].startswith(
        "- Đề nghị UBND tỉnh nhắc nhở Huyện Mường Nhé"
    )


@pytest.mark.django_db
def test_document_table_by_lead_agency(plan):
    _, document = build(plan)
    table = document.tables[1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == [label for label, _ in AGENCY_COLUMNS]
    assert rows[1:] == [
        ["1", "Sở Thông tin và Truyền thông", "5", "1", "2", "1", "1", "20,0%", "1"],
        ["2", "Huyện Mường Nhé", "2", "0", "0", "0", "2", "0,0%", "2"],
    ]
    assert table.style.name == "Table Grid"
    assert "w:tblHeader" in table.rows[0]._tr.xml


@pytest.mark.django_db
def test_document_without_deadlines_does_not_divide_by_zero(plan):
    _, document = build(plan, period=ReportPeriod.parse("2018"))
    texts = body_texts(document)
    assert following(texts, RESULT_HEADINGS[0], 1) == [
        "Trong kỳ không có hạn thực hiện nhiệm vụ nào, nên chưa tính tỷ lệ quá hạn."
    ]
    assert following(texts, RESULT_HEADINGS[1], 1) == ["Không có cơ quan nào có hạn trong kỳ."]
    assert NO_OVERDUE in texts


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authority, authority_of, title, name, lines",
    [
        ("", "", "GIÁM ĐỐC", "Nguyễn Văn A", ["GIÁM ĐỐC", "Nguyễn Văn A"]),
        ("KT.", "Giám đốc", "Phó Giám đốc", "Lò Văn B", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lò Văn B"]),
        ("TL.", "GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "Lê Thị C", ["TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "Lê Thị C"]),
    ],
)
def test_document_signature_block(plan, settings, authority, authority_of, title, name, lines):
    settings.REPORT_SIGNER_AUTHORITY = authority
    settings.REPORT_SIGNER_AUTHORITY_OF = authority_of
    settings.REPORT_SIGNER_TITLE = title
    settings.REPORT_SIGNER_NAME = name
    _, document = build(plan)
    signature = document.tables[2]
    left, right = signature.rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    assert left.paragraphs[0].style.font.bold and left.paragraphs[0].style.font.italic
    assert [p.text for p in left.paragraphs[1:]] == ["- UBND tỉnh Điện Biên (để báo cáo);", "- Lưu: VT."]
    assert [p.text for p in right.paragraphs] == lines
    for paragraph in right.paragraphs:
        assert paragraph.style.font.bold and paragraph.style.font.size.pt == 14
        assert paragraph.style.paragraph_format.alignment == 1  # centred
    # Room to sign and seal above the name, and the block is kept on one page.
    assert right.paragraphs[-1].paragraph_format.space_before.cm >= 2.5
    assert right.paragraphs[-2].paragraph_format.space_before in (None, 0)
    assert "w:cantSplit" in signature.rows[0]._tr.xml


@pytest.mark.django_db
def test_document_appendix(plan):
    figures, document = build(plan, period=ReportPeriod.parse("2020-Q2"))
    texts = body_texts(document)
    heading = texts.index("Phụ lục")
    assert texts[heading + 1] == "DANH MỤC HẠN THỰC HIỆN NHIỆM VỤ VÀ CƠ QUAN ĐỀ NGHỊ BIỂU DƯƠNG, NHẮC NHỞ"
    assert texts[heading + 2] == "(Kèm theo Báo cáo số      /BC-SNgV ngày 15/07/2020 của Sở Ngoại vụ)"
    assert document.paragraphs[heading].style.font.bold
    assert document.paragraphs[heading + 1].style.font.bold
    assert document.paragraphs[heading + 2].runs[0].italic
    for title in APPENDIX_HEADINGS:
        assert title in texts
    appendix = document.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in appendix.rows]
    assert rows[0] == [label for label, _ in APPENDIX_COLUMNS]
    # Quý II/2020: 1.2, 1.10 Quý I and 2.1 due in it, and the backlog, 1.10 Quý IV/2019.
    assert rows[1:] == [
        [
            "1",
            "1.2",
            "Tổ chức hội nghị triển khai",
            "Sở Thông tin và Truyền thông",
            "Thời hạn 31/03/2020",
            "31/03/2020",
            "Đã hoàn thành đúng hạn",
            "",
        ],
        [
            "2",
            "1.10",
            "Báo cáo hằng quý",
            "Sở Thông tin và Truyền thông",
            "Quý IV/2019",
            "31/12/2019",
            "Chưa hoàn thành, quá hạn",
            BACKLOG_NOTE,
        ],
        [
            "3",
            "1.10",
            "Báo cáo hằng quý",
            "Sở Thông tin và Truyền thông",
            "Quý I/2020",
            "31/03/2020",
            "Chưa hoàn thành, quá hạn",
            "",
        ],
        [
            "4",
            "2.1",
            "Xúc tiến đầu tư",
            "Huyện Mường Nhé",
            "Thời hạn 31/05/2020",
            "31/05/2020",
            "Chưa hoàn thành, quá hạn",
            "",
        ],
    ]
    assert "w:tblHeader" in appendix.rows[0]._tr.xml
    # Nobody finished everything on time; Sở TT&TT has two overdue, Mường Nhé one.
    assert following(texts, APPENDIX_HEADINGS[1], 1) == [NO_COMMENDATION]
    assert following(texts, APPENDIX_HEADINGS[2], 2) == [
        "- Sở Thông tin và Truyền thông: 2 hạn nhiệm vụ quá hạn",
        "- Huyện Mường Nhé: 1 hạn nhiệm vụ quá hạn",
    ]
    # The appendix starts a new (landscape) section.
    assert len(document.sections) == 2
    assert document.sections[1].page_width > document.sections[1].page_height


@pytest.mark.django_db
def test_document_commends_agencies_with_every_deadline_on_time(plan):
    quarter = ReportPeriod.parse("2020-Q2")
    assert figures_of(plan, period=quarter)["commend"] == []
    # Công an tỉnh gets a task due 30/04/2020 in Quý II, done on 28/04 and accepted.
    police = Agency.objects.get(code="cong-an")
    task = TaskFactory(area=plan.areas.get(number=2), code="2.4", title="Tuần tra chung", lead_agency=police)
    done = deadline(task, D(2020, 4, 30), "Thời hạn 30/04/2020")
    ProgressReportFactory(deadline=done, submitted_at=local_datetime(D(2020, 4, 28)))
    figures = figures_of(plan, period=quarter)
    assert figures["commend"] == ["Công an tỉnh"]
    assert {row["agency"]: row["rank"] for row in figures["agencies"]}["Công an tỉnh"] == 1
    _, document = build(plan, period=quarter)
    assert following(body_texts(document), APPENDIX_HEADINGS[1], 1) == ["- Công an tỉnh"]
    assert "- Đề nghị biểu dương Công an tỉnh đã hoàn thành đúng hạn các nhiệm vụ." in body_texts(document)


@pytest.mark.django_db
def test_document_page_fonts_and_page_numbers(plan):
    _, document = build(plan)
    first = document.sections[0]
    assert round(first.page_width.mm) == 210 and round(first.page_height.mm) == 297
    margins = [first.top_margin.mm, first.bottom_margin.mm, first.left_margin.mm, first.right_margin.mm]
    assert [round(value) for value in margins] == [20, 20, 30, 15]

    normal = document.styles["Normal"]
    assert normal.font.name == FONT
    assert normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        FONT
    }
    assert normal.paragraph_format.alignment == 3  # justified
    assert round(normal.paragraph_format.first_line_indent.cm, 1) == 1.0
    # No style or run names another font.
    for style in document.styles:
        if style.type == 1 and style.name.startswith("BC "):
            assert style.font.name in (None, FONT)
            assert style.base_style.name == "Normal"
    assert document.styles["BC Khối đầu"].font.size.pt == 13
    assert document.styles["BC Tên loại"].font.size.pt == 14
    cells = [
        p for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs
    ]
    for paragraph in [*document.paragraphs, *cells]:
        assert all(run.font.name in (None, FONT) for run in paragraph.runs)

    # Page numbers: a PAGE field in the header, not on the first page.
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml
    assert "PAGE" not in first.first_page_header._element.xml


@pytest.mark.django_db
def test_document_survives_control_characters_in_text(plan):
    figures = figures_of(plan)
    text = ReportText(
        figures=figures,
        area_summaries={"1": "Dòng một\x0bcó ký tự lạ\x00\r\nDòng hai"},
        shortcomings="",
        proposals="",
        signer_title="GIÁM ĐỐC",
    )
    document = Document(io.BytesIO(_Writer(text).build()))
    assert following(body_texts(document), "1. Lãnh đạo, chỉ đạo (mẫu)", 2) == [
        "Dòng mộtcó ký tự lạ",
        "Dòng hai",
    ]


# LibreOffice prints the document; the text of the PDF is what a reader sees. Runs in
# both the SQLite and the PostgreSQL pass.


def _normalised(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


def libreoffice_pdf(soffice, source, folder):
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
        env={**os.environ, "HOME": str(folder)},
    )
    return source.with_suffix(".pdf")


def first_page_png(pdf, name):
    """Page 1 as a PNG in PORTAL_SCREENSHOT_DIR, when set (``make screenshots``)."""
    folder = os.environ.get("PORTAL_SCREENSHOT_DIR")
    pdftoppm = shutil.which("pdftoppm")
    if folder and pdftoppm:
        target = pathlib.Path(folder) / name
        subprocess.run(
            [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
            check=True,
            timeout=60,
        )


@pytest.mark.django_db
def test_libreoffice_converts_the_report_to_pdf(plan, tmp_path, settings):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice, "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    settings.REPORT_SIGNER_AUTHORITY, settings.REPORT_SIGNER_AUTHORITY_OF = "KT.", "GIÁM ĐỐC"
    settings.REPORT_SIGNER_TITLE, settings.REPORT_SIGNER_NAME = "PHÓ GIÁM ĐỐC", "Nguyễn Văn A"
    plan.source_note = "Ban hành tháng 01/2019, tin không nêu ngày ký."
    plan.save()
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(province_report_docx(figures_of(plan), today=TODAY))
    pdf_path = libreoffice_pdf(soffice, source, tmp_path)
    first_page_png(pdf_path, "report-page-1")
    pdf = PdfReader(pdf_path)
    assert len(pdf.pages) >= 3  # the report, then the appendix on a new page
    # No page is left with nothing but its number (an empty row or paragraph spilling over).
    assert all(len(page.extract_text().split()) > 1 for page in pdf.pages)
    first = _normalised(pdf.pages[0].extract_text())
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Điện Biên, ngày 15 tháng 7 năm 2020",
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch số 139/KH-UBND năm 2020",
        "Kế hoạch số 139/KH-UBND ngày … tháng 01 năm 2019 của UBND tỉnh Điện Biên",
    ]:
        assert _normalised(expected) in first, expected
    text = _normalised(" ".join(page.extract_text() for page in pdf.pages))
    for expected in [
        *SECTION_HEADINGS,
        *RESULT_HEADINGS,
        "Tỷ lệ chưa hoàn thành, quá hạn: 42,9%",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn A",
        "Phụ lục",
        *APPENDIX_HEADINGS,
    ]:
        assert _normalised(expected) in text, expected
    # The signer's name comes after the title, on the same page (the block is not split).
    signed = next(page for page in pdf.pages if "PHÓ GIÁM ĐỐC" in _normalised(page.extract_text()))
    assert "Nguyễn Văn A" in _normalised(signed.extract_text())
    # Times New Roman, or its metric twin Liberation Serif where it is not installed.
    fonts = {
        str(font.get_object().get("/BaseFont", ""))
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("Times" in font or "LiberationSerif" in font for font in fonts), fonts


# The download.


@pytest.mark.django_db
def test_coordinator_downloads_the_report(client, users, plan):
    client.force_login(users["coordinator"])
    response = client.get(reverse("province-report"), {"plan": plan.pk, "period": "2020"})
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="BC-139-KH-UBND-2020.docx"'
    assert response["Cache-Control"] == "no-store"
    document = Document(io.BytesIO(response.content))
    assert "BÁO CÁO" in body_texts(document)


@pytest.mark.django_db
def test_officer_may_not_download_the_report(client, users, plan):
    client.force_login(users["officer_a"])
    assert client.get(reverse("province-report"), {"plan": plan.pk, "period": "2020"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, message",
    [
        ({"period": "2020-Q9"}, "Kỳ báo cáo “2020-Q9” không hợp lệ"),
        ({"period": ""}, "Hãy chọn kỳ báo cáo."),
        ({"period": "2015"}, "không thực hiện trong năm 2015"),
        ({"plan": "999999", "period": "2020"}, "Kế hoạch đã chọn không có, hoặc còn là dự thảo."),
        ({"plan": "abc", "period": "2020"}, "Kế hoạch đã chọn không có, hoặc còn là dự thảo."),
    ],
)
def test_bad_report_request_is_answered_in_vietnamese(client, users, plan, params, message):
    client.force_login(users["coordinator"])
    response = client.get(reverse("province-report"), {"plan": plan.pk, **params}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("province-overview"))
    assert message in response.content.decode()
    assert "Chưa lập được báo cáo" in response.content.decode()


@pytest.mark.django_db
def test_draft_plan_is_not_offered(client, users, plan):
    draft = PlanFactory(status=Plan.Status.DRAFT)
    client.force_login(users["coordinator"])
    response = client.get(reverse("province-report"), {"plan": draft.pk, "period": "2020"}, follow=True)
    assert "Kế hoạch đã chọn không có, hoặc còn là dự thảo." in response.content.decode()


@pytest.mark.django_db
def test_overview_offers_the_report_form(client, users, plan, today):
    client.force_login(users["coordinator"])
    html = client.get(reverse("province-overview"), {"plan": plan.pk}).content.decode()
    assert f'action="{reverse("province-report")}"' in html
    assert "Tải báo cáo (.docx)" in html
    assert f'<option value="{plan.pk}" selected>139/KH-UBND</option>' in html
    year = today.year
    assert f'<option value="{year}-Q2">Quý II/{year} (15/03–14/06/{year})</option>' in html


# The command.


@pytest.mark.django_db
def test_command_writes_the_report(plan, tmp_path):
    output = tmp_path / "bao-cao.docx"
    out = io.StringIO()
    call_command(
        "export_report",
        plan="139/KH-UBND",
        period="2020-H1",
        output=str(output),
        date="2020-07-15",
        stdout=out,
    )
    assert f"vào {output}" in out.getvalue() and "giây" in out.getvalue()
    texts = body_texts(Document(str(output)))
    assert "Kết quả thực hiện Kế hoạch số 139/KH-UBND 6 tháng đầu năm 2020" in texts
    assert "(Số liệu từ ngày 15/12/2019 đến ngày 14/06/2020)" in texts
    assert os.listdir(tmp_path) == ["bao-cao.docx"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options, message",
    [
        ({"plan": "999/KH-UBND", "period": "2020"}, "Không có kế hoạch số “999/KH-UBND”"),
        ({"plan": "139/KH-UBND", "period": "2020-Q7"}, "Kỳ báo cáo “2020-Q7” không hợp lệ"),
        ({"plan": "139/KH-UBND", "period": "2020", "date": "15/07/2020"}, "không hợp lệ; viết theo dạng"),
    ],
)
def test_command_refuses_bad_arguments_and_writes_nothing(plan, tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_report", output=str(tmp_path / "bao-cao.docx"), **options)
    assert os.listdir(tmp_path) == []


@pytest.mark.django_db
def test_command_refuses_an_unwritable_output(plan, tmp_path):
    with pytest.raises(CommandError, match="Không ghi được tệp .*: thư mục không tồn tại"):
        call_command(
            "export_report", plan="139/KH-UBND", period="2020", output=str(tmp_path / "no" / "x.docx")
        )
    with pytest.raises(CommandError, match="là một thư mục"):
        call_command("export_report", plan="139/KH-UBND", period="2020", output=str(tmp_path))
    assert os.listdir(tmp_path) == []


# A constant number of queries, whatever the plan's size.


def populate(plan, *, tasks):
    agencies = [AgencyFactory() for _ in range(3)]
    areas = list(plan.areas.all())
    for n in range(tasks):
        task = TaskFactory(area=areas[n % len(areas)], code=f"9.{n}", lead_agency=agencies[n % 3])
        task.cooperating_agencies.add(agencies[(n + 1) % 3], agencies[(n + 2) % 3])
        for quarter, due in enumerate([D(2020, 3, 31), D(2020, 6, 30), D(2020, 9, 30)], start=1):
            row = deadline(task, due, f"Quý {quarter}/2020")
            if quarter == 1:
                ProgressReportFactory(deadline=row)


@pytest.mark.django_db
def test_report_runs_a_constant_number_of_queries(client, users, plan, django_assert_num_queries):
    client.force_login(users["coordinator"])
    url = reverse("province-report")
    params = {"plan": plan.pk, "period": "2020"}
    client.get(url, params)  # warm the session and content-type caches

    def measure():
        dates = selectors.status_dates_get(today=TODAY)
        with django_assert_num_queries(6):
            report = document_selectors.province_report_get(plan=plan, period=YEAR_2020, dates=dates)
        with CaptureQueriesContext(connection) as view_queries:
            assert client.get(url, params).status_code == 200
        return len(report.tasks), len(view_queries.captured_queries)

    small_tasks, small = measure()
    populate(plan, tasks=40)
    large_tasks, large = measure()
    assert (small_tasks, large_tasks) == (6, 46)
    assert small == large <= 15


@pytest.mark.django_db
def test_document_line_under_a_name_wider_than_its_cell_follows_the_cell(plan, coordinator_agency):
    coordinator_agency.name = "Sở Lao động – Thương binh và Xã hội tỉnh Điện Biên"
    coordinator_agency.save()
    _, document = build(plan)
    left = document.tables[0].rows[0].cells[0]
    assert Pt(bold_text_width(left.paragraphs[1].text, 13)) > left.width  # the name wraps
    assert 1 / 3 <= rule_length(left.paragraphs[2], left) / left.width <= 1 / 2


@pytest.mark.django_db
def test_document_lines_under_the_subject_and_the_appendix_title(plan):
    """Decree 30: under the subject of the report, and under the appendix's title, a
    solid line 1/3 to 1/2 as long as the line of text, centred."""
    _, document = build(plan)
    texts = body_texts(document)
    body_width = Mm(210 - 30 - 15)
    for title, after, width in [
        ("Kết quả thực hiện Kế hoạch số 139/KH-UBND năm 2020", 2, body_width),
        ("DANH MỤC HẠN THỰC HIỆN NHIỆM VỤ VÀ CƠ QUAN ĐỀ NGHỊ BIỂU DƯƠNG, NHẮC NHỞ", 2, Mm(297 - 30 - 15)),
    ]:
        index = texts.index(title)
        rule = document.paragraphs[index + after]
        assert rule.text == "" and border_bottom(rule).get(qn("w:val")) == "single"
        indents = rule.paragraph_format
        assert indents.left_indent == indents.right_indent
        length = width - indents.left_indent - indents.right_indent
        assert 1 / 3 <= length / Pt(bold_text_width(title, 14)) <= 1 / 2
    # No line drawn with characters is left.
    assert not any("―" in text for text in texts)


@pytest.mark.django_db
def test_periodic_report_figures_take_a_constant_number_of_queries(plan, django_assert_num_queries):
    dates = selectors.status_dates_get(today=TODAY)
    with django_assert_num_queries(9):
        small = document_selectors.periodic_report_figures_get(plan=plan, period=YEAR_2020, dates=dates)
    populate(plan, tasks=40)
    with django_assert_num_queries(9):
        large = document_selectors.periodic_report_figures_get(plan=plan, period=YEAR_2020, dates=dates)
    assert (len(small["deadlines"]), len(large["deadlines"])) == (7, 7 + 40 * 3)
