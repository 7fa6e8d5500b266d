"""Importing a task table laid out as a province publishes it: a Word appendix or its
Excel copy, with title rows, a numbering row, group rows, merged cells and STT that
restarts in each group."""

import datetime
import io

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.styles import Font

from documents.imports import ImportFileError, Outcome, import_preview, read_rows
from documents.published_table import header_key, roman_value
from documents.services import plan_import_apply
from plans.models import Task
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory
from plans.tests.fixtures import make_user

D = datetime.date


@pytest.fixture
def plan(db):
    plan = PlanFactory(number="12/KH-UBND", period_start=D(2024, 1, 1), period_end=D(2026, 12, 31))
    ContentAreaFactory(plan=plan, number=1, title="Công tác chỉ đạo, điều hành")
    # Numbered 3 in the portal, but the document's group II carries its title.
    ContentAreaFactory(plan=plan, number=3, title="Thông tin đối ngoại")
    return plan


@pytest.fixture
def known(db):
    return {
        "ngoai-vu": AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="SNgV"),
        "noi-vu": AgencyFactory(code="so-noi-vu", name="Sở Nội vụ", short_name="SNV"),
        "tttt": AgencyFactory(code="so-tttt", name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT"),
    }


def _row(table, *values, bold=False):
    row = table.add_row()
    for cell, value in zip(row.cells, values, strict=False):
        cell.paragraphs[0].add_run(value).bold = bold
    return row


