"""Importing a plan's task table from Excel: the deadline parser, the preview, the
all-or-nothing apply, bad files, the admin pages and the command."""

import datetime
import io
import re
import unicodedata
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.imports import (
    HEADERS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    SHEET_NAME,
    ImportFileError,
    ImportRejected,
    Outcome,
    import_preview,
)
from documents.schedule_text import DeadlineTextError, ScheduleFields, parse_deadline_text
from documents.services import plan_import_apply
from plans.models import Deadline, Task
from plans.services import deadline_sync_for_task
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, TaskFactory
from plans.tests.fixtures import make_user

D = datetime.date


# --- The deadline parser --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("31/12/2019", ScheduleFields("one_off", due_on=D(2019, 12, 31))),
        ("Hằng năm, trước 15/12", ScheduleFields("yearly", due_day=15, due_month=12)),
        ("6 tháng", ScheduleFields("half_yearly")),
        ("Hằng quý", ScheduleFields("quarterly")),
        ("Thường xuyên", ScheduleFields("ongoing", report_cycle="yearly")),
        ("Thường xuyên, báo cáo 6 tháng", ScheduleFields("ongoing", report_cycle="half_yearly")),
        ("Thường xuyên, báo cáo hằng quý", ScheduleFields("ongoing", report_cycle="quarterly")),
        ("Thường xuyên, báo cáo hằng năm", ScheduleFields("ongoing", report_cycle="yearly")),
        ("Chưa xác định", ScheduleFields("unspecified")),
        ("6 tháng, ngày 20 tháng cuối kỳ", ScheduleFields("half_yearly", due_day=20)),
        ("Hằng quý, ngày 25 tháng cuối kỳ", ScheduleFields("quarterly", due_day=25)),
    ],
)
def test_each_deadline_form_is_read(text, expected):
    assert parse_deadline_text(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("  hàng năm,   TRƯỚC NGÀY 15/12 ", ScheduleFields("yearly", due_day=15, due_month=12)),
        (
            unicodedata.normalize("NFD", "Hằng năm, trước 5/1"),
            ScheduleFields("yearly", due_day=5, due_month=1),
        ),
        ("hằng năm trước ngày 15 tháng 12", ScheduleFields("yearly", due_day=15, due_month=12)),
        ("1/2/2020", ScheduleFields("one_off", due_on=D(2020, 2, 1))),
        ("ngày 01/02/2020", ScheduleFields("one_off", due_on=D(2020, 2, 1))),
        ("HÀNG QUÝ", ScheduleFields("quarterly")),
        ("6 tháng một lần", ScheduleFields("half_yearly")),
        ("thường xuyên; báo cáo hàng quý", ScheduleFields("ongoing", report_cycle="quarterly")),
        (unicodedata.normalize("NFD", "THƯỜNG XUYÊN"), ScheduleFields("ongoing", report_cycle="yearly")),
        ("chưa xác định (cần bổ sung)", ScheduleFields("unspecified")),
        (datetime.datetime(2020, 3, 1), ScheduleFields("one_off", due_on=D(2020, 3, 1))),
        (D(2020, 3, 1), ScheduleFields("one_off", due_on=D(2020, 3, 1))),
    ],
)
def test_deadline_parser_is_tolerant(text, expected):
    assert parse_deadline_text(text) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("sớm nhất có thể", "Không đọc được thời hạn “sớm nhất có thể”."),
        ("31/02/2020", "Thời hạn “31/02/2020” không phải một ngày có thật."),
        ("Hằng năm", "Thời hạn “Hằng năm”: nhiệm vụ hằng năm cần ngày và tháng hạn"),
        ("Hằng năm, trước 31/2", "Thời hạn “Hằng năm, trước 31/2”: ngày 31/2 không có trong năm."),
        ("Hằng quý, trước 15/12", "Thời hạn “Hằng quý, trước 15/12”: kỳ 6 tháng hoặc hằng quý ghi hạn"),
        ("Hằng quý, cuối tháng 06", "Thời hạn “Hằng quý, cuối tháng 06”: “cuối tháng …” chỉ dùng cho kỳ"),
        (
            "Hằng năm, cuối tháng 06",
            "Thời hạn “Hằng năm, cuối tháng 06”: nhiệm vụ hằng năm cần ngày và tháng",
        ),
        ("Thường xuyên, cuối tháng 13", "Thời hạn “Thường xuyên, cuối tháng 13”: không có tháng 13."),
        (45, "Không đọc được thời hạn “45”."),
        ("", "Thiếu thời hạn."),
    ],
)
def test_an_unreadable_deadline_is_refused_quoting_the_cell(value, message):
    with pytest.raises(DeadlineTextError) as excinfo:
        parse_deadline_text(value)
    assert excinfo.value.message.startswith(message)


