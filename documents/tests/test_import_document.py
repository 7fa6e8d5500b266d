"""A plan created from its document: the header read (issuer, number, date, kind, title,
period), the plan proposed from it, and the admin page and command that create it as a
draft with its areas, agencies and tasks."""

import datetime
import io

import docx
import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.document_header import header_parse, header_read, issuer_name, plan_proposal
from documents.imports import ImportRejected, read_rows
from documents.services import plan_import_new
from plans.models import Agency, ContentArea, Plan, Task
from plans.tests.factories import AgencyFactory, PlanFactory
from plans.tests.fixtures import make_user

D = datetime.date
TITLE = "Thực hiện công tác đối ngoại tỉnh Điện Biên giai đoạn 2019 – 2021 và các năm tiếp theo"


def _row(table, *values):
    row = table.add_row()
    for cell, value in zip(row.cells, values, strict=False):
        cell.paragraphs[0].add_run(value)
    return row


def _task_table(document, *, refused=False):
    table = document.add_table(rows=0, cols=5)
    _row(table, "STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện")
    _row(table, "I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    _row(
        table,
        "1",
        "Xây dựng kế hoạch đối ngoại hằng năm",
        "Sở Ngoại vụ",
        "Sở Nội vụ",
        "Hằng năm, trước 15/12",
    )
    _row(table, "II", "HỢP TÁC QUỐC TẾ")
    _row(table, "1", "Ký kết thỏa thuận hợp tác", "Sở Ngoại vụ", "Hội Hữu nghị Việt – Lào tỉnh", "31/12/2020")
    if refused:
        _row(table, "2", "Tổng kết", "", "", "Trước ngày 45/13/2020")


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def plan_docx(*, refused=False, date_line="Điện Biên, ngày 12 tháng 01 năm 2021", number="139/KH-UBND"):
    """A plan as issued: the header in a borderless two-column table (issuer and number
    left, national motto and date right), the kind and title, then the task table."""
    document = docx.Document()
    layout = document.add_table(rows=2, cols=2)
    layout.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH ĐIỆN BIÊN"
    layout.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    layout.cell(1, 0).text = f"Số: {number}"
    layout.cell(1, 1).text = date_line
    document.add_paragraph("")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Thực hiện công tác đối ngoại tỉnh Điện Biên")
    document.add_paragraph("giai đoạn 2019 – 2021 và các năm tiếp theo")
    document.add_paragraph("-----------")
    document.add_paragraph("Căn cứ Luật Tổ chức chính quyền địa phương năm 2015;")
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    _task_table(document, refused=refused)
    return _save(document)


# --- Reading the header ------------------------------------------------------------------


def test_a_header_in_a_layout_table_gives_the_plan_and_its_open_period():
    header = header_read(plan_docx())
    assert (header.issuer, header.number, header.issued_on, header.kind) == (
        "UBND tỉnh Điện Biên",
        "139/KH-UBND",
        D(2021, 1, 12),
        "Kế hoạch",
    )
    assert header.title == TITLE
    assert (header.period_start, header.period_end, header.period_open) == (D(2019, 1, 1), None, True)


