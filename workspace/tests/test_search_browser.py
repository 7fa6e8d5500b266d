"""The menu's search in a real browser, on the demo data: typed without tones, it finds
the toned titles of the officer's own tasks, and nothing of another agency's."""

from workspace.tests.test_accessibility_browser import demo  # noqa: F401 (a fixture)
from workspace.tests.test_browser import chromium, log_in, screenshot


def test_the_menu_search_finds_toned_titles_typed_without_tones(demo, live_server, chromium_path):  # noqa: F811
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        log_in(page, live_server.url, "sotttt")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.fill("#menu-search-q", "thong tin doi ngoai")
        page.press("#menu-search-q", "Enter")
        page.wait_for_url("**/search/?q=thong+tin+doi+ngoai")
        tasks = page.locator(".search-task h3")
        assert tasks.count() >= 1
        assert "thông tin đối ngoại" in tasks.first.inner_text()
        screenshot(page, "search-without-tones")
        # With tones, the same tasks.
        without = tasks.all_inner_texts()
        page.fill("#menu-search-q", "Thông Tin Đối Ngoại")
        page.press("#menu-search-q", "Enter")
        page.wait_for_load_state()
        assert page.locator(".search-task h3").all_inner_texts() == without
        # Another agency's task (Công an tỉnh's) is not found by the officer.
        page.goto(f"{live_server.url}/search/?q=xuat+nhap+canh")
        assert page.locator(".search-task").count() == 0
        assert page.locator("#search-empty").is_visible()