ROUND_TRIP = [
    ScheduleFields("one_off", due_on=D(2019, 12, 31)),
    ScheduleFields("one_off", due_on=D(2020, 2, 5)),
    ScheduleFields("yearly", due_day=15, due_month=12),
    ScheduleFields("yearly", due_day=1, due_month=3),
    ScheduleFields("half_yearly"),
    ScheduleFields("half_yearly", due_day=20),
    ScheduleFields("quarterly"),
    ScheduleFields("quarterly", due_day=5),
    ScheduleFields("ongoing", report_cycle="yearly"),
    ScheduleFields("ongoing", report_cycle="yearly", due_day=15, due_month=12),
    ScheduleFields("ongoing", report_cycle="yearly", due_day=20),
    ScheduleFields("ongoing", report_cycle="yearly", due_month=6),
    ScheduleFields("ongoing", report_cycle="half_yearly"),
    ScheduleFields("ongoing", report_cycle="half_yearly", due_day=10),
    ScheduleFields("ongoing", report_cycle="quarterly"),
    ScheduleFields("ongoing", report_cycle="quarterly", due_day=25),
    ScheduleFields("unspecified"),
]


@pytest.mark.parametrize(
    "fields", ROUND_TRIP, ids=lambda f: f"{f.schedule}-{f.report_cycle}-{f.due_day}-{f.due_month}"
)
def test_what_schedule_display_writes_reads_back_to_the_same_fields(fields):
    task = Task(**fields.as_dict())
    assert parse_deadline_text(str(task.schedule_display)) == fields


# --- Workbooks built in the tests -------------------------------------------------------