def published_docx():
    """A plan as published: heading paragraphs, then the appendix table."""
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH")
    document.add_paragraph("KẾ HOẠCH Triển khai công tác đối ngoại năm 2024")
    signatures = document.add_table(rows=1, cols=2)  # not a task table
    signatures.cell(0, 0).text, signatures.cell(0, 1).text = "Nơi nhận", "Chủ tịch"
    table = document.add_table(rows=0, cols=6)
    _row(table, "TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện",
         "Sản phẩm", bold=True)  # fmt: skip
    _row(table, "(1)", "(2)", "(3)", "(4)", "(5)", "(6)")
    group = _row(table, "I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", bold=True)
    group.cells[1].merge(group.cells[5])  # the title spans the row
    _row(table, "1", "Xây dựng kế hoạch đối ngoại", "Sở Ngoại vụ", "Sở Nội vụ", "31/12/2024", "Kế hoạch")
    _row(table, "2", "Tổng kết công tác đối ngoại", "", "", "Hằng năm, trước 15/12", "Báo cáo")
    # One lead agency for both tasks: the cell is merged down.
    table.rows[3].cells[2].merge(table.rows[4].cells[2])
    _row(table, "", "", "", "", "", "")
    _row(table, "II. THÔNG TIN ĐỐI NGOẠI", bold=True)
    _row(
        table,
        "1",
        "Tuyên truyền về tỉnh trên báo chí nước ngoài",
        "Sở TT&TT",
        "Sở Ngoại vụ",
        "Thường xuyên",
        "",
    )
    _row(table, "Ghi chú: các cơ quan báo cáo kết quả về Sở Ngoại vụ.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_appendix_is_read_with_groups_merged_cells_and_restarting_numbers(plan, known):
    rows = read_rows(published_docx())
    assert [(number, values["code"], values["area"], values["lead_agency"]) for number, values in rows] == [
        (4, "I.1", 1, "Sở Ngoại vụ"),
        (5, "I.2", 1, "Sở Ngoại vụ"),  # carried down the merged cell
        (8, "II.1", 2, "Sở TT&TT"),
    ]
    assert [area.title for area in rows.areas] == ["CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "THÔNG TIN ĐỐI NGOẠI"]
    assert [(row.number, row.reason) for row in rows.skipped] == [
        (2, "dòng đánh số cột"),
        (6, "dòng trống"),
        (9, "dòng ghi chú (không có STT, cơ quan chủ trì, thời gian)"),
    ]


def test_a_word_appendix_imports_into_areas_matched_by_number_or_title(plan, known):
    data = published_docx()
    preview = import_preview(plan=plan, file=data)
    assert [row.outcome for row in preview.rows] == [Outcome.CREATE] * 3, [r.errors for r in preview.rows]
    assert preview.layout == "docx"
    assert len(preview.skipped) == 3

    plan_import_apply(plan=plan, file=data, file_name="ke-hoach.docx")
    tasks = {task.code: task for task in Task.objects.filter(plan=plan).select_related("area", "lead_agency")}
    assert {code: (task.area.number, task.lead_agency.code) for code, task in tasks.items()} == {
        "I.1": (1, "so-ngoai-vu"),
        "I.2": (1, "so-ngoai-vu"),
        "II.1": (3, "so-tttt"),  # group II is the area titled "Thông tin đối ngoại"
    }
    assert tasks["I.2"].schedule == "yearly"
    assert list(tasks["II.1"].cooperating_agencies.values_list("code", flat=True)) == ["so-ngoai-vu"]
    # The same document again changes nothing.
    again = import_preview(plan=plan, file=data)
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 3


def published_xlsx(*, formula=False):
    """The Excel copy: title rows, a two-row header, bold groups without numerals,
    numbering that runs on through the groups, a lead agency merged down."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Phụ lục"
    ws.append(["PHỤ LỤC"])
    ws.append(["Danh mục nhiệm vụ triển khai Kế hoạch"])
    ws.append([])
    ws.append(["STT", "Nhiệm vụ, giải pháp", "Cơ quan thực hiện", None, "Thời hạn hoàn thành"])
    ws.append([None, None, "Chủ trì", "Phối hợp", None])
    ws.merge_cells("C4:D4")
    ws.append(["1", "2", "3", "4", "5"])
    ws.append([None, "Công tác chỉ đạo, điều hành"])
    ws["B7"].font = Font(bold=True)
    ws.append([1, "Ban hành kế hoạch", "Sở Ngoại vụ", "Sở Nội vụ\nSở TT&TT", "31/12/2024"])
    ws.append([2, "Kiểm tra việc thực hiện", None, None, "Hằng năm, trước 15/12"])
    ws.merge_cells("C8:C9")
    ws.append([None, "Thông tin đối ngoại"])
    ws["B10"].font = Font(bold=True)
    ws.append([3, "=1+1" if formula else "Quảng bá hình ảnh tỉnh", "Sở TT&TT", None, "Thường xuyên"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_copy_is_read_with_a_two_row_header_and_bold_groups(plan, known):
    rows = read_rows(published_xlsx())
    assert [
        (number, values["code"], values["area_title"], values["lead_agency"]) for number, values in rows
    ] == [
        (8, "1", "Công tác chỉ đạo, điều hành", "Sở Ngoại vụ"),
        (9, "2", "Công tác chỉ đạo, điều hành", "Sở Ngoại vụ"),
        (11, "3", "Thông tin đối ngoại", "Sở TT&TT"),
    ]
    assert [(row.number, row.reason) for row in rows.skipped] == [
        (1, "dòng tiêu đề phía trên bảng"),
        (2, "dòng tiêu đề phía trên bảng"),
        (6, "dòng đánh số cột"),
    ]
    preview = import_preview(plan=plan, rows=rows)
    assert [row.outcome for row in preview.rows] == [Outcome.CREATE] * 3, [r.errors for r in preview.rows]
    assert [row.task.area.number for row in preview.rows] == [1, 1, 3]
    assert sorted(agency.code for agency in preview.rows[0].cooperating) == ["so-noi-vu", "so-tttt"]


def test_a_formula_in_a_published_table_refuses_the_file(plan, known):
    with pytest.raises(ImportFileError) as excinfo:
        import_preview(plan=plan, file=published_xlsx(formula=True))
    assert excinfo.value.message.startswith("Ô B11 chứa công thức.")
    assert not Task.objects.exists()


def test_a_task_of_an_area_the_plan_lacks_is_rejected_naming_the_group(plan, known):
    document = docx.Document()
    table = document.add_table(rows=0, cols=4)
    _row(table, "STT", "Nội dung", "Đơn vị chủ trì", "Thời gian")
    _row(table, "V", "HỢP TÁC QUỐC TẾ")
    _row(table, "1", "Ký kết thỏa thuận", "Sở Ngoại vụ", "31/12/2024")
    buffer = io.BytesIO()
    document.save(buffer)
    preview = import_preview(plan=plan, file=buffer.getvalue())
    assert preview.rows[0].errors == [
        "Kế hoạch 12/KH-UBND không có nội dung số 5 “HỢP TÁC QUỐC TẾ” (các nội dung có: 1, 3)."
    ]


@pytest.mark.parametrize(
    "text, key",
    [
        ("STT", "code"),
        ("TT", "code"),
        ("Số TT", "code"),
        ("Nội dung nhiệm vụ", "title"),
        ("Nhiệm vụ, giải pháp", "title"),
        ("Nội dung công việc", "title"),
        ("Cơ quan chủ trì", "lead_agency"),
        ("Đơn vị chủ trì thực hiện", "lead_agency"),
        ("Cơ quan phối hợp", "cooperating_agencies"),
        ("Đơn vị phối hợp", "cooperating_agencies"),
        ("Thời gian thực hiện", "deadline"),
        ("Thời gian hoàn thành", "deadline"),
        ("Tiến độ thực hiện", "deadline"),
        ("Sản phẩm", "expected_output"),
        ("Sản phẩm dự kiến", "expected_output"),
        ("Kết quả dự kiến", "expected_output"),
        ("Nội dung số", "area"),
        ("Ghi chú", None),
    ],
)
def test_headers_are_recognised_by_meaning(text, key):
    assert header_key(text) == key


@pytest.mark.parametrize(
    "text, value", [("I", 1), ("IV", 4), ("IX", 9), ("XIV", 14), ("IIII", None), ("A", None)]
)
def test_roman_numerals(text, value):
    assert roman_value(text) == value


def test_the_admin_previews_and_applies_a_word_plan(
    client, django_user_model, plan, known, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    user = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    user.is_staff = True
    user.save()
    client.force_login(user)
    url = reverse("admin:plans_plan_import", args=[plan.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("ke-hoach.docx", published_docx())})
    html = preview.content.decode()
    assert "Tạo mới (3)" in html and 'value="Áp dụng"' in html
    assert "Dòng không nhập (3)" in html
    assert "<td>9</td><td>Dòng ghi chú (không có STT, cơ quan chủ trì, thời gian)</td>" in html
    assert not Task.objects.exists()
    response = client.post(url, {"action": "apply"})
    assert response.status_code == 302
    assert sorted(Task.objects.filter(plan=plan).values_list("code", flat=True)) == ["I.1", "I.2", "II.1"]
