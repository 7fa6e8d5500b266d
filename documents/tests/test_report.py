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
import shutil
import subprocess
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from documents import selectors as document_selectors
from documents.report_docx import (
    CONTENT_TYPE,
    FONT,
    NO_ACCEPTED_REPORT,
    NO_OVERDUE,
    SECTION_HEADINGS,
    date_line_date,
    province_report_docx,
)
from plans import selectors
from plans.models import Deadline, DeadlineStatus, Plan
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


def build(plan, period=YEAR_2020, today=TODAY):
    report = document_selectors.province_report_get(
        plan=plan, period=period, dates=selectors.status_dates_get(today=today)
    )
    return report, Document(io.BytesIO(province_report_docx(report, today=today)))


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
    assert texts[title + 1] == "Kết quả thực hiện Kế hoạch số 139/KH-UBND năm 2020 (15/12/2019–14/12/2020)"
    assert texts[title + 2] == plan.title
    assert document.paragraphs[title].style.font.bold


@pytest.mark.django_db
def test_document_date_line_with_leading_zeros_and_symbol_fallback(plan, coordinator_agency):
    coordinator_agency.document_symbol = ""
    coordinator_agency.save()
    _, document = build(plan, today=D(2021, 1, 5))
    left, right = document.tables[0].rows[0].cells
    assert right.paragraphs[-1].text == "Điện Biên, ngày 05 tháng 01 năm 2021"
    assert left.paragraphs[-1].text == "Số:      /BC"


@pytest.mark.django_db
def test_document_overview_counts_and_share(plan):
    _, document = build(plan)
    texts = body_texts(document)
    summary, share = following(texts, SECTION_HEADINGS[0], 2)
    assert summary.startswith("Số liệu tính đến ngày 15/07/2020.")
    assert "Trong năm 2020 (từ 15/12/2019 đến 14/12/2020)" in summary
    assert "có 7 hạn thực hiện nhiệm vụ (7 hạn trong kỳ, 0 hạn chưa hoàn thành từ các kỳ trước)" in summary
    assert "đã hoàn thành 3 (đúng hạn 1, quá hạn 2)" in summary
    assert "chưa hoàn thành 4 (trong hạn 1, gồm sắp đến hạn 0 và chưa đến hạn 1; quá hạn 3)" in summary
    assert share.startswith("Tỷ lệ chưa hoàn thành, quá hạn: 42,9%")
    assert "(3 trên 7 hạn)" in share


@pytest.mark.django_db
def test_document_without_started_deadlines_does_not_divide_by_zero(plan):
    _, document = build(plan, period=ReportPeriod.parse("2018"))
    texts = body_texts(document)
    summary, share = following(texts, SECTION_HEADINGS[0], 2)
    assert "không có hạn nào" in summary
    assert "chưa tính tỷ lệ quá hạn" in share
    assert following(texts, SECTION_HEADINGS[2], 1) == [NO_OVERDUE]


@pytest.mark.django_db
def test_document_results_per_area_and_task(plan):
    _, document = build(plan)
    texts = body_texts(document)
    for heading in SECTION_HEADINGS:
        assert texts.count(heading) == 1
    assert (
        texts.index(SECTION_HEADINGS[0]) < texts.index(SECTION_HEADINGS[1]) < texts.index(SECTION_HEADINGS[2])
    )
    for area in plan.areas.all():
        assert texts.count(f"{area.number}. {area.title}") == 1
    assert following(texts, "3. Ngoại giao văn hóa (mẫu)", 1) == ["Nội dung này chưa có nhiệm vụ."]

    assert following(texts, "1.2. Tổ chức hội nghị triển khai", 5) == [
        "Cơ quan chủ trì: Sở Thông tin và Truyền thông.",
        "Cơ quan phối hợp: Công an tỉnh, Huyện Mường Nhé.",
        "Thời hạn: 31/03/2020.",
        "Tình hình trong kỳ: Thời hạn 31/03/2020: Đã hoàn thành đúng hạn.",
        "Kết quả: Đã tổ chức hội nghị.",
    ]
    quarterly = following(texts, "1.10. Báo cáo hằng quý", 5)
    assert quarterly[1] == "Cơ quan phối hợp: không có."
    assert quarterly[3] == (
        "Tình hình trong kỳ: Quý IV/2019: Đã hoàn thành quá hạn; Quý I/2020: Chưa hoàn thành, quá hạn; "
        "Quý II/2020: Đã hoàn thành quá hạn; Quý III/2020: Chưa đến hạn."
    )
    assert quarterly[4] == "Kết quả: Báo cáo của năm 2019."
    # 1.3 is due 15/12/2020, after the year's cut-off (14/12); its waiting report is not
    # the province's result anyway.
    assert following(texts, "1.3. Rà soát quy chế", 5)[3:] == [
        "Tình hình trong kỳ: Không có hạn trong kỳ.",
        NO_ACCEPTED_REPORT,
    ]
    assert following(texts, "2.2. Hội chợ biên giới", 4)[3] == "Tình hình trong kỳ: Không có hạn trong kỳ."
    # Tasks in natural code order: 1.2, 1.3, then 1.10.
    positions = [
        texts.index(f"{code}. {title}")
        for code, title in [
            ("1.2", "Tổ chức hội nghị triển khai"),
            ("1.3", "Rà soát quy chế"),
            ("1.10", "Báo cáo hằng quý"),
        ]
    ]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_document_overdue_section_groups_by_agency(plan):
    _, document = build(plan)
    texts = body_texts(document)
    assert following(texts, SECTION_HEADINGS[2], 5) == [
        "1. Huyện Mường Nhé: 2 hạn quá hạn",
        "- 2.1. Xúc tiến đầu tư – hạn 31/05/2020 (hết hạn 01/06/2020), quá hạn 44 ngày.",
        "- 2.3. Đón đoàn Phongsaly – hạn 30/06/2020, quá hạn 15 ngày.",
        "2. Sở Thông tin và Truyền thông: 1 hạn quá hạn",
        "- 1.10. Báo cáo hằng quý – Quý I/2020, hạn 31/03/2020, quá hạn 106 ngày.",
    ]