def xlsx(rows, *, headers=HEADERS, sheet=SHEET_NAME, edit=None) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    if edit:
        edit(workbook, ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def without_dimension(data: bytes, *, row_numbers=True) -> bytes:
    """The same workbook with the sheet's <dimension> record removed, as some writers do,
    and optionally the rows' numbers (which are optional in the format too)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
                if not row_numbers:
                    content = re.sub(rb'<row r="\d+"', b"<row", content)
            target.writestr(item, content)
    return out.getvalue()


@pytest.fixture
def plan(db):
    plan = PlanFactory(number="139/KH-UBND", period_start=D(2019, 1, 1), period_end=D(2021, 12, 31))
    for number in (1, 2, 5):
        ContentAreaFactory(plan=plan, number=number, title=f"Nội dung {number}")
    return plan


@pytest.fixture
def known(db):
    return {
        "tttt": AgencyFactory(code="so-tttt", name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT"),
        "ngoai-vu": AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="Sở Ngoại vụ"),
        "noi-vu": AgencyFactory(code="so-noi-vu", name="Sở Nội vụ", short_name="Sở Nội vụ"),
        "tu-phap": AgencyFactory(code="so-tu-phap", name="Sở Tư pháp", short_name="Sở Tư pháp"),
    }


GOOD_ROWS = [
    ["5.1", 5, "Đẩy mạnh thông tin đối ngoại", "Báo cáo", "Sở TT&TT", "Sở Ngoại vụ; Sở Nội vụ", "31/12/2019"],
    ["5.2", 5, "Báo cáo kết quả hằng năm", "", "Sở Thông tin và Truyền thông", "", "Hằng năm, trước 15/12"],
    [
        "1.1",
        1,
        "Tăng cường chỉ đạo",
        "Kế hoạch",
        "so-ngoai-vu",
        "sở tư pháp",
        "Thường xuyên, báo cáo 6 tháng",
    ],
]


def task_snapshot(plan):
    return sorted(
        (
            task.code,
            task.area.number,
            task.title,
            task.expected_output,
            task.lead_agency.code,
            tuple(sorted(task.cooperating_agencies.values_list("code", flat=True))),
            task.schedule,
            task.due_on,
            task.due_day,
            task.due_month,
            task.report_cycle,
            task.source_note,
        )
        for task in Task.objects.filter(plan=plan)
    )


def deadline_snapshot(plan):
    return sorted(
        Deadline.objects.filter(task__plan=plan).values_list("task__code", "due_on", "period_label")
    )


# --- Preview ----------------------------------------------------------------------------


def test_preview_says_create_update_unchanged_and_rejected_with_excel_row_numbers(plan, known):
    same = TaskFactory(
        area=plan.areas.get(number=2),
        code="2.1",
        title="Giữ nguyên",
        lead_agency=known["noi-vu"],
        schedule="quarterly",
        due_on=None,
    )
    changed = TaskFactory(
        area=plan.areas.get(number=1),
        code="1.1",
        title="Tên cũ",
        expected_output="Kế hoạch",
        lead_agency=known["ngoai-vu"],
        schedule="yearly",
        due_on=None,
        due_day=15,
        due_month=12,
    )
    changed.cooperating_agencies.add(known["noi-vu"])
    data = xlsx(
        [
            GOOD_ROWS[0],
            [None] * 7,  # an empty row is skipped, the numbering stays Excel's
            GOOD_ROWS[2],
            ["2.1", 2, "Giữ nguyên", "", "Sở Nội vụ", "", "Hằng quý"],
            ["9.9", 9, "", "", "Sở TTTT", "", "sớm, trước 31/13"],
        ]
    )
    before = task_snapshot(plan)
    preview = import_preview(plan=plan, file=data)
    assert task_snapshot(plan) == before  # the preview never writes

    assert [(row.number, row.code, row.outcome) for row in preview.rows] == [
        (2, "5.1", "create"),
        (4, "1.1", "update"),
        (5, "2.1", "unchanged"),
        (6, "9.9", "rejected"),
    ]
    assert preview.unchanged[0].task.pk == same.pk
    assert [str(change) for change in preview.to_update[0].changes] == [
        "Nhiệm vụ: Tên cũ → Tăng cường chỉ đạo",
        "Cơ quan phối hợp: 1 cơ quan → thêm Sở Tư pháp, bỏ Sở Nội vụ",
        "Thời hạn: Hằng năm, trước 15/12 → Thường xuyên (báo cáo 6 tháng)",
    ]
    assert preview.rejected[0].errors == [
        "Thiếu nội dung nhiệm vụ (cột “Nhiệm vụ”).",
        "Kế hoạch 139/KH-UBND không có nội dung số 9 (các nội dung có: 1, 2, 5).",
        "Không đọc được thời hạn “sớm, trước 31/13”. Ghi một trong các dạng: 31/12/2019; "
        "Hằng năm, trước 15/12; 6 tháng; Hằng quý; Thường xuyên; Thường xuyên, báo cáo 6 tháng; "
        "Chưa xác định.",
        # A name close to an agency's is the coordinator's to decide: listed after the errors.
        "Cơ quan chủ trì: Không tìm thấy cơ quan “Sở TTTT”. Có phải: Sở Thông tin và Truyền thông? "
        "Hãy chọn cơ quan đã có, hoặc tạo cơ quan mới.",
    ]


@pytest.mark.parametrize(
    "row, reason",
    [
        (["", 5, "Nhiệm vụ", "", "Sở Nội vụ", "", "Hằng quý"], "Thiếu mã nhiệm vụ."),
        (["5.1", 5, "", "", "Sở Nội vụ", "", "Hằng quý"], "Thiếu nội dung nhiệm vụ (cột “Nhiệm vụ”)."),
        (["5.1", 5, "Nhiệm vụ", "", "", "", "Hằng quý"], "Thiếu cơ quan chủ trì."),
        (
            ["5.1", None, "Nhiệm vụ", "", "Sở Nội vụ", "", "Hằng quý"],
            "Thiếu nội dung số (cột “Nội dung số”).",
        ),
        (["5.1", "năm", "Nhiệm vụ", "", "Sở Nội vụ", "", "Hằng quý"], "Nội dung số “năm” không phải một số."),
        (
            ["5.1", 5, "Nhiệm vụ", "", "Sở Nội vụ", "Sở Nội vụ", "Hằng quý"],
            "Sở Nội vụ đã là cơ quan chủ trì, không đồng thời là cơ quan phối hợp.",
        ),
        (
            ["5.1", 5, "Nhiệm vụ", "", "Sở Nội vụ", "", "31/12/2022"],
            "Thời hạn: Hạn 31/12/2022 nằm ngoài thời gian của kế hoạch (01/01/2019 – 31/12/2021).",
        ),
        (
            ["5.1", 5, "Nhiệm vụ", "", "Sở Nội vụ", "", datetime.datetime(2018, 6, 1)],
            "Thời hạn: Hạn 01/06/2018 nằm ngoài thời gian của kế hoạch (01/01/2019 – 31/12/2021).",
        ),
        (
            ["5.1" * 10, 5, "Nhiệm vụ", "", "Sở Nội vụ", "", "Hằng quý"],
            "Mã nhiệm vụ: Giá trị này chỉ có tối đa 20 kí tự (hiện có 30)",
        ),
    ],
    ids=[
        "no-code",
        "no-title",
        "no-lead",
        "no-area",
        "area-not-a-number",
        "lead-cooperates",
        "after-period",
        "excel-date-before-period",
        "code-too-long",
    ],
)
def test_a_bad_row_is_rejected_with_its_reason(plan, known, row, reason):
    preview = import_preview(plan=plan, file=xlsx([row]))
    assert [r.outcome for r in preview.rows] == ["rejected"]
    assert reason in preview.rows[0].errors


def test_a_code_repeated_in_the_file_is_rejected_naming_the_first_row(plan, known):
    preview = import_preview(plan=plan, file=xlsx([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]))
    assert [r.outcome for r in preview.rows] == ["create", "create", "rejected"]
    assert preview.rows[2].errors == ["Mã nhiệm vụ “5.1” bị trùng với dòng 2 trong tệp."]


def test_agencies_match_by_name_short_name_or_code_ignoring_case_spaces_and_composition(plan, known):
    lead = unicodedata.normalize("NFD", "  sở   THÔNG TIN và truyền thông ")
    row = ["5.1", "5", "Nhiệm vụ", "", lead, "SO-NOI-VU;\nsở tư  pháp ;", "Hằng quý"]
    preview = import_preview(plan=plan, file=xlsx([row]))
    (result,) = preview.rows
    assert result.outcome == "create", result.errors
    assert result.task.lead_agency == known["tttt"]
    assert result.cooperating == [known["noi-vu"], known["tu-phap"]]


def test_an_unknown_agency_gets_the_closest_names_as_suggestions(plan, known):
    rows = [
        ["5.1", 5, "Nhiệm vụ", "", "Sở TTTT", "", "Hằng quý"],
        ["5.2", 5, "Nhiệm vụ", "", "So Ngoai Vu", "Sở Tư Phap", "Hằng quý"],
        ["5.3", 5, "Nhiệm vụ", "", "Ủy ban Hoàn toàn Khác", "", "Hằng quý"],
    ]
    preview = import_preview(plan=plan, file=xlsx(rows))
    choose = " Hãy chọn cơ quan đã có, hoặc tạo cơ quan mới."
    # Close to an existing name: perhaps a misspelling, perhaps another agency; the
    # coordinator decides (no default, not even with the proposals accepted).
    assert [row.outcome for row in preview.rows[:2]] == ["decision", "decision"]
    assert preview.rows[0].decisions == [
        "Cơ quan chủ trì: Không tìm thấy cơ quan “Sở TTTT”. Có phải: Sở Thông tin và Truyền thông?" + choose
    ]
    assert preview.rows[1].decisions == [
        "Cơ quan chủ trì: Không tìm thấy cơ quan “So Ngoai Vu”. Có phải: Sở Ngoại vụ?" + choose,
        "Cơ quan phối hợp: Không tìm thấy cơ quan “Sở Tư Phap”. Có phải: Sở Tư pháp?" + choose,
    ]
    assert [(p.name, p.suggestions, p.needs_choice) for p in preview.needing_choice] == [
        ("Sở TTTT", [known["tttt"]], True),
        ("So Ngoai Vu", [known["ngoai-vu"]], True),
        ("Sở Tư Phap", [known["tu-phap"]], True),
    ]
    # A name close to none: not a misspelling but an agency the portal lacks, proposed.
    assert preview.rows[2].outcome == "decision"
    assert preview.rows[2].decisions == [
        "Cơ quan chủ trì: Không tìm thấy cơ quan “Ủy ban Hoàn toàn Khác”. Đề xuất: Tạo cơ quan “Ủy ban Hoàn "
        "toàn Khác” (loại: Đơn vị khác)."
    ]


def test_a_table_written_by_the_portal_imports_back_unchanged(plan, known):
    """Each schedule kind, written as ``schedule_display`` writes it and agencies by
    their short names, imports back with nothing to change."""
    area = plan.areas.get(number=5)
    rows = []
    for number, fields in enumerate(ROUND_TRIP, start=1):
        task = Task(
            plan=plan, area=area, code=f"5.{number}", title=f"Nhiệm vụ {number}", lead_agency=known["tttt"]
        )
        for name, value in fields.as_dict().items():
            setattr(task, name, value)
        task.full_clean()
        task.save()
        task.cooperating_agencies.set([known["noi-vu"], known["tu-phap"]])
        rows.append(
            [task.code, area.number, task.title, task.expected_output, task.lead_agency.short_name,
             "; ".join(a.short_name for a in task.cooperating_agencies.all()), str(task.schedule_display)]
        )  # fmt: skip
    preview = import_preview(plan=plan, file=xlsx(rows))
    assert [(row.code, row.outcome, row.errors) for row in preview.rows] == [
        (row[0], "unchanged", []) for row in rows
    ]


@pytest.mark.parametrize("size", [3, 300])
def test_the_preview_reads_in_a_fixed_number_of_queries(plan, known, size, django_assert_num_queries):
    for number in range(size):
        task = TaskFactory(area=plan.areas.get(number=5), code=f"5.{number}", lead_agency=known["tttt"])
        task.cooperating_agencies.add(known["noi-vu"])
    rows = [
        [f"5.{number}", 5, f"Nhiệm vụ {number}", "", "Sở TT&TT", "Sở Nội vụ; Sở Tư pháp", "Hằng quý"]
        for number in range(size)
    ]
    data = xlsx(rows)
    # Areas, agencies, agency groups, saved name mappings, tasks, cooperating agencies,
    # cooperating groups.
    with django_assert_num_queries(7):
        preview = import_preview(plan=plan, file=data)
    assert len(preview.to_update) == size


# --- Apply -------------------------------------------------------------------------------


def test_apply_creates_and_updates_tasks_with_their_deadlines(plan, known, django_user_model):
    existing = TaskFactory(area=plan.areas.get(number=1), code="1.1", title="Cũ", lead_agency=known["noi-vu"])
    existing.due_on = D(2020, 6, 30)
    existing.save()
    deadline_sync_for_task(task=existing)
    result = plan_import_apply(
        plan=plan, file=xlsx(GOOD_ROWS), file_name="ke-hoach.xlsx", today=D(2019, 1, 1)
    )
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert result.message() == "Đã tạo 2, cập nhật 1 nhiệm vụ."

    created = Task.objects.get(plan=plan, code="5.1")
    assert created.lead_agency == known["tttt"]
    assert set(created.cooperating_agencies.all()) == {known["ngoai-vu"], known["noi-vu"]}
    assert created.source_note == "Nhập từ tệp “ke-hoach.xlsx”, dòng 2, ngày 01/01/2019."
    assert list(created.deadlines.values_list("due_on", flat=True)) == [D(2019, 12, 31)]
    yearly = Task.objects.get(plan=plan, code="5.2")
    assert list(yearly.deadlines.values_list("due_on", flat=True)) == [
        D(2019, 12, 15),
        D(2020, 12, 15),
        D(2021, 12, 15),
    ]
    existing.refresh_from_db()
    assert (existing.pk, existing.title, existing.schedule, existing.report_cycle) == (
        existing.pk,
        "Tăng cường chỉ đạo",
        "ongoing",
        "half_yearly",
    )
    assert existing.lead_agency == known["ngoai-vu"]
    assert len(existing.deadlines.all()) == 6  # two half-years in each of 2019–2021


def test_importing_the_same_file_twice_changes_nothing_the_second_time(plan, known):
    data = xlsx(GOOD_ROWS)
    plan_import_apply(plan=plan, file=data, file_name="a.xlsx")
    tasks, deadlines = task_snapshot(plan), deadline_snapshot(plan)
    assert len(tasks) == 3 and len(deadlines) > 3

    preview = import_preview(plan=plan, file=data)
    assert [row.outcome for row in preview.rows] == ["unchanged"] * 3
    result = plan_import_apply(plan=plan, file=data, file_name="a.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert task_snapshot(plan) == tasks
    assert deadline_snapshot(plan) == deadlines


def test_a_file_with_one_bad_row_saves_nothing(plan, known):
    bad = ["5.9", 5, "Nhiệm vụ", "", "Sở TTTT", "", "Hằng quý"]
    with pytest.raises(ImportRejected) as excinfo:
        plan_import_apply(plan=plan, file=xlsx([*GOOD_ROWS, bad]))
    assert excinfo.value.messages == [
        "Dòng 5: Cơ quan chủ trì: Không tìm thấy cơ quan “Sở TTTT”. Có phải: Sở Thông tin và Truyền thông? "
        "Hãy chọn cơ quan đã có, hoặc tạo cơ quan mới."
    ]
    assert not Task.objects.filter(plan=plan).exists()
    assert not Deadline.objects.exists()


# --- Bad files ---------------------------------------------------------------------------


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def docx_without_task_table():
    document = docx.Document()
    document.add_paragraph("Kế hoạch không có bảng nhiệm vụ")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Họ và tên", "Chức vụ"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def merged(workbook, ws):
    ws.merge_cells("A3:B3")


def formula(workbook, ws):
    ws["G3"] = "=TODAY()+30"


def with_entity_declaration(data: bytes) -> bytes:
    """The same workbook whose sheet declares an XML entity, as entity-expansion attacks
    ("billion laughs") do; a harmless one here, which a plain XML parser would accept."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert content.startswith(b"<worksheet")  # openpyxl writes no XML declaration
                content = b'<!DOCTYPE worksheet [<!ENTITY a "x">]>' + content
            target.writestr(item, content)
    return out.getvalue()


BAD_FILES = {
    "random-bytes": (
        lambda: b"\x00\x01garbage" * 100,
        "Tệp không phải bảng tính Excel (.xlsx) hay văn bản Word (.docx).",
    ),
    "empty": (lambda: b"", "Tệp tải lên trống (0 byte)."),
    "docx": (docx_bytes, "Hệ thống không đọc tệp này: tệp không phải tài liệu Word (.docx) hợp lệ"),
    "docx-without-task-table": (
        docx_without_task_table,
        "Không tìm thấy bảng nhiệm vụ trong tệp. Bảng cần một dòng tiêu đề có ít nhất các cột nội dung "
        "nhiệm vụ và cơ quan chủ trì",
    ),
    "xls": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
        "Tệp là bảng tính Excel 97–2003 (.xls)",
    ),
    "too-big": (lambda: b"PK" + b"\x00" * MAX_FILE_BYTES, "Tệp lớn hơn giới hạn 5 MB."),
    "no-task-table": (
        lambda: xlsx([["Báo cáo", "Số liệu"]], headers=["Tên", "Ghi chú"], sheet="Sheet1"),
        "Không tìm thấy bảng nhiệm vụ trong tệp.",
    ),
    "missing-columns": (
        lambda: xlsx([], headers=HEADERS[:3] + HEADERS[4:6]),
        "Dòng tiêu đề (dòng 1) của trang “Nhiệm vụ” thiếu cột: “Sản phẩm”, “Thời hạn”.",
    ),
    "no-rows": (lambda: xlsx([]), "Trang “Nhiệm vụ” chưa có dòng nhiệm vụ nào dưới dòng tiêu đề."),
    "too-many-rows": (
        lambda: xlsx([GOOD_ROWS[1]] * (MAX_DATA_ROWS + 1)),
        "Trang “Nhiệm vụ” có 2.001 dòng dữ liệu, quá giới hạn 2.000 dòng mỗi lần nhập.",
    ),
    # A sheet whose dimension says 50,000 rows is refused on the dimension alone.
    "50000-rows-by-dimension": (
        lambda: xlsx(GOOD_ROWS, edit=lambda wb, ws: ws.cell(row=50001, column=1, value="x")),
        "Trang “Nhiệm vụ” có 50.000 dòng dữ liệu, quá giới hạn 2.000 dòng mỗi lần nhập.",
    ),
    # Without a dimension record, the rows' numbers tell, or the rows are counted.
    "too-many-rows-no-dimension": (
        lambda: without_dimension(xlsx([GOOD_ROWS[1]] * (MAX_DATA_ROWS + 5))),
        "Trang “Nhiệm vụ” có 2.001 dòng dữ liệu, quá giới hạn 2.000 dòng mỗi lần nhập.",
    ),
    "too-many-rows-counted": (
        lambda: without_dimension(xlsx([GOOD_ROWS[1]] * (MAX_DATA_ROWS + 5)), row_numbers=False),
        "Trang “Nhiệm vụ” có hơn 2.000 dòng dữ liệu, quá giới hạn 2.000 dòng mỗi lần nhập.",
    ),
    "formula": (
        lambda: xlsx(GOOD_ROWS, edit=formula),
        "Ô G3 chứa công thức. Hãy thay công thức bằng giá trị",
    ),
    "merged": (lambda: xlsx(GOOD_ROWS, edit=merged), "Trang “Nhiệm vụ” có ô gộp: A3:B3. Hãy bỏ gộp ô"),
    "xml-entity": (lambda: with_entity_declaration(xlsx(GOOD_ROWS)), "Không đọc được tệp Excel: tệp bị hỏng"),
}


