"""End to end in a real browser: the coordinator uploads a plan's Word appendix on the
plan's import page in the admin, reads the preview (the rows skipped, the deadlines each
row will create, what was assumed) and applies it; then decides, in the preview, what
names the portal lacks stand for, reviews the preview with the choices and applies it.

Set PORTAL_SCREENSHOT_DIR to keep a screenshot of the preview."""

import io

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse

from documents.models import AgencyNameMapping
from plans.models import Agency, Plan, Task
from workspace.tests.test_browser import PASSWORD, chromium, log_in, screenshot, watch_csp


@pytest.fixture
def seeded(transactional_db):
    call_command("load_plan139", verbosity=0)
    call_command("seed_demo", password=PASSWORD, verbosity=0)


APPENDIX = [
    ("1", "Kiểm thử: cập nhật chuyên mục", "Giám đốc Sở Thông tin và Truyền thông", "Sở Ngoại vụ",
     "Quý IV/2026", "Chuyên mục"),
    ("2", "Kiểm thử: tổng hợp tin bài", "Sở TT&TT", "", "Hằng năm", "Báo cáo"),
]  # fmt: skip


def appendix_docx(rows=APPENDIX) -> bytes:
    document = docx.Document()
    document.add_paragraph("PHỤ LỤC NHIỆM VỤ")
    table = document.add_table(rows=0, cols=6)
    for values in [
        ("TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện", "Sản phẩm"),
        ("(1)", "(2)", "(3)", "(4)", "(5)", "(6)"),
        ("V", "CÔNG TÁC THÔNG TIN ĐỐI NGOẠI", "", "", "", ""),
        *rows,
    ]:  # fmt: skip
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_coordinator_imports_a_word_appendix_in_the_browser(seeded, live_server, chromium_path, tmp_path):
    plan = Plan.objects.get(number="139/KH-UBND")
    url = reverse("admin:plans_plan_import", args=[plan.pk])
    path = tmp_path / "phu-luc-ke-hoach.docx"
    path.write_bytes(appendix_docx())
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        log_in(page, live_server.url, "admin")
        page.wait_for_url(lambda address: "/accounts/login/" not in address)
        page.goto(f"{live_server.url}{url}")
        page.locator('input[type="file"]').set_input_files(str(path))
        page.get_by_role("button", name="Kiểm tra tệp").click()
        page.get_by_role("heading", name="Tạo mới (2)").wait_for()
        preview = page.content()
        screenshot(page, "import-preview")
        page.get_by_role("button", name="Áp dụng").click()
        page.wait_for_url(lambda address: address.rstrip("/").endswith(f"/plans/plan/{plan.pk}/change"))
        applied = page.content()

    assert "Dòng không nhập (1)" in preview  # the numbering row
    assert "31/12/2026" in preview  # the deadline row 4 will create
    assert "không ghi ngày: hạn 15/12 hằng năm là ngày mặc định" in preview
    assert "Đã tạo 2, cập nhật 0 nhiệm vụ." in applied
    tasks = Task.objects.filter(plan=plan, title__startswith="Kiểm thử:").order_by("code")
    assert [(task.code, task.area.number, task.lead_agency.code) for task in tasks] == [
        ("1", 5, "so-tttt"),
        ("2", 5, "so-tttt"),
    ]
    assert tasks[0].schedule_text == "Quý IV/2026"


STEERING = "Ban Chỉ đạo thông tin đối ngoại tỉnh"


