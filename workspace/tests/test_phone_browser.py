"""A leader's overview on a phone (390 px) and on a desktop (1366 px), on the demo data:
on the phone the headline figure and the counts come first, within the first screen,
the filters fold away behind a button, and each agency's counts are written out, not
left to a tooltip; on the desktop the filters stay open and the counts keep their columns.

PORTAL_SCREENSHOT_DIR keeps the screenshots (`make screenshots`)."""

from workspace.tests.test_accessibility_browser import demo  # noqa: F401 (a fixture)
from workspace.tests.test_browser import chromium, log_in, screenshot


def open_overview(browser, base, width, height):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    log_in(page, base, "lanhdao")
    page.wait_for_url("**/overview/")
    return page


def test_the_leaders_overview_on_a_phone_shows_the_figures_first(demo, live_server, chromium_path):  # noqa: F811
    with chromium(chromium_path) as browser:
        page = open_overview(browser, live_server.url, 390, 844)
        headline = page.locator("#overdue-share").bounding_box()
        assert headline["y"] + headline["height"] < 844, headline  # on the first screen
        cards = page.locator(".status-card").first.bounding_box()
        filters = page.locator("#overview-tools")
        assert not filters.is_visible()
        toggle = page.locator("#overview-tools-toggle")
        # The counts come before the folded filters.
        assert cards["y"] < toggle.bounding_box()["y"]
        # Each agency's counts are written under its name.
        agency_rows = page.locator("section[aria-labelledby=agencies-heading] tbody tr")
        assert agency_rows.count() > 1
        counts = agency_rows.first.locator(".phone-counts")
        assert counts.is_visible()
        assert ": " in counts.inner_text()
        assert not agency_rows.first.locator("td.status-count").first.is_visible()
        screenshot(page, "phone-province-overview")
        toggle.click()
        page.locator("#overview-tools.show").wait_for()
        assert page.locator("#overview-tools form[aria-label='Bộ lọc']").is_visible()
        assert toggle.get_attribute("aria-expanded") == "true"


def test_the_overview_on_a_desktop_keeps_filters_open_and_counts_in_columns(demo, live_server, chromium_path):  # noqa: F811
    with chromium(chromium_path) as browser:
        page = open_overview(browser, live_server.url, 1366, 900)
        assert page.locator("#overview-tools form[aria-label='Bộ lọc']").is_visible()
        assert not page.locator("#overview-tools-toggle").is_visible()
        first_row = page.locator("section[aria-labelledby=agencies-heading] tbody tr").first
        assert first_row.locator("td.status-count").first.is_visible()
        assert not first_row.locator(".phone-counts").is_visible()
        headline = page.locator("#overdue-share").bounding_box()
        assert headline["y"] + headline["height"] < 900
        screenshot(page, "desktop-province-overview")