@pytest.fixture(params=list(BAD_FILES), ids=list(BAD_FILES))
def bad_file(request):
    make, message = BAD_FILES[request.param]
    return make(), message


def test_a_bad_file_is_refused_with_one_vietnamese_message(plan, known, bad_file):
    data, message = bad_file
    with pytest.raises(ImportFileError) as excinfo:
        import_preview(plan=plan, file=data)
    assert excinfo.value.message.startswith(message)


@pytest.mark.parametrize("row_numbers", [True, False])
def test_a_file_without_dimension_but_within_the_limit_is_read(plan, known, row_numbers):
    data = without_dimension(xlsx(GOOD_ROWS), row_numbers=row_numbers)
    preview = import_preview(plan=plan, file=data)
    assert [(row.number, row.outcome) for row in preview.rows] == [(n, "create") for n in (2, 3, 4)]


# --- Command -------------------------------------------------------------------------------


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out)
    return out.getvalue()


def test_command_applies_a_good_file_and_prints_each_row(plan, known, tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx(GOOD_ROWS))
    output = run_import(path, "--plan", "139/KH-UBND")
    assert (
        "Kế hoạch 139/KH-UBND: 3 dòng. Tạo mới: 3, cập nhật: 0, không đổi: 0, cần quyết định: 0, "
        "bị từ chối: 0."
    ) in output
    assert "  Dòng 2 [5.1]: tạo mới" in output
    assert "Đã tạo 3, cập nhật 0 nhiệm vụ." in output
    assert Task.objects.filter(plan=plan).count() == 3
    assert Deadline.objects.filter(task__plan=plan).exists()
    again = run_import(path, "--plan", "139/KH-UBND")
    assert "Không có thay đổi nào so với kế hoạch" in again


