"""Sorting and the menu's badges in a real browser, on the demo data: a list sorted by a
click stays sorted and says so in its URL, a second click reverses it; the coordinator's
review badge counts the queue and follows a review done in the page."""

import re

from workspace.tests.test_accessibility_browser import demo  # noqa: F401 (a fixture)
from workspace.tests.test_browser import chromium, log_in


def row_keys(page):
    """(plan number, task code) of each row of the deadline table, in page order (at
    desktop width the row's second line starts with the plan's number)."""
    keys = []
    for row in page.locator(".deadline-table tbody tr").all():
        code = row.locator("td a").first.inner_text().split(". ", 1)[0]
        plan = row.locator("td .small").first.inner_text().split(" · ", 1)[0]
        keys.append((plan, code))
    return keys


def test_a_list_sorted_by_a_click_stays_sorted_and_a_second_click_reverses_it(
    demo,  # noqa: F811
    live_server,
    chromium_path,
):
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        log_in(page, live_server.url, "ngoaivu")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{live_server.url}/deadlines/")
        page.locator('[data-sort="code"]').click()
        page.wait_for_url(re.compile(r"sort=code"))
        keys = row_keys(page)
        assert len(keys) >= 5 and keys == sorted(keys)
        page.locator('[data-sort="code"]').click()
        page.wait_for_url(re.compile(r"sort=-code"))
        reversed_keys = row_keys(page)
        assert reversed_keys == sorted(reversed_keys, reverse=True) and reversed_keys != keys
        assert page.locator('[data-sort="code"][aria-current="true"]').count() == 1


def test_the_review_badge_counts_the_queue_and_follows_a_review(
    demo,  # noqa: F811
    live_server,
    chromium_path,
):
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        log_in(page, live_server.url, "ngoaivu")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{live_server.url}/review/")
        waiting = page.locator(".review-item").count()
        reviewable = page.locator(".review-form")
        assert waiting >= 1 and reviewable.count() >= 1
        badge = page.locator("#badge-review")
        assert badge.inner_text().split()[0] == str(waiting)

        reviewable.first.get_by_role("button", name="Xác nhận").click()
        page.wait_for_load_state()
        if waiting == 1:
            assert page.locator("#badge-review").count() == 0
        else:
            assert page.locator("#badge-review").inner_text().split()[0] == str(waiting - 1)
        assert page.locator(".review-item").count() == waiting - 1
