"""End to end in a real browser: Playwright drives Debian's Chromium against a live
server. An officer of Sở TT&TT reports on a due deadline with a PDF, the coordinator
accepts it and downloads the periodic report and the Excel table from the overview, and
the agency's dashboard then counts the deadline as done. On every page visited, and on the
Django admin's pages, the browser reports no Content-Security-Policy violation.

Set PORTAL_SCREENSHOT_DIR to keep screenshots of the agency dashboard and the province
overview (``make screenshots`` writes the ones shown in the README)."""

import contextlib
import os
import pathlib

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import DeadlineStatus, Plan, ProgressReport, Task
from plans.tests.sample_files import PDF_BYTES

PASSWORD = "Kiem-thu-dau-cuoi-2026"
NARRATIVE = "Kiểm thử đầu cuối: đã cập nhật chuyên trang và đăng 12 tin bài."
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium(path):
    """Playwright's sync API runs an event loop in this thread while it is open, and
    Django would then give ORM calls a separate connection per loop context: the test
    touches the database only before and after this block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Every Content-Security-Policy violation the page sees (an inline script or style, an
# event attribute, a resource from elsewhere) is reported back to the test. Playwright's
# init script and binding are not subject to the page's policy.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


def watch_csp(page, violations: list[str]) -> None:
    page.expose_function("reportCspViolation", lambda text: violations.append(text))
    page.add_init_script(CSP_LISTENER)
    # Chromium also writes each refusal to the console ("... violates the following
    # Content Security Policy directive ...").
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def log_out(page):
    """Through the account menu, where the logout is (the menu's toggle opens it)."""
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/")


def done_on_time(page) -> int:
    return int(page.locator(f'[data-status="{DeadlineStatus.DONE_ON_TIME}"]').first.inner_text())


def screenshot(page, name):
    folder = os.environ.get("PORTAL_SCREENSHOT_DIR")
    if folder:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(pathlib.Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def seeded(transactional_db):
    call_command("load_plan139", verbosity=0)
    call_command("seed_demo", password=PASSWORD, verbosity=0)


def test_officer_reports_with_a_pdf_and_the_coordinator_accepts(seeded, live_server, chromium_path, tmp_path):
    evidence = tmp_path / "ket-qua-thuc-hien.pdf"
    evidence.write_bytes(PDF_BYTES)
    admin_pages = admin_urls()
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        violations = []
        watch_csp(page, violations)
        title = report_and_accept(page, live_server.url, evidence, downloads=tmp_path)
        visit_admin(browser, live_server.url, admin_pages, violations)

    # The dashboard, deadline page, review queue and overview above, and the admin's pages,
    # ran under the Content-Security-Policy without a single refusal.
    assert violations == [], "\n".join(violations)

    report = ProgressReport.objects.get(narrative=NARRATIVE)
    # What the overview's buttons gave the browser: the Word report of the plan and period
    # the form offers first, and the agency × status table.
    document = "\n".join(p.text for p in docx.Document(tmp_path / "bao-cao.docx").paragraphs)
    # The newest plan comes first: the sample plan, where the demo's reports are.
    assert f"Kết quả thực hiện Kế hoạch số {report.deadline.task.plan.number} quý" in document
    assert "I. KẾT QUẢ THỰC HIỆN" in document
    table = openpyxl.load_workbook(tmp_path / "tong-hop.xlsx").worksheets[0]
    assert table["A1"].value == "Cơ quan"
    assert report.review_state == ProgressReport.ReviewState.ACCEPTED
    assert title.startswith(report.deadline.task.code)
    assert report.evidence.get().original_name == "ket-qua-thuc-hien.pdf"


def admin_urls() -> list[str]:
    """Admin pages with their scripts and widgets: lists with filters and actions, a task's
    form (autocomplete, related-object links), its history, the plan import page, a new
    user's password fields and the login lockout's lists."""
    task = Task.objects.filter(area__plan__number="139/KH-UBND").first()
    plan = Plan.objects.get(number="139/KH-UBND")
    return [
        reverse("admin:index"),
        reverse("admin:plans_task_changelist"),
        reverse("admin:plans_task_change", args=[task.pk]),
        reverse("admin:plans_task_history", args=[task.pk]),
        reverse("admin:plans_plan_import", args=[plan.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:axes_accesslog_changelist"),
    ]


def visit_admin(browser, base, urls, violations) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    watch_csp(page, violations)
    log_in(page, base, "admin")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for url in urls:
        response = page.goto(f"{base}{url}")
        assert response.status == 200, url
    page.evaluate("1")  # a round trip: violations reported by the last page have arrived
    page.close()


def report_and_accept(page, base, evidence, *, downloads) -> str:
    """The browser steps; returns the title of the deadline link the officer followed and
    saves what the overview's buttons download into ``downloads``."""
    # Sở TT&TT sees a deadline that is due and reports on it, with a PDF.
    log_in(page, base, "sotttt")
    page.wait_for_url("**/dashboard/")
    before = done_on_time(page)
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Đến hạn trong 30 ngày tới"))
    link = upcoming.get_by_role("link").first
    title = link.inner_text()
    link.click()
    if page.locator("#waiting-report").count():
        # A report already waits on this deadline: the new one replaces it, from the
        # folded "Gửi báo cáo thay thế" form.
        page.locator("#replace-report summary").click()
    page.get_by_label("Hoàn thành", exact=True).check()
    page.get_by_label("Tỷ lệ hoàn thành (%)").fill("100")
    page.get_by_label("Kết quả thực hiện").fill(NARRATIVE)
    page.get_by_label("Tệp minh chứng").set_input_files(str(evidence))
    page.get_by_role("button", name="Gửi báo cáo").click()
    assert "Đã gửi báo cáo" in page.locator(".alert-success").inner_text()
    assert page.get_by_role("link", name="ket-qua-thuc-hien.pdf").is_visible()
    log_out(page)

    # Sở Ngoại vụ accepts it from the review queue.
    log_in(page, base, "ngoaivu")
    page.wait_for_url("**/overview/")
    screenshot(page, "province-overview")
    page.get_by_role("link", name="Chờ xác nhận").click()
    item = page.locator("article.review-item", has_text=NARRATIVE)
    item.get_by_role("button", name="Xác nhận").click()
    assert "Đã xác nhận báo cáo" in page.locator(".alert-success").inner_text()
    assert page.locator("article.review-item", has_text=NARRATIVE).count() == 0
    page.goto(f"{base}/overview/")
    with page.expect_download() as report_download:
        page.get_by_role("button", name="Tải báo cáo (.docx)").click()
    report_download.value.save_as(downloads / "bao-cao.docx")
    with page.expect_download() as table_download:
        page.get_by_role("link", name="Xuất Excel").click()
    table_download.value.save_as(downloads / "tong-hop.xlsx")
    log_out(page)

    # The agency's dashboard now counts the deadline as done on time.
    log_in(page, base, "sotttt")
    page.wait_for_url("**/dashboard/")
    assert done_on_time(page) == before + 1
    screenshot(page, "agency-dashboard")
    # Usable on a phone: nothing wider than a 375 px screen.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.close()
    return title