def test_coordinator_decides_unknown_names_in_the_preview(seeded, live_server, chromium_path, tmp_path):
    plan = Plan.objects.get(number="139/KH-UBND")
    url = reverse("admin:plans_plan_import", args=[plan.pk])
    path = tmp_path / "phu-luc-co-ten-moi.docx"
    rows = [
        ("1", "Kiểm thử: tên gần giống", "Sở TTTT", "Sở Ngoại vụ", "Quý IV/2026", ""),
        ("2", "Kiểm thử: tên chưa có", "Sở Ngoại vụ", STEERING, "Quý IV/2026", ""),
    ]
    path.write_bytes(appendix_docx(rows))
    violations = []
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        watch_csp(page, violations)
        log_in(page, live_server.url, "admin")
        page.wait_for_url(lambda address: "/accounts/login/" not in address)
        page.goto(f"{live_server.url}{url}")
        page.locator('input[type="file"]').set_input_files(str(path))
        page.get_by_role("button", name="Kiểm tra tệp").click()
        page.get_by_role("heading", name="Đề xuất").wait_for()
        # "Sở TTTT": the existing agency suggested (pre-selected in the list).
        near_miss = page.locator("#de-xuat-0")
        near_miss.get_by_label("Là đơn vị đã có").check()
        # The new name: created with another kind and short name.
        unknown = page.locator("#de-xuat-1")
        unknown.get_by_label("loại").select_option(label="Đơn vị khác")
        unknown.get_by_label("tên viết tắt").fill("BCĐ TTĐN tỉnh")
        page.get_by_role("button", name="Xem lại").click()
        page.get_by_role("heading", name="Tạo mới (1)").wait_for()
        reviewed = page.content()
        screenshot(page, "import-decisions")
        page.get_by_label("Chấp nhận 1 đề xuất tạo mới ở trên").check()
        page.get_by_role("button", name="Áp dụng").click()
        page.wait_for_url(lambda address: address.rstrip("/").endswith(f"/plans/plan/{plan.pk}/change"))
        applied = page.content()
        page.evaluate("1")  # a round trip: violations reported by the last page have arrived

    assert violations == [], "\n".join(violations)
    # Reviewed with the choices: row 4 leads with Sở TT&TT, row 5 still awaits the creation.
    assert "<td>Sở Thông tin và Truyền thông</td>" in reviewed
    assert f"Tạo cơ quan “{STEERING}” (loại: Đơn vị khác, tên viết tắt: BCĐ TTĐN tỉnh)" in reviewed
    assert "Đã lưu 1 tên cơ quan đã chọn" in applied
    assert Task.objects.get(plan=plan, title="Kiểm thử: tên gần giống").lead_agency.code == "so-tttt"
    created = Agency.objects.get(name=STEERING)
    assert (created.kind, created.short_name) == ("other", "BCĐ TTĐN tỉnh")
    assert list(Task.objects.get(plan=plan, title="Kiểm thử: tên chưa có").cooperating_agencies.all()) == [
        created
    ]
    assert AgencyNameMapping.objects.get().agency.code == "so-tttt"


def plan_document_docx() -> bytes:
    """A new plan as issued: its header in a borderless layout table, then its tasks."""
    document = docx.Document()
    layout = document.add_table(rows=2, cols=2)
    layout.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH ĐIỆN BIÊN"
    layout.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    layout.cell(1, 0).text = "Số: 45/KH-UBND"
    layout.cell(1, 1).text = "Điện Biên, ngày 20 tháng 02 năm 2026"
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Công tác thông tin đối ngoại năm 2026")
    table = document.add_table(rows=0, cols=5)
    for values in [
        ("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"),
        ("I", "THÔNG TIN ĐỐI NGOẠI", "", "", ""),
        ("1", "Kiểm thử: cập nhật chuyên mục", "Sở TT&TT", "Sở Ngoại vụ", "Quý IV/2026"),
    ]:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_coordinator_creates_a_plan_from_its_document_in_the_browser(
    seeded, live_server, chromium_path, tmp_path
):
    path = tmp_path / "ke-hoach-45.docx"
    path.write_bytes(plan_document_docx())
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        log_in(page, live_server.url, "admin")
        page.wait_for_url(lambda address: "/accounts/login/" not in address)
        page.goto(f"{live_server.url}{reverse('admin:plans_plan_changelist')}")
        page.get_by_role("link", name="Nhập kế hoạch từ văn bản").click()
        page.locator('input[type="file"]').set_input_files(str(path))
        page.get_by_role("button", name="Kiểm tra văn bản").click()
        page.get_by_role("heading", name="Kế hoạch đề xuất từ văn bản “ke-hoach-45.docx”").wait_for()
        proposed = page.content()
        screenshot(page, "plan-from-document")
        page.get_by_label("Trích yếu").fill("Kế hoạch công tác thông tin đối ngoại năm 2026")
        page.get_by_label("Chấp nhận 1 đề xuất").check()
        page.get_by_role("button", name="Tạo kế hoạch và nhập nhiệm vụ").click()
        page.wait_for_url(lambda address: address.rstrip("/").endswith("/change"))
        created = page.content()

    assert "Thời gian bắt đầu" in proposed and 'value="01/01/2026"' in proposed
    assert "Đã tạo kế hoạch 45/KH-UBND (dự thảo" in created
    plan = Plan.objects.get(number="45/KH-UBND")
    assert (plan.status, plan.title, str(plan.period_end)) == (
        Plan.Status.DRAFT,
        "Kế hoạch công tác thông tin đối ngoại năm 2026",
        "2026-12-31",
    )
    assert list(Task.objects.filter(plan=plan).values_list("code", "area__number")) == [("1", 1)]
