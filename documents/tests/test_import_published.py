"""Importing a task table laid out as a province publishes it: a Word appendix or its
Excel copy, with title rows, a numbering row, group rows, merged cells and STT that
restarts in each group."""

import datetime
import io

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl.styles import Font

from documents.imports import ImportFileError, ImportRejected, Outcome, import_preview, read_rows
from documents.published_table import header_key, roman_value
from documents.schedule_text import DeadlineTextError, ScheduleFields, read_timing
from documents.services import plan_import_apply
from plans.models import Agency, AgencyGroup, Deadline, Task
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


def proposals_docx():
    document = docx.Document()
    table = document.add_table(rows=0, cols=5)
    _row(table, "STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian")
    _row(table, "V", "HỢP TÁC QUỐC TẾ")
    _row(table, "1", "Ký kết thỏa thuận", "Sở Ngoại vụ", "Hội Hữu nghị Việt – Lào tỉnh", "31/12/2024")
    _row(table, "2", "Đón đoàn", "Sở Ngoại vụ", "Các cơ quan, đơn vị liên quan", "Năm 2025")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_what_the_plan_lacks_is_proposed_and_nothing_is_saved_without_acceptance(plan, known):
    data = proposals_docx()
    preview = import_preview(plan=plan, file=data)
    assert [row.outcome for row in preview.rows] == [Outcome.DECISION] * 2
    assert preview.rows[0].decisions == [
        "Nội dung: Tạo nội dung số 5: HỢP TÁC QUỐC TẾ (dòng nhóm chưa có trong kế hoạch 12/KH-UBND).",
        "Cơ quan phối hợp: Không tìm thấy cơ quan “Hội Hữu nghị Việt – Lào tỉnh”. Đề xuất: Tạo cơ quan "
        "“Hội Hữu nghị Việt – Lào tỉnh” (loại: Mặt trận, tổ chức chính trị - xã hội, hội).",
    ]
    assert [(p.kind, p.name, p.rows) for p in preview.proposals] == [
        ("area", "HỢP TÁC QUỐC TẾ", [3, 4]),
        ("agency", "Hội Hữu nghị Việt – Lào tỉnh", [3]),
        ("group", "Các cơ quan, đơn vị liên quan", [4]),
    ]
    with pytest.raises(ImportRejected):
        plan_import_apply(plan=plan, file=data)
    assert not Task.objects.exists() and not plan.areas.filter(number=5).exists()


def test_accepted_proposals_are_created_with_the_tasks_and_found_by_the_next_import(plan, known):
    data = proposals_docx()
    result = plan_import_apply(plan=plan, file=data, accept_proposals=True)
    assert (result.created, result.proposals) == (2, 3)
    area = plan.areas.get(number=5)
    assert area.title == "HỢP TÁC QUỐC TẾ"
    friendship = Agency.objects.get(name="Hội Hữu nghị Việt – Lào tỉnh")
    assert (friendship.kind, friendship.code) == ("mass_organisation", "hoi-huu-nghi-viet-lao-tinh")
    task = Task.objects.get(plan=plan, code="2")
    assert task.cooperating_labels == ["Các cơ quan, đơn vị liên quan"]
    assert [row.outcome for row in import_preview(plan=plan, file=data).rows] == [Outcome.UNCHANGED] * 2


def test_a_failed_apply_with_proposals_creates_nothing(plan, known):
    """A proposal accepted but a row refused at the apply: the areas and agencies
    created for it are rolled back with everything else."""
    document = docx.Document()
    table = document.add_table(rows=0, cols=4)
    _row(table, "STT", "Nội dung", "Đơn vị chủ trì", "Thời gian")
    _row(table, "V", "HỢP TÁC QUỐC TẾ")
    _row(table, "1", "Ký kết thỏa thuận", "Ban Dân tộc tỉnh", "31/12/2024")
    _row(table, "1", "Mã trùng", "Sở Ngoại vụ", "31/12/2024")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(ImportRejected):
        plan_import_apply(plan=plan, file=buffer.getvalue(), accept_proposals=True)
    assert not plan.areas.filter(number=5).exists()
    assert not Agency.objects.filter(name="Ban Dân tộc tỉnh").exists()


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
    assert "<td>Hằng năm, trước 15/12</td><td>15/12/2024, 15/12/2025, 15/12/2026</td>" in html
    assert "<td>9</td><td>Dòng ghi chú (không có STT, cơ quan chủ trì, thời gian)</td>" in html
    assert not Task.objects.exists()
    response = client.post(url, {"action": "apply"})
    assert response.status_code == 302
    assert sorted(Task.objects.filter(plan=plan).values_list("code", flat=True)) == ["I.1", "I.2", "II.1"]


# --- Timing as plans write it ----------------------------------------------------------------

