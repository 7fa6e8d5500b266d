"""Printing, in a real browser with print media, on the demo data: no menu, forms or
buttons; at the top the time printed and the filters in force; page numbers at the
foot of each page (checked in the PDF that Chromium prints)."""

import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from plans.models import Agency, Deadline
from workspace.tests.test_accessibility_browser import demo  # noqa: F401 (a fixture)
from workspace.tests.test_browser import chromium, log_in, log_out


def printed(page, url):
    page.goto(url)
    page.emulate_media(media="print")
    assert not page.locator(".portal-navbar").is_visible()
    assert page.locator("main form:visible").count() == 0
    assert page.locator("main .btn:visible").count() == 0
    header = page.locator("#print-header")
    assert header.is_visible()
    return header.inner_text()


def pdf_pages(page) -> list[str]:
    return [
        sheet.extract_text() for sheet in PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
    ]


def test_the_printed_pages_say_when_and_what_and_number_their_pages(demo, live_server, chromium_path):  # noqa: F811
    agency = Agency.objects.get(code="so-tttt")
    deadline = Deadline.objects.filter(responsible_agency=agency).order_by("due_on").first()
    today = timezone.localdate().strftime("%d/%m/%Y")
    base = live_server.url
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        log_in(page, base, "ngoaivu")
        page.wait_for_url("**/overview/")
        assert page.locator(".portal-navbar").is_visible()  # the control: on screen, the menu shows

        header = printed(page, f"{base}{reverse('province-overview')}?agency={agency.pk}")
        assert f"ngày {today}" in header
        filters = page.locator("#print-filters").inner_text()
        assert "Cơ quan chủ trì: Sở TT&TT" in filters, filters
        pages = pdf_pages(page)
        assert len(pages) >= 2
        assert "Trang 1/" in pages[0] and f"Trang {len(pages)}/{len(pages)}" in pages[-1]
        assert "Cơ quan chủ trì: Sở TT&TT" in pages[0]

        printed(page, f"{base}{reverse('deadline-list')}?status=overdue&sort=agency")
        filters = page.locator("#print-filters").inner_text()
        assert (
            "Tình trạng: Chưa hoàn thành, quá hạn" in filters and "Sắp xếp theo: Cơ quan chủ trì" in filters
        )

        printed(page, f"{base}{reverse('review-queue')}")
        assert "không lọc" in page.locator("#print-filters").inner_text()

        printed(page, f"{base}{reverse('deadline-detail', args=[deadline.pk])}")
        assert page.locator("h1").is_visible()

        page.emulate_media(media="screen")
        page.goto(f"{base}/")
        log_out(page)
        log_in(page, base, "sotttt")
        page.wait_for_url("**/dashboard/")
        header = printed(page, f"{base}{reverse('agency-dashboard')}")
        assert "sotttt (Sở TT&TT)" in header
        assert "không lọc" in page.locator("#print-filters").inner_text()
        assert "Trang 1/" in pdf_pages(page)[0]