@pytest.mark.django_db
def test_document_signature_block_and_appendix(plan):
    _, document = build(plan)
    signature = document.tables[1]
    left, right = signature.rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    assert left.paragraphs[0].style.font.bold and left.paragraphs[0].style.font.italic
    assert [p.text for p in left.paragraphs[1:]] == ["- UBND tỉnh (để báo cáo);", "- Lưu: VT."]
    assert right.paragraphs[0].text == "GIÁM ĐỐC"

    texts = body_texts(document)
    assert "PHỤ LỤC" in texts
    assert "Danh mục nhiệm vụ của Kế hoạch số 139/KH-UBND, năm 2020 (15/12/2019–14/12/2020)" in texts
    appendix = document.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in appendix.rows]
    assert rows[0] == [
        "STT",
        "Mã",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời hạn",
        "Tình hình trong kỳ",
    ]
    assert len(rows) == 1 + plan.tasks.count()
    assert [row[:2] for row in rows[1:]] == [
        ["1", "1.2"],
        ["2", "1.3"],
        ["3", "1.10"],
        ["4", "2.1"],
        ["5", "2.2"],
        ["6", "2.3"],
    ]
    assert rows[5][6] == "Không có hạn trong kỳ"
    assert rows[1][4] == "Công an tỉnh, Huyện Mường Nhé"
    assert "w:tblHeader" in appendix.rows[0]._tr.xml
    assert appendix.style.name == "Table Grid"
    # The appendix starts a new (landscape) section.
    assert len(document.sections) == 2
    assert document.sections[1].page_width > document.sections[1].page_height


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
    report = document_selectors.province_report_get(
        plan=plan, period=YEAR_2020, dates=selectors.status_dates_get(today=TODAY)
    )
    report.areas[0].tasks[0].narrative = "Dòng một\x0bcó ký tự lạ\x00\r\nDòng hai"
    document = Document(io.BytesIO(province_report_docx(report, today=TODAY)))
    result = next(text for text in body_texts(document) if text.startswith("Kết quả: Dòng một"))
    assert result == "Kết quả: Dòng mộtcó ký tự lạ\nDòng hai"


# LibreOffice prints the document; the text of the PDF is what a reader sees. Runs in
# both the SQLite and the PostgreSQL pass.


def _normalised(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.django_db
def test_libreoffice_converts_the_report_to_pdf(plan, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice, "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    report = document_selectors.province_report_get(
        plan=plan, period=YEAR_2020, dates=selectors.status_dates_get(today=TODAY)
    )
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(province_report_docx(report, today=TODAY))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = PdfReader(tmp_path / "bao-cao.pdf")
    assert len(pdf.pages) >= 3  # the report, then the appendix on a new page
    # No page is left with nothing but its number (an empty row or paragraph spilling over).
    assert all(len(page.extract_text().split()) > 1 for page in pdf.pages)
    text = _normalised(" ".join(page.extract_text() for page in pdf.pages))
    for expected in [
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch số 139/KH-UBND năm 2020",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Điện Biên, ngày 15 tháng 7 năm 2020",
        *SECTION_HEADINGS,
        "Tỷ lệ chưa hoàn thành, quá hạn: 42,9%",
        "PHỤ LỤC",
    ]:
        assert _normalised(expected) in text, expected
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
    assert "Kết quả thực hiện Kế hoạch số 139/KH-UBND 6 tháng đầu năm 2020 (15/12/2019–14/06/2020)" in texts
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