PLAN_YEARS = {"period_start": D(2024, 1, 1), "period_end": D(2026, 12, 31)}


@pytest.mark.parametrize(
    "text, fields, start_on, end_on, assumed",
    [
        ("Quý II/2024", ScheduleFields("one_off", due_on=D(2024, 6, 30)), None, None, False),
        ("Quý 4 năm 2025", ScheduleFields("one_off", due_on=D(2025, 12, 31)), None, None, False),
        ("Tháng 6/2024", ScheduleFields("one_off", due_on=D(2024, 6, 30)), None, None, False),
        ("Trong tháng 2 năm 2024", ScheduleFields("one_off", due_on=D(2024, 2, 29)), None, None, False),
        ("Năm 2024", ScheduleFields("one_off", due_on=D(2024, 12, 31)), None, None, False),
        ("6 tháng đầu năm 2025", ScheduleFields("one_off", due_on=D(2025, 6, 30)), None, None, False),
        (
            "Giai đoạn 2023-2027",
            ScheduleFields("ongoing", report_cycle="yearly"),
            D(2023, 1, 1),
            D(2027, 12, 31),
            True,
        ),
        (
            "Giai đoạn 2019 – 2021 và các năm tiếp theo",
            ScheduleFields("ongoing", report_cycle="yearly"),
            D(2019, 1, 1),
            None,
            True,
        ),
        (
            "Hằng năm, giai đoạn 2024-2025",
            ScheduleFields("yearly", due_day=15, due_month=12),
            D(2024, 1, 1),
            D(2025, 12, 31),
            True,
        ),
        ("Trước 30/6", ScheduleFields("yearly", due_day=30, due_month=6), None, None, True),
        ("Hằng năm", ScheduleFields("yearly", due_day=15, due_month=12), None, None, True),
        ("Hằng quý", ScheduleFields("quarterly"), None, None, True),
        ("6 tháng", ScheduleFields("half_yearly"), None, None, True),
        ("Thường xuyên", ScheduleFields("ongoing", report_cycle="yearly"), None, None, True),
        ("Định kỳ, theo quy định", ScheduleFields("unspecified"), None, None, True),
        ("Theo kế hoạch của Bộ Ngoại giao", ScheduleFields("unspecified"), None, None, True),
        ("Khi có hướng dẫn", ScheduleFields("unspecified"), None, None, True),
        ("31/12/2024", ScheduleFields("one_off", due_on=D(2024, 12, 31)), None, None, False),
        ("Hằng năm, trước 15/12", ScheduleFields("yearly", due_day=15, due_month=12), None, None, False),
    ],
)
def test_timing_is_read_as_plans_write_it(text, fields, start_on, end_on, assumed):
    reading = read_timing(text, **PLAN_YEARS, yearly_due="15/12")
    assert (reading.fields, reading.start_on, reading.end_on) == (fields, start_on, end_on)
    assert reading.written == text
    assert bool(reading.assumptions) == assumed
    assert all(f"“{text}”" in note for note in reading.assumptions)


def test_a_date_without_year_in_a_one_year_plan_is_that_years_date():
    reading = read_timing("Trước ngày 30/6", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    assert reading.fields == ScheduleFields("one_off", due_on=D(2024, 6, 30))
    assert reading.assumptions == [
        "Thời gian “Trước ngày 30/6” không ghi năm: hạn 30/06/2024, năm của kế hoạch."
    ]


def test_the_yearly_day_assumed_comes_from_the_setting():
    reading = read_timing("Hằng năm", **PLAN_YEARS, yearly_due="20/11")
    assert reading.fields == ScheduleFields("yearly", due_day=20, due_month=11)
    assert reading.assumptions == [
        "Thời gian “Hằng năm” không ghi ngày: hạn 20/11 hằng năm là ngày mặc định, cần xác nhận."
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("Quý V/2024", "Không đọc được thời hạn “Quý V/2024”."),
        ("Trước 31/13", "Thời hạn “Trước 31/13”: ngày 31/13 không có trong năm."),
        ("Giai đoạn 2027-2023", "Thời gian “Giai đoạn 2027-2023”: năm kết thúc 2023 trước năm bắt đầu 2027."),
    ],
)
def test_a_phrase_with_a_date_that_cannot_be_read_is_refused(text, message):
    with pytest.raises(DeadlineTextError) as excinfo:
        read_timing(text, **PLAN_YEARS)
    assert excinfo.value.message.startswith(message)