def test_a_header_in_plain_paragraphs_with_tabs_and_the_title_on_the_kind_line():
    document = docx.Document()
    document.add_paragraph("UBND TỈNH ĐIỆN BIÊN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    document.add_paragraph("\tĐộc lập - Tự do - Hạnh phúc")
    document.add_paragraph("Số: 25/KH-UBND\tĐiện Biên, ngày 3/3/2024")
    document.add_paragraph("KẾ HOẠCH Triển khai công tác đối ngoại năm 2024")
    _task_table(document)
    header = header_read(_save(document))
    assert (header.issuer, header.number, header.issued_on) == (
        "UBND tỉnh Điện Biên",
        "25/KH-UBND",
        D(2024, 3, 3),
    )
    assert header.title == "Triển khai công tác đối ngoại năm 2024"
    assert (header.period_start, header.period_end) == (D(2024, 1, 1), D(2024, 12, 31))


def appendix_docx():
    document = docx.Document()
    document.add_paragraph("PHỤ LỤC")
    document.add_paragraph("DANH MỤC NHIỆM VỤ THỰC HIỆN CÔNG TÁC ĐỐI NGOẠI GIAI ĐOẠN 2021 – 2025")
    document.add_paragraph("(Kèm theo Kế hoạch số 139/KH-UBND ngày 12/01/2021 của UBND tỉnh Điện Biên)")
    _task_table(document)
    return _save(document)


def test_an_appendix_names_its_plan_in_the_line_it_is_issued_with():
    header = header_read(appendix_docx())
    assert (header.number, header.issued_on, header.issuer, header.kind) == (
        "139/KH-UBND",
        D(2021, 1, 12),
        "UBND tỉnh Điện Biên",
        "Kế hoạch",
    )
    assert header.appendix and header.title == ""
    assert (header.period_start, header.period_end) == (D(2021, 1, 1), D(2025, 12, 31))
    proposal = plan_proposal(header, today=D(2026, 5, 1), default_issuer="UBND tỉnh Điện Biên")
    assert proposal.notes["number"] == "Được đọc từ dòng “Kèm theo…” của phụ lục."
    assert proposal.notes["title"] == "Phụ lục không ghi trích yếu của kế hoạch: hãy nhập."
    assert proposal.notes["period_start"] == "Được đọc từ tên phụ lục."


def test_a_missing_date_and_period_are_marked_and_assumed():
    header = header_parse(
        [
            "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN",
            "Số:      /KH-UBND",
            "Điện Biên, ngày      tháng      năm 2024",
            "KẾ HOẠCH",
            "Tăng cường công tác thông tin đối ngoại",
            "",
            "Căn cứ …",
        ]
    )
    assert header.issued_on is None and header.number == ""
    assert header.title == "Tăng cường công tác thông tin đối ngoại"
    assert header.period_start is None
    coordinator = Agency(name="Sở Ngoại vụ")
    proposal = plan_proposal(
        header, today=D(2025, 6, 1), default_issuer="UBND tỉnh Điện Biên", coordinating_agency=coordinator
    )
    assert proposal.values["period_start"] == D(2025, 1, 1)
    assert proposal.values["period_end"] is None
    assert proposal.notes["period_start"] == (
        "Trích yếu không ghi giai đoạn: giả định bắt đầu từ 01/01/2025 (năm nay)."
    )
    assert proposal.notes["issued_on"].startswith("Không tìm thấy ngày ban hành")
    assert proposal.notes["number"].startswith("Không tìm thấy trong văn bản")
    assert proposal.notes["coordinating_agency"] == "Văn bản không ghi: giả định “Sở Ngoại vụ”."
    assert "issuer" not in proposal.notes and proposal.values["issuer"] == "UBND tỉnh Điện Biên"
    assert proposal.missing == ["number"]


def test_a_missing_issuer_is_assumed_and_a_department_under_its_parent_is_the_issuer():
    proposal = plan_proposal(
        header_parse(["Số: 7/KH-SNgV", "KẾ HOẠCH", "Đón đoàn năm 2025"]),
        today=D(2025, 1, 1),
        default_issuer="UBND tỉnh Điện Biên",
    )
    assert proposal.values["issuer"] == "UBND tỉnh Điện Biên"
    assert proposal.notes["issuer"] == "Không tìm thấy trong văn bản: giả định “UBND tỉnh Điện Biên”."
    assert header_parse(["UBND TỈNH ĐIỆN BIÊN", "SỞ NGOẠI VỤ", "Số: 7/KH-SNgV"]).issuer == "Sở Ngoại vụ"
    assert issuer_name("UBND TỈNH ĐIỆN BIÊN") == "UBND tỉnh Điện Biên"
    assert issuer_name("ỦY BAN NHÂN DÂN HUYỆN MƯỜNG CHÀ") == "UBND huyện Mường Chà"


def test_the_title_rows_above_an_excel_table_are_its_header():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["UBND TỈNH ĐIỆN BIÊN", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    sheet.append(["Số: 88/KH-UBND", None, "Điện Biên, ngày 05 tháng 02 năm 2025"])
    sheet.append(["KẾ HOẠCH"])
    sheet.append(["Công tác đối ngoại năm 2025"])
    sheet.append(["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"])
    sheet.append(["I", "CÔNG TÁC CHỈ ĐẠO"])
    sheet.append([1, "Xây dựng kế hoạch", "Sở Ngoại vụ", None, "31/12/2025"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert len(read_rows(data)) == 1
    header = header_read(data)
    assert (header.issuer, header.number, header.issued_on, header.title) == (
        "UBND tỉnh Điện Biên",
        "88/KH-UBND",
        D(2025, 2, 5),
        "Công tác đối ngoại năm 2025",
    )
    assert (header.period_start, header.period_end) == (D(2025, 1, 1), D(2025, 12, 31))


# --- The admin page ----------------------------------------------------------------------


@pytest.fixture
def known(db):
    return {
        "ngoai-vu": AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="SNgV"),
        "noi-vu": AgencyFactory(code="so-noi-vu", name="Sở Nội vụ", short_name="SNV"),
    }


@pytest.fixture
def coordinator_client(client, django_user_model, known, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    user = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


URL = "admin:plans_plan_import_document"


def _confirm(client, **changes):
    data = {
        "action": "create",
        "number": "139/KH-UBND",
        "title": TITLE,
        "issuer": "UBND tỉnh Điện Biên",
        "issued_on": "12/01/2021",
        "period_start": "01/01/2019",
        "period_end": "",
        "coordinating_agency": str(Agency.objects.get(code="so-ngoai-vu").pk),
        "accept_proposals": "on",
    }
    data.update(changes)
    return client.post(reverse(URL), {key: value for key, value in data.items() if value is not None})


def test_the_plan_list_offers_the_document_import_to_who_may_use_it(coordinator_client, client, known):
    changelist = coordinator_client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert f'href="{reverse(URL)}">Nhập kế hoạch từ văn bản</a>' in changelist


def test_the_document_proposes_the_plan_and_creates_it_as_a_draft_with_its_tasks(coordinator_client, known):
    preview = coordinator_client.post(reverse(URL), {"file": SimpleUploadedFile("kh-139.docx", plan_docx())})
    html = preview.content.decode()
    assert 'name="number" value="139/KH-UBND"' in html
    assert f"{TITLE}</textarea>" in html
    assert 'name="issued_on" value="12/01/2021"' in html
    assert 'name="period_start" value="01/01/2019"' in html
    assert "Văn bản không ghi: giả định “Sở Ngoại vụ”." in html
    assert "<td>Tạo nội dung số 2: HỢP TÁC QUỐC TẾ</td>" in html
    assert "Cần quyết định (2 dòng)" in html
    assert not Plan.objects.exists()

    # The coordinator edits the title before confirming.
    response = _confirm(
        coordinator_client, title="Kế hoạch đối ngoại giai đoạn 2019 – 2021 và các năm tiếp theo"
    )
    assert response.status_code == 302, response.content.decode()
    plan = Plan.objects.get(number="139/KH-UBND")
    assert (plan.status, plan.title, plan.issued_on, plan.period_start, plan.period_end) == (
        Plan.Status.DRAFT,
        "Kế hoạch đối ngoại giai đoạn 2019 – 2021 và các năm tiếp theo",
        D(2021, 1, 12),
        D(2019, 1, 1),
        None,
    )
    assert plan.coordinating_agency.code == "so-ngoai-vu"
    assert sorted(ContentArea.objects.filter(plan=plan).values_list("number", "title")) == [
        (1, "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
        (2, "HỢP TÁC QUỐC TẾ"),
    ]
    assert sorted(Task.objects.filter(plan=plan).values_list("code", flat=True)) == ["I.1", "II.1"]
    assert Agency.objects.filter(name="Hội Hữu nghị Việt – Lào tỉnh").exists()
    assert "kh-139.docx" in plan.source_note


def test_a_refused_row_creates_no_plan(coordinator_client, known):
    preview = coordinator_client.post(
        reverse(URL), {"file": SimpleUploadedFile("kh.docx", plan_docx(refused=True))}
    ).content.decode()
    assert "Dòng bị từ chối (1)" in preview
    assert 'value="Tạo kế hoạch và nhập nhiệm vụ"' not in preview
    # Nothing was kept to confirm: a forged confirmation creates nothing.
    refused = _confirm(coordinator_client)
    assert "Không còn văn bản đã kiểm tra" in refused.content.decode()
    assert not Plan.objects.exists() and not ContentArea.objects.exists()


def test_proposals_not_accepted_roll_the_new_plan_back(coordinator_client, known):
    coordinator_client.post(reverse(URL), {"file": SimpleUploadedFile("kh.docx", plan_docx())})
    response = _confirm(coordinator_client, accept_proposals=None)
    assert "Chưa tạo kế hoạch, chưa lưu gì" in response.content.decode()
    assert not Plan.objects.exists() and not Task.objects.exists()
    assert not Agency.objects.filter(name="Hội Hữu nghị Việt – Lào tỉnh").exists()


def test_an_invalid_field_is_marked_and_nothing_is_created(coordinator_client, known):
    coordinator_client.post(reverse(URL), {"file": SimpleUploadedFile("kh.docx", plan_docx())})
    response = _confirm(coordinator_client, period_end="31/12/2018")
    html = response.content.decode()
    assert "Chưa tạo kế hoạch: hãy sửa các mục được đánh dấu bên dưới." in html
    assert "Thời gian kết thúc không được trước thời gian bắt đầu." in html
    assert not Plan.objects.exists()
    # The kept rows are still there: corrected, the plan is created.
    assert _confirm(coordinator_client).status_code == 302
    assert Plan.objects.filter(number="139/KH-UBND").exists()


def test_an_appendix_proposes_its_plan_and_the_coordinator_writes_the_title(coordinator_client, known):
    html = coordinator_client.post(
        reverse(URL), {"file": SimpleUploadedFile("phu-luc.docx", appendix_docx())}
    ).content.decode()
    assert 'name="number" value="139/KH-UBND"' in html
    assert "Được đọc từ dòng “Kèm theo…” của phụ lục." in html
    assert "Phụ lục không ghi trích yếu của kế hoạch: hãy nhập." in html
    assert 'name="period_end" value="31/12/2025"' in html
    missing = _confirm(coordinator_client, title="", period_start="01/01/2021", period_end="31/12/2025")
    assert "Chưa tạo kế hoạch: hãy sửa các mục được đánh dấu bên dưới." in missing.content.decode()
    assert not Plan.objects.exists()
    # The task due 31/12/2020 lies before the period the appendix's heading names: refused
    # when applied, nothing saved, and the form is there to correct the period.
    outside = _confirm(
        coordinator_client, period_start="01/01/2021", period_end="31/12/2025"
    ).content.decode()
    assert (
        "Chưa tạo kế hoạch, chưa lưu gì: khi áp dụng, 1 dòng bị từ chối. Dòng 5: Thời hạn: Hạn 31/12/2020 "
        "nằm ngoài thời gian của kế hoạch (01/01/2021 – 31/12/2025)."
    ) in outside
    assert 'value="Tạo kế hoạch và nhập nhiệm vụ"' in outside and 'name="accept_proposals"' in outside
    assert not Plan.objects.exists()
    response = _confirm(coordinator_client, period_start="01/01/2019", period_end="31/12/2025")
    assert response.status_code == 302
    plan = Plan.objects.get(number="139/KH-UBND")
    assert (plan.title, plan.period_start, plan.period_end) == (TITLE, D(2019, 1, 1), D(2025, 12, 31))


def test_an_existing_number_points_to_that_plans_import(coordinator_client, known):
    plan = PlanFactory(number="139/KH-UBND")
    response = coordinator_client.post(reverse(URL), {"file": SimpleUploadedFile("kh.docx", plan_docx())})
    html = response.content.decode()
    assert "đã có trong hệ thống: không tạo kế hoạch mới" in html
    assert f'href="{reverse("admin:plans_plan_import", args=[plan.pk])}"' in html
    assert 'name="action" value="create"' not in html
    assert Plan.objects.count() == 1


def test_the_page_needs_permission_to_add_plans_and_import_tasks(client, django_user_model, known):
    """Who may import a plan's tasks but not add plans sees the plan list without the
    button, and is refused the page."""
    user = django_user_model.objects.create_user("nhaplieu", password="Mat-khau-2026", is_staff=True)
    codenames = ["view_plan", "add_task", "change_task"]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="plans", codename__in=codenames)
    )
    client.force_login(user)
    changelist = client.get(reverse("admin:plans_plan_changelist"))
    assert changelist.status_code == 200
    assert "Nhập kế hoạch từ văn bản" not in changelist.content.decode()
    assert client.get(reverse(URL)).status_code == 403
    response = client.post(reverse(URL), {"file": SimpleUploadedFile("kh.docx", plan_docx())})
    assert response.status_code == 403
    assert not Plan.objects.exists()


# --- The command ----------------------------------------------------------------------------


def test_the_command_prints_the_proposed_plan_and_needs_acceptance(known, tmp_path):
    path = tmp_path / "kh-139.docx"
    path.write_bytes(plan_docx())
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_plan", str(path), stdout=out)
    output = out.getvalue()
    assert "Kế hoạch số 139/KH-UBND chưa có trong hệ thống" in output
    assert f"  Trích yếu: {TITLE}" in output
    assert "  Thời gian kết thúc: (không thời hạn)" in output
    assert "  Cơ quan đầu mối theo dõi: Sở Ngoại vụ – Lưu ý: Văn bản không ghi" in output
    assert output.splitlines()[-1] == "rows: 2 read, 0 imported, 0 skipped, 2 need a decision"
    assert "chạy lại với --accept-proposals" in str(excinfo.value)
    assert not Plan.objects.exists()

    dry = io.StringIO()
    call_command("import_plan", str(path), "--accept-proposals", "--dry-run", stdout=dry)
    assert "Chạy thử (--dry-run): không lưu gì." in dry.getvalue()
    assert not Plan.objects.exists()

    done = io.StringIO()
    call_command("import_plan", str(path), "--accept-proposals", stdout=done)
    assert done.getvalue().splitlines()[-1] == "rows: 2 read, 2 imported, 0 skipped, 0 need a decision"
    plan = Plan.objects.get(number="139/KH-UBND")
    assert plan.status == Plan.Status.DRAFT and plan.period_start == D(2019, 1, 1)
    assert Task.objects.filter(plan=plan).count() == 2

    # Now the document names an existing plan: its tasks are imported there.
    again = io.StringIO()
    call_command("import_plan", str(path), stdout=again)
    assert "Kế hoạch 139/KH-UBND: 2 dòng." in again.getvalue()
    assert again.getvalue().splitlines()[-1] == "rows: 2 read, 0 imported, 0 skipped, 0 need a decision"
    assert Plan.objects.count() == 1


def test_the_command_cannot_create_a_plan_without_its_title(known, tmp_path):
    path = tmp_path / "phu-luc.docx"
    path.write_bytes(appendix_docx())
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_plan", str(path), "--accept-proposals", stdout=out)
    assert (
        "  Trích yếu: (không có) – Lưu ý: Phụ lục không ghi trích yếu của kế hoạch: hãy nhập."
        in out.getvalue()
    )
    assert str(excinfo.value) == (
        "Văn bản không cho biết trích yếu của kế hoạch; không lưu gì. Hãy dùng trang quản trị “Nhập kế "
        "hoạch từ văn bản” để nhập các mục này."
    )
    assert out.getvalue().splitlines()[-1] == "rows: 2 read, 0 imported, 0 skipped, 2 need a decision"
    assert not Plan.objects.exists()


def test_the_command_refuses_a_document_with_a_refused_row_and_creates_nothing(known, tmp_path):
    path = tmp_path / "kh.docx"
    path.write_bytes(plan_docx(refused=True))
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_plan", str(path), "--accept-proposals", stdout=out)
    assert "1 dòng bị từ chối; không lưu gì." in str(excinfo.value)
    assert out.getvalue().splitlines()[-1] == "rows: 3 read, 0 imported, 0 skipped, 2 need a decision"
    assert not Plan.objects.exists() and not ContentArea.objects.exists()


def test_the_service_creates_no_plan_when_a_row_is_refused(known):
    """The plan is saved before its rows are checked against it: a refused row rolls it
    back with the areas and agencies proposed."""
    fields = {
        "number": "139/KH-UBND",
        "title": TITLE,
        "issuer": "UBND tỉnh Điện Biên",
        "issued_on": D(2021, 1, 12),
        "period_start": D(2019, 1, 1),
        "period_end": None,
        "coordinating_agency": known["ngoai-vu"],
    }
    with pytest.raises(ImportRejected) as excinfo:
        plan_import_new(fields=fields, rows=read_rows(plan_docx(refused=True)), accept_proposals=True)
    assert [row.number for row in excinfo.value.preview.rejected] == [6]
    assert not Plan.objects.exists() and not ContentArea.objects.exists()
    assert not Agency.objects.filter(name="Hội Hữu nghị Việt – Lào tỉnh").exists()
    plan, result = plan_import_new(fields=fields, rows=read_rows(plan_docx()), accept_proposals=True)
    assert (plan.status, result.created, result.proposals) == (Plan.Status.DRAFT, 2, 3)


def test_a_name_close_to_an_existing_agency_is_settled_before_a_new_plan_is_created(
    coordinator_client, known
):
    """A new plan's page offers no choice of agency: a near-miss is sent back to the file
    (or to the plan's own import page), even with the proposals accepted."""
    document = docx.Document(io.BytesIO(plan_docx()))
    table = document.tables[-1]
    _row(table, "2", "Tổng kết đối ngoại", "So Noi Vu", "", "31/12/2020")
    coordinator_client.post(reverse(URL), {"file": SimpleUploadedFile("kh.docx", _save(document))})
    response = _confirm(coordinator_client).content.decode()
    assert "Chưa tạo được kế hoạch: có tên gần giống tên cơ quan đã có" in response
    assert "Không tìm thấy cơ quan “So Noi Vu”. Có phải: Sở Nội vụ?" in response
    assert not Plan.objects.exists() and not Agency.objects.filter(name="So Noi Vu").exists()