def test_command_dry_run_saves_nothing(plan, known, tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx(GOOD_ROWS))
    output = run_import(path, "--plan", "139/KH-UBND", "--dry-run")
    assert "Tạo mới: 3" in output and "không lưu gì" in output
    assert not Task.objects.exists()


def test_command_refuses_a_file_with_a_rejected_row_and_saves_nothing(plan, known, tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx([*GOOD_ROWS, ["5.9", 9, "Nhiệm vụ", "", "Sở Nội vụ", "", "Hằng quý"]]))
    with pytest.raises(CommandError) as excinfo:
        run_import(path, "--plan", "139/KH-UBND")
    assert str(excinfo.value) == (
        "1 dòng bị từ chối; không lưu gì. Sửa tệp rồi chạy lại:\n"
        "  Dòng 5: Kế hoạch 139/KH-UBND không có nội dung số 9 (các nội dung có: 1, 2, 5)."
    )
    assert not Task.objects.exists()
    assert not Deadline.objects.exists()


def test_command_refuses_a_bad_file(plan, known, tmp_path, bad_file):
    data, message = bad_file
    path = tmp_path / "bang.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError) as excinfo:
        run_import(path, "--plan", "139/KH-UBND")
    assert str(excinfo.value).startswith(f"Tệp “bang.xlsx”: {message}")