def timing_docx(timings):
    document = docx.Document()
    table = document.add_table(rows=0, cols=4)
    _row(table, "STT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện")
    _row(table, "I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    for number, timing in enumerate(timings, start=1):
        _row(table, str(number), f"Nhiệm vụ {number}", "Sở Ngoại vụ", timing)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_imported_timing_keeps_the_phrase_bounds_deadlines_and_flags_assumptions(plan, known, settings):
    settings.PLAN_IMPORT_YEARLY_DUE = "20/12"
    data = timing_docx(
        ["Quý II/2025", "Hằng năm, giai đoạn 2024-2025", "Khi có hướng dẫn", "Hằng năm, trước 15/12"]
    )
    preview = import_preview(plan=plan, file=data)
    assert [row.outcome for row in preview.rows] == [Outcome.CREATE] * 4, [r.errors for r in preview.rows]
    assert [row.notes for row in preview.rows] == [
        [],
        [
            "Thời gian “Hằng năm, giai đoạn 2024-2025” không ghi ngày: hạn 20/12 hằng năm là ngày mặc "
            "định, cần xác nhận."
        ],
        ["Thời gian “Khi có hướng dẫn” không nêu ngày tháng: ghi là chưa xác định, chưa lập hạn."],
        [],
    ]
    # The preview lists the deadlines each row will have.
    assert [row.due_dates_display for row in preview.rows] == [
        "30/06/2025",
        "20/12/2024, 20/12/2025",
        "chưa lập hạn",
        "15/12/2024, 15/12/2025, 15/12/2026",
    ]
    plan_import_apply(plan=plan, file=data, file_name="ke-hoach.docx", today=D(2024, 1, 2))
    tasks = {task.code: task for task in Task.objects.filter(plan=plan)}
    assert {code: task.schedule_text for code, task in tasks.items()} == {
        "1": "Quý II/2025",
        "2": "Hằng năm, giai đoạn 2024-2025",
        "3": "Khi có hướng dẫn",
        "4": "",  # written as the portal writes it: nothing more to keep
    }
    due = {
        code: list(Deadline.objects.filter(task=task).order_by("due_on").values_list("due_on", flat=True))
        for code, task in tasks.items()
    }
    assert due == {
        "1": [D(2025, 6, 30)],
        "2": [D(2024, 12, 20), D(2025, 12, 20)],  # the phase ends before the plan's 2026
        "3": [],
        "4": [D(2024, 12, 15), D(2025, 12, 15), D(2026, 12, 15)],
    }
    assert tasks["2"].end_on == D(2025, 12, 31)
    # Importing the same document again changes nothing.
    assert [row.outcome for row in import_preview(plan=plan, file=data).rows] == [Outcome.UNCHANGED] * 4


# --- Agencies as plans write them -------------------------------------------------------------


@pytest.fixture
def departments(db, known):
    group = AgencyGroup.objects.create(
        name="Các sở, ban, ngành tỉnh", phrases="Các sở, ban, ngành\ncác sở, ban, ngành thuộc tỉnh"
    )
    group.members.set([known["noi-vu"], known["tttt"]])
    districts = AgencyGroup.objects.create(name="UBND các huyện, thị xã, thành phố")
    AgencyFactory(code="dai-pt-th", name="Đài Phát thanh – Truyền hình tỉnh", short_name="Đài PT–TH tỉnh")
    return group, districts


def agencies_docx(rows):
    document = docx.Document()
    table = document.add_table(rows=0, cols=5)
    _row(table, "STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian")
    _row(table, "I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    for number, (lead, cooperating) in enumerate(rows, start=1):
        _row(table, str(number), f"Nhiệm vụ {number}", lead, cooperating, "Năm 2024")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_agencies_match_as_officials_write_them_and_collective_phrases_map_to_groups(
    plan, known, departments
):
    group, districts = departments
    data = agencies_docx(
        [
            ("Giám đốc Sở Ngoại vụ", "Các sở, ban, ngành tỉnh, UBND các huyện, thị xã, thành phố"),
            ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Đài Phát thanh - Truyền hình tỉnh, Sở Nội vụ"),
            ("Thủ trưởng Sở Nội vụ", "các sở, ban, ngành thuộc tỉnh\nĐài PT-TH tỉnh"),
        ]
    )
    preview = import_preview(plan=plan, file=data)
    assert [row.outcome for row in preview.rows] == [Outcome.CREATE] * 3, [r.errors for r in preview.rows]
    assert [
        (row.task.lead_agency.code, [a.code for a in row.cooperating], row.cooperating_groups)
        for row in preview.rows
    ] == [
        ("so-ngoai-vu", [], [group, districts]),
        ("so-tttt", ["dai-pt-th", "so-noi-vu"], []),
        ("so-noi-vu", ["dai-pt-th"], [group]),
    ]
    plan_import_apply(plan=plan, file=data)
    task = Task.objects.get(plan=plan, code="1")  # numbering runs on: the STT is the code
    assert task.cooperating_labels == ["Các sở, ban, ngành tỉnh", "UBND các huyện, thị xã, thành phố"]
    assert [row.outcome for row in import_preview(plan=plan, file=data).rows] == [Outcome.UNCHANGED] * 3


def test_a_collective_phrase_cannot_lead_a_task(plan, known, departments):
    preview = import_preview(plan=plan, file=agencies_docx([("Các sở, ban, ngành tỉnh", "")]))
    assert preview.rows[0].errors == [
        "Cơ quan chủ trì: “Các sở, ban, ngành tỉnh” là một nhóm cơ quan; mỗi nhiệm vụ cần một cơ quan chủ "
        "trì. Hãy ghi nhóm ở cột cơ quan phối hợp, hoặc tách thành nhiệm vụ của từng cơ quan."
    ]


def test_the_admin_applies_proposals_only_when_accepted(
    client, django_user_model, plan, known, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    user = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    user.is_staff = True
    user.save()
    client.force_login(user)
    url = reverse("admin:plans_plan_import", args=[plan.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("ke-hoach.docx", proposals_docx())})
    html = preview.content.decode()
    assert "Cần quyết định (2 dòng)" in html
    assert "<td>Tạo nội dung số 5: HỢP TÁC QUỐC TẾ</td><td>3, 4</td>" in html
    assert 'name="accept_proposals"' in html

    refused = client.post(url, {"action": "apply"})
    assert "còn đề xuất chưa được chấp nhận" in refused.content.decode()
    assert not Task.objects.exists() and not plan.areas.filter(number=5).exists()

    client.post(url, {"file": SimpleUploadedFile("ke-hoach.docx", proposals_docx())})
    response = client.post(url, {"action": "apply", "accept_proposals": "on"})
    assert response.status_code == 302
    assert Task.objects.filter(plan=plan, area__number=5).count() == 2


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_command_needs_acceptance_for_proposals_and_ends_with_the_counts(plan, known, tmp_path):
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(proposals_docx())
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_plan", str(path), "--plan", "12/KH-UBND", stdout=out)
    assert "2 dòng cần quyết định; không lưu gì. Chạy lại với --accept-proposals" in str(excinfo.value)
    assert out.getvalue().splitlines()[-1] == "rows: 2 read, 0 imported, 0 skipped, 2 need a decision"
    assert not Task.objects.exists()

    dry = run_import(path, "--plan", "12/KH-UBND", "--accept-proposals", "--dry-run")
    assert dry.splitlines()[-1] == "rows: 2 read, 0 imported, 0 skipped, 2 need a decision"
    assert not Task.objects.exists()

    output = run_import(path, "--plan", "12/KH-UBND", "--accept-proposals")
    assert "  Đề xuất: Tạo nội dung số 5: HỢP TÁC QUỐC TẾ – dòng 3, 4" in output
    assert output.splitlines()[-1] == "rows: 2 read, 2 imported, 0 skipped, 0 need a decision"
    assert Task.objects.filter(plan=plan).count() == 2
    again = run_import(path, "--plan", "12/KH-UBND")
    assert again.splitlines()[-1] == "rows: 2 read, 0 imported, 0 skipped, 0 need a decision"


def test_the_command_counts_skipped_rows(plan, known, tmp_path):
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(published_docx())
    output = run_import(path, "--plan", "12/KH-UBND")
    assert "  Dòng 2: dòng đánh số cột: “(1) (2) (3) (4) (5) (6)” – bỏ qua" in output
    assert output.splitlines()[-1] == "rows: 6 read, 3 imported, 3 skipped, 0 need a decision"


def test_text_beginning_like_a_formula_is_kept_as_text_with_a_note(plan, known):
    document = docx.Document()
    table = document.add_table(rows=0, cols=4)
    _row(table, "STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời gian")
    _row(table, "I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    _row(table, "1", '=HYPERLINK("http://x")', "Sở Ngoại vụ", "Năm 2024")
    buffer = io.BytesIO()
    document.save(buffer)
    preview = import_preview(plan=plan, file=buffer.getvalue())
    assert preview.rows[0].task.title == '=HYPERLINK("http://x")'
    assert preview.rows[0].notes == [
        "Cột “Nhiệm vụ” bắt đầu bằng “=” như một công thức: được giữ nguyên là chữ, không phải công thức."
    ]


def test_a_word_table_over_the_row_limit_is_refused(plan, known, monkeypatch):
    monkeypatch.setattr("documents.imports.MAX_DATA_ROWS", 5)
    document = docx.Document()
    table = document.add_table(rows=0, cols=4)
    _row(table, "STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời gian")
    for number in range(1, 40):
        _row(table, str(number), f"Nhiệm vụ {number}", "Sở Ngoại vụ", "Năm 2024")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(ImportFileError) as excinfo:
        import_preview(plan=plan, file=buffer.getvalue())
    assert excinfo.value.message.startswith(
        "Bảng nhiệm vụ của văn bản có hơn 5 dòng, quá giới hạn mỗi lần nhập."
    )
