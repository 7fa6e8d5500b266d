"""End to end in a real browser: the coordinator drafts the demo's report for Quý IV/2026,
edits its narrative and signature block, previews it, issues it with its number and date
and downloads the .docx; a leader finds it among the issued reports. Then a new report is
accepted: the figures of the day move, the issued document does not.

Set PORTAL_SCREENSHOT_DIR to keep the preview page and page 1 of the issued document
(printed by LibreOffice, then pdftoppm) as PNGs."""

import os
import pathlib
import shutil
import subprocess

import docx
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from documents import selectors as document_selectors
from documents.models import PeriodicReport
from plans import selectors, services
from plans.models import Deadline, DeadlineStatus, Plan
from plans.periods import ReportPeriod
from workspace.tests.test_browser import (
    chromium,
    log_in,
    log_out,
    screenshot,
    seeded,  # noqa: F401 (a fixture)
    watch_csp,
)

PERIOD = ReportPeriod.parse("2026-Q4")
AREA_SUMMARY = "Sở TT&TT đã cập nhật chuyên trang thông tin đối ngoại và đăng 12 tin bài."
SHORTCOMINGS = "Một số cơ quan gửi báo cáo chậm so với thời hạn.\nNguyên nhân: thiếu cán bộ theo dõi."
SIGNER = "Nguyễn Văn A"
NUMBER = "125/BC-SNgV"


def document_lines(path) -> list[str]:
    document = docx.Document(path)
    cells = [
        paragraph.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
    ]
    return [paragraph.text for paragraph in document.paragraphs] + cells


def draft_edit_issue_download(page, base, downloads) -> None:
    log_in(page, base, "ngoaivu")
    page.wait_for_url("**/overview/")
    page.get_by_role("link", name="Báo cáo định kỳ", exact=True).click()
    page.wait_for_url("**/periodic-reports/")
    page.get_by_label("Kỳ báo cáo").select_option(PERIOD.code)
    page.get_by_role("button", name="Lập dự thảo").click()
    assert "Đã lập dự thảo" in page.locator(".alert-success").inner_text()

    # The narrative, drafted from the data, is edited in the browser.
    area = page.locator("textarea[name='area_5']")
    assert area.input_value()  # drafted: the reports accepted in the period, or that there are none
    area.fill(AREA_SUMMARY)
    page.get_by_label("II. Tồn tại, hạn chế và nguyên nhân").fill(SHORTCOMINGS)
    page.get_by_label("Thẩm quyền ký").select_option("KT.")
    page.get_by_label("Chức vụ người đứng đầu").fill("GIÁM ĐỐC")
    page.get_by_label("Chức vụ người ký").fill("PHÓ GIÁM ĐỐC")
    page.get_by_label("Họ và tên người ký").fill(SIGNER)
    screenshot(page, "periodic-report-edit")
    page.get_by_role("button", name="Lưu dự thảo").click()
    assert "Đã lưu dự thảo" in page.locator(".alert-success").inner_text()

    # The preview shows what the document will say.
    preview = page.locator("article.report-preview")
    assert AREA_SUMMARY in preview.inner_text()
    assert "KT. GIÁM ĐỐC" in preview.inner_text()
    assert page.locator("#agency-table tbody tr").count() >= 1
    screenshot(page, "periodic-report-preview")

    # Issued with its number and date; then read-only.
    page.get_by_label("Số, ký hiệu").fill(NUMBER)
    page.get_by_label("Ngày ban hành").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Ban hành báo cáo").click()
    assert f"Đã ban hành báo cáo số {NUMBER}" in page.locator(".alert-success").inner_text()
    assert page.get_by_role("link", name="Sửa dự thảo").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải văn bản (.docx)").click()
    download.value.save_as(downloads / "issued.docx")
    log_out(page)

    # A leader finds it among the issued reports.
    log_in(page, base, "lanhdao")
    page.goto(f"{base}/periodic-reports/")
    assert page.get_by_role("link", name="Quý IV/2026 (15/09–14/12/2026)").count() == 1
    assert page.get_by_role("button", name="Lập dự thảo").count() == 0
    log_out(page)


def download_again(page, base, downloads, pk) -> None:
    log_in(page, base, "ngoaivu")
    page.goto(f"{base}/periodic-reports/{pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải văn bản (.docx)").click()
    download.value.save_as(downloads / "issued-again.docx")


def accept_a_new_report(plan) -> Deadline:
    """Sở TT&TT reports a deadline of the period done; Sở Ngoại vụ accepts it."""
    users = get_user_model().objects.in_bulk(["sotttt", "ngoaivu"], field_name="username")
    dates = selectors.status_dates_get(period=PERIOD)
    deadline = (
        selectors.deadline_list_with_status(dates=dates)
        .filter(
            task__plan=plan,
            responsible_agency=users["sotttt"].agency,
            due_on__gte=PERIOD.start,
            due_on__lte=PERIOD.end,
            status__in=[DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.NOT_YET_DUE],
        )
        .order_by("due_on")
        .first()
    )
    assert deadline is not None, "the demo has an open deadline of Sở TT&TT in Quý IV/2026"
    report = services.report_submit(
        deadline=deadline, user=users["sotttt"], state="done", percent=100, narrative="Đã hoàn thành."
    )
    services.report_accept(report=report, user=users["ngoaivu"])
    return deadline


def first_page_png(docx_path, name) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOT_DIR")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    if not (folder and soffice and pdftoppm):
        return
    work = docx_path.parent
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(work), str(docx_path)],
        check=True,
        timeout=120,
        capture_output=True,
        env={**os.environ, "HOME": str(work)},
    )
    target = pathlib.Path(folder) / name
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(docx_path.with_suffix(".pdf")),
            str(target),
        ],
        check=True,
        timeout=60,
    )


@pytest.mark.usefixtures("seeded")
def test_coordinator_drafts_edits_issues_and_downloads_the_q4_report(live_server, chromium_path, tmp_path):
    plan = Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("-period_start", "number").first()
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        violations = []
        watch_csp(page, violations)
        draft_edit_issue_download(page, live_server.url, tmp_path)
        page.close()
    assert violations == [], "\n".join(violations)

    report = PeriodicReport.objects.get()
    assert (report.plan, report.period_code, report.state, report.number) == (
        plan,
        "2026-Q4",
        "issued",
        NUMBER,
    )
    assert report.issued_on == timezone.localdate()
    issued = document_lines(tmp_path / "issued.docx")
    for line in [
        f"Số: {NUMBER}",
        "BÁO CÁO",
        f"Kết quả thực hiện Kế hoạch số {plan.number} quý IV/2026",
        AREA_SUMMARY,
        "Một số cơ quan gửi báo cáo chậm so với thời hạn.",
        "Nguyên nhân: thiếu cán bộ theo dõi.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        SIGNER,
    ]:
        assert line in issued, line
    share = next(line for line in issued if line.startswith("Tỷ lệ chưa hoàn thành, quá hạn:"))
    first_page_png(tmp_path / "issued.docx", "periodic-report-page-1")

    # A new report is accepted: today's figures move, the issued report's do not.
    before = report.figures
    accept_a_new_report(plan)
    live = document_selectors.periodic_report_figures_get(
        plan=plan, period=PERIOD, dates=selectors.status_dates_get(period=PERIOD)
    )
    assert live["counts"] != before["counts"]
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        download_again(page, live_server.url, tmp_path, report.pk)
        page.close()
    assert PeriodicReport.objects.get().figures == before
    again = document_lines(tmp_path / "issued-again.docx")
    assert again == issued
    assert share in again