def test_command_refuses_an_unknown_plan_or_a_missing_file(plan, tmp_path):
    with pytest.raises(CommandError, match="Không có kế hoạch số “1/KH-XX”."):
        run_import(tmp_path / "a.xlsx", "--plan", "1/KH-XX")
    with pytest.raises(CommandError, match="Không mở được tệp"):
        run_import(tmp_path / "khong-co.xlsx", "--plan", "139/KH-UBND")


# --- Admin ---------------------------------------------------------------------------------


@pytest.fixture
def stash_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path / "plan-imports"


@pytest.fixture
def coordinator(client, django_user_model, known):
    user = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def upload(client, plan, data, name="bang.xlsx"):
    return client.post(
        reverse("admin:plans_plan_import", args=[plan.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def apply(client, plan):
    return client.post(reverse("admin:plans_plan_import", args=[plan.pk]), {"action": "apply"})


def test_plan_change_page_links_to_the_import(coordinator, plan):
    response = coordinator.get(reverse("admin:plans_plan_change", args=[plan.pk]))
    assert response.status_code == 200
    url = reverse("admin:plans_plan_import", args=[plan.pk])
    assert f'<a href="{url}">Nhập nhiệm vụ từ Excel</a>' in response.content.decode()


def test_admin_import_end_to_end(coordinator, plan, known, stash_dir):
    page = coordinator.get(reverse("admin:plans_plan_import", args=[plan.pk]))
    assert page.status_code == 200
    assert reverse("admin:plans_plan_import_template", args=[plan.pk]) in page.content.decode()
    assert "tối đa 2.000 dòng, không quá 5 MB." in page.content.decode()

    preview = upload(coordinator, plan, xlsx(GOOD_ROWS))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Tạo mới (3)" in html and 'value="Áp dụng"' in html
    assert "<td>Sở Ngoại vụ; Sở Nội vụ</td>" in html  # cooperating agencies of row 2
    assert not Task.objects.exists()
    assert len(list(stash_dir.iterdir())) == 1

    response = apply(coordinator, plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:plans_plan_change", args=[plan.pk])
    assert Task.objects.filter(plan=plan).count() == 3
    assert Deadline.objects.filter(task__plan=plan).count() == 1 + 3 + 6
    assert "người nhập: ngoaivu" in Task.objects.get(code="5.1").source_note
    assert list(stash_dir.iterdir()) == []  # the kept file is gone
    follow = coordinator.get(response["Location"])
    assert "Đã tạo 3, cập nhật 0 nhiệm vụ." in follow.content.decode()

    # Applying again without a new upload does nothing.
    again = apply(coordinator, plan)
    assert again.status_code == 200
    assert "Không còn tệp đã kiểm tra" in again.content.decode()
    assert Task.objects.filter(plan=plan).count() == 3


def test_admin_preview_shows_rejected_rows_and_no_apply_button(coordinator, plan, known, stash_dir):
    bad = ["5.9", 5, "Nhiệm vụ", "", "Sở TTTT", "", "31/02/2020"]
    response = upload(coordinator, plan, xlsx([*GOOD_ROWS, bad]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dòng bị từ chối (1)" in html
    assert "Không tìm thấy cơ quan “Sở TTTT”. Có phải: Sở Thông tin và Truyền thông?" in html
    assert 'value="Áp dụng"' not in html
    # Forcing the apply step anyway finds no file kept, and saves nothing.
    assert apply(coordinator, plan).status_code == 200
    assert not Task.objects.exists()


def test_admin_apply_revalidates_and_saves_nothing_when_a_row_became_bad(coordinator, plan, known, stash_dir):
    """Between preview and apply the area of one row is removed: the apply re-reads the
    file, rejects that row and saves none of the three good ones."""
    rows = [*GOOD_ROWS, ["2.1", 2, "Nhiệm vụ nội dung 2", "", "Sở Nội vụ", "", "Hằng quý"]]
    response = upload(coordinator, plan, xlsx(rows))
    assert "Tạo mới (4)" in response.content.decode()
    plan.areas.get(number=2).delete()

    response = apply(coordinator, plan)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kiểm tra lại khi áp dụng thấy dòng bị từ chối; chưa lưu gì." in html
    assert "Kế hoạch 139/KH-UBND không có nội dung số 2 (các nội dung có: 1, 5)." in html
    assert not Task.objects.exists()
    assert not Deadline.objects.exists()
    assert list(stash_dir.iterdir()) == []


def test_admin_shows_a_bad_file_message_without_a_server_error(coordinator, plan, stash_dir, bad_file):
    data, message = bad_file
    response = upload(coordinator, plan, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_admin_asks_for_a_file(coordinator, plan):
    response = coordinator.post(reverse("admin:plans_plan_import", args=[plan.pk]), {})
    assert response.status_code == 200
    assert "Hãy chọn tệp cần nhập." in response.content.decode()


def test_admin_import_needs_the_task_permissions(client, django_user_model, plan, known):
    officer = make_user(django_user_model, "canbo", "officer", known["tttt"])
    officer.is_staff = True  # even with admin access, the permissions are missing
    officer.save()
    client.force_login(officer)
    for name in ("admin:plans_plan_import", "admin:plans_plan_import_template"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 403
    assert (
        client.post(reverse("admin:plans_plan_import", args=[plan.pk]), {"action": "apply"}).status_code
        == 403
    )

    # An officer as the roles make them (no admin access) is sent to the admin login.
    plain = make_user(django_user_model, "canbo2", "officer", known["tttt"])
    client.force_login(plain)
    response = client.get(reverse("admin:plans_plan_import", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_template_has_the_header_row_and_a_guide_sheet(coordinator, plan, known):
    response = coordinator.get(reverse("admin:plans_plan_import_template", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [SHEET_NAME, "Hướng dẫn"]
    sheet = workbook[SHEET_NAME]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1  # no example row where it could be imported
    guide = [cell for row in workbook["Hướng dẫn"].iter_rows(values_only=True) for cell in row if cell]
    assert "Sở Thông tin và Truyền thông" in guide and "Sở TT&TT" in guide
    assert "Hằng năm, trước 15/12" in guide
    assert "Nội dung 5" in guide
    assert any("dấu chấm phẩy “;”" in str(text) for text in guide)


def test_a_filled_in_template_imports(coordinator, plan, known):
    response = coordinator.get(reverse("admin:plans_plan_import_template", args=[plan.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    for row in GOOD_ROWS:
        workbook[SHEET_NAME].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = import_preview(plan=plan, file=buffer.getvalue())
    assert [row.outcome for row in preview.rows] == ["create"] * 3


def test_the_exported_task_table_imports_back_unchanged(coordinator, plan, known):
    # Export, edit in Excel, import: rows left alone must come back "không đổi".
    for number, fields in enumerate(ROUND_TRIP, start=1):
        task = Task(
            plan=plan,
            area=plan.areas.get(number=5),
            code=f"5.{number}",
            title=f"Nhiệm vụ {number}",
            expected_output="Báo cáo" if number % 2 else "",
            lead_agency=known["tttt"],
            **fields.as_dict(),
        )
        task.full_clean()
        task.save()
        task.cooperating_agencies.set([known["noi-vu"], known["ngoai-vu"]][: number % 3])
    page = coordinator.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    url = reverse("admin:plans_plan_task_table", args=[plan.pk])
    assert url in page

    response = coordinator.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bang-nhiem-vu-139kh-ubnd.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[SHEET_NAME]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == len(ROUND_TRIP) + 1
    preview = import_preview(plan=plan, file=response.content)
    assert not preview.rejected
    assert [row.outcome for row in preview.rows] == [Outcome.UNCHANGED] * len(ROUND_TRIP)
