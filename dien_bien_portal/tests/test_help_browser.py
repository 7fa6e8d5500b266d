"""The guide's screenshots, taken from the demo data in a real browser, and the guide
itself read by each role at 1366 px and 390 px with every picture shown.

PORTAL_HELP_SCREENSHOT_DIR=static/img/help retakes the guide's pictures (`make
screenshots` does); PORTAL_SCREENSHOT_DIR keeps full pages of the dashboard and the
guide, on a desktop and on a phone."""

import os
import pathlib

from django.urls import reverse

from workspace.tests.test_accessibility_browser import demo, officer_deadline_to_report  # noqa: F401 (demo: a fixture)
from workspace.tests.test_browser import chromium, log_in, log_out, screenshot


def picture(locator, name):
    """A picture of one part of a page, for the guide."""
    folder = os.environ.get("PORTAL_HELP_SCREENSHOT_DIR")
    if folder:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(pathlib.Path(folder) / f"{name}.png"))


def shown_pictures(page) -> list[str]:
    """The guide's pictures that did not load, each scrolled to (they load lazily)."""
    images = page.locator("main img")
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
        # Wait for the load (or its failure) with a function, not a polled string: the
        # page's CSP forbids evaluating strings, which wait_for_function's polling does.
        images.nth(index).evaluate(
            "img => img.complete || new Promise(done => { img.onload = img.onerror = () => done(true); })"
        )
    return page.evaluate(
        "[...document.querySelectorAll('main img')].filter(img => !(img.complete && img.naturalWidth > 0))"
        ".map(img => img.src)"
    )


def test_the_guide_of_each_role_with_pictures_from_the_demo(demo, live_server, chromium_path):  # noqa: F811
    reportable = officer_deadline_to_report()
    base = live_server.url
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="vi-VN")
        log_in(page, base, "sotttt")
        page.wait_for_url("**/dashboard/")
        assert page.locator("#next-steps li").count() > 0
        picture(page.locator("#next-steps"), "dashboard")
        page.goto(f"{base}{reverse('deadline-detail', args=[reportable.pk])}")
        picture(page.locator("section:has(#report-form)"), "report-form")
        log_out(page)

        log_in(page, base, "ngoaivu")
        page.wait_for_url("**/overview/")
        picture(page.locator("main .row.g-3").first, "overview")
        page.goto(f"{base}{reverse('review-queue')}")
        picture(page.locator(".review-item").first, "review-item")
        log_out(page)

        for username in ("sotttt", "ngoaivu", "lanhdao"):
            for width, height, device in ((1366, 900, "desktop"), (390, 844, "phone")):
                context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
                reader = context.new_page()
                log_in(reader, base, username)
                reader.wait_for_url(lambda url: "/accounts/login/" not in url)
                reader.get_by_role(
                    "link", name="Hướng dẫn"
                ).first.click() if device == "desktop" else reader.goto(f"{base}{reverse('help')}")
                reader.wait_for_url("**/help/")
                assert reader.locator("#help-statuses").is_visible()
                assert reader.locator("main img").count() >= 1
                assert shown_pictures(reader) == []
                if username == "sotttt":
                    screenshot(reader, f"{device}-help")
                    reader.goto(f"{base}{reverse('agency-dashboard')}")
                    screenshot(reader, f"{device}-agency-dashboard")
                context.close()
