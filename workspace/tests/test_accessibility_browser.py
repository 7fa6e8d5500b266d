"""Accessibility in a real browser: axe-core (the engine shipped inside the pinned
axe-playwright-python package, never fetched) checks every page each role uses, and
the pages a visitor sees before logging in, at 1366 px and at 390 px; no violation of
serious or critical impact is allowed. The report form is used with the keyboard alone:
skip link, tabbing, a refused form that puts focus on the first error, then a sent
report.

Set PORTAL_AXE_REPORT to a file name to keep the summary (violations by impact, and
each violation's rule and page) as JSON."""

import collections
import json
import os
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plans.models import Agency, Deadline, Plan, ProgressReport
from plans.periods import ReportPeriod
from workspace.tests.test_browser import PASSWORD, chromium, log_in, screenshot

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def demo(transactional_db):
    """The demo data of `make run`: Plan 139/KH-UBND, the demo accounts, sample tasks."""
    call_command("load_plan139", verbosity=0)
    call_command("seed_demo", password=PASSWORD, verbosity=0)


BLOCKING = {"serious", "critical"}


def pages_by_role() -> dict[str | None, list[str]]:
    """Every page of every role, on the demo data (read before the browser starts)."""
    officer_deadline = (
        Deadline.objects.filter(
            responsible_agency__code="so-tttt", due_on__gte=timezone.localdate(), waived_at__isnull=True
        )
        .exclude(reports__state="done", reports__review_state="accepted")
        .order_by("due_on")
        .first()
    )
    reviewed = ProgressReport.objects.filter(review_state="submitted").select_related("deadline").first()
    plan = Plan.objects.get(number="139/KH-UBND")
    agency = Agency.objects.get(code="so-tttt")
    shared = [
        reverse("deadline-list"),
        reverse("deadline-list") + "?status=overdue",
        reverse("plan-list"),
        reverse("plan-detail", args=[plan.pk]),
        reverse("search") + "?q=thong+tin+doi+ngoai",
        reverse("help"),
        reverse("help") + "?role=coordinator",
        reverse("profile"),
        reverse("password_change"),
        "/khong-co-trang-nay/",
    ]
    return {
        None: [
            reverse("login"),
            reverse("password_reset"),
            reverse("password_reset_done"),
            reverse("password_reset_confirm", args=["MQ", "khong-phai-ma"]),
        ],
        "sotttt": [
            reverse("agency-dashboard"),
            reverse("deadline-detail", args=[officer_deadline.pk]),
            reverse("agency-calendar"),
            *shared,
        ],
        "ngoaivu": [
            reverse("province-overview"),
            reverse("province-overview") + f"?agency={agency.pk}",
            reverse("review-queue"),
            reverse("deadline-detail", args=[reviewed.deadline_id]),
            reverse("agency-dashboard"),
            *shared,
        ],
        "lanhdao": [
            reverse("province-overview"),
            reverse("deadline-detail", args=[officer_deadline.pk]),
            *shared,
        ],
    }


def axe_scan(browser, base, pages) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    for width_name, (width, height) in WIDTHS.items():
        for username, urls in pages.items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
            page = context.new_page()
            if username:
                log_in(page, base, username)
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
            for url in urls:
                page.goto(f"{base}{url}")
                toggler = page.locator(".navbar-toggler")
                if toggler.count() and toggler.is_visible():
                    # On a phone the menu is folded: open it, so that it is checked too.
                    toggler.click()
                    page.locator("#main-nav.show").wait_for()
                slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")
                screenshot(page, f"a11y-{width_name}-{username or 'anonymous'}-{slug}")
                for violation in axe.run(page).response["violations"]:
                    found.append(
                        {
                            "width": width_name,
                            "user": username or "anonymous",
                            "url": url,
                            "rule": violation["id"],
                            "impact": violation["impact"],
                            "count": len(violation["nodes"]),
                            "nodes": [node["target"] for node in violation["nodes"]][:5],
                        }
                    )
            context.close()
    return found


def summary(found) -> dict:
    return {
        # Each (page, width, rule) once, and the elements it found.
        "by_impact": dict(collections.Counter(item["impact"] for item in found)),
        "elements_by_impact": dict(
            sum(
                (collections.Counter({item["impact"]: item["count"]}) for item in found),
                collections.Counter(),
            )
        ),
        "by_rule": dict(collections.Counter(f"{item['impact']}: {item['rule']}" for item in found)),
    }


def test_no_page_of_any_role_has_a_serious_or_critical_violation(demo, live_server, chromium_path):
    pages = pages_by_role()
    with chromium(chromium_path) as browser:
        found = axe_scan(browser, live_server.url, pages)
    report = os.environ.get("PORTAL_AXE_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as out:
            json.dump({"summary": summary(found), "violations": found}, out, ensure_ascii=False, indent=1)
    blocking = [item for item in found if item["impact"] in BLOCKING]
    assert blocking == [], json.dumps(summary(blocking), ensure_ascii=False, indent=1)


def focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


def tab_to(page, selector: str, *, limit: int = 60) -> int:
    """Press Tab until the element matching ``selector`` has the focus; returns how
    many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} never received the focus in {limit} presses of Tab")


def officer_deadline_to_report():
    """The demo officer's (Sở TT&TT) next deadline that has no report yet."""
    return (
        Deadline.objects.filter(
            responsible_agency__code="so-tttt",
            due_on__gte=timezone.localdate(),
            waived_at__isnull=True,
            reports__isnull=True,
        )
        .order_by("due_on")
        .first()
    )


def test_an_officer_reports_with_the_keyboard_alone(demo, live_server, chromium_path):
    deadline = officer_deadline_to_report()
    base = live_server.url
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page.goto(f"{base}{reverse('login')}")
        tab_to(page, "#id_username")
        page.keyboard.type("sotttt")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_url("**/dashboard/")

        page.goto(f"{base}{reverse('deadline-detail', args=[deadline.pk])}")
        # The first Tab reaches the skip link; Enter moves on past the menu.
        page.keyboard.press("Tab")
        assert focused(page, "a.skip-link")
        assert page.locator("a.skip-link").is_visible()
        page.keyboard.press("Enter")
        assert focused(page, "main#main")
        # From the content, the report form comes before the menu would have.
        tab_to(page, "input[name=state]")
        while not page.locator("input[name=state][value=done]").is_checked():
            page.keyboard.press("ArrowDown")
        tab_to(page, "#id_percent")
        page.keyboard.press("Control+a")
        page.keyboard.type("100")
        # "Hoàn thành" without the result: refused, and the focus waits on the field.
        tab_to(page, "input[type=submit][value='Gửi báo cáo']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Báo cáo chưa được gửi" in page.get_by_role("alert").first.inner_text()
        assert focused(page, "#id_narrative")
        page.keyboard.type("Đã tổ chức hội nghị, có biên bản kèm theo.")
        tab_to(page, "input[type=submit][value='Gửi báo cáo']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Đã gửi báo cáo" in page.locator(".alert-success").inner_text()

    report = ProgressReport.objects.get(deadline=deadline)
    assert (report.state, report.percent, report.narrative) == (
        "done",
        100,
        "Đã tổ chức hội nghị, có biên bản kèm theo.",
    )


FITS_SCRIPT = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("form[aria-label='Bộ lọc'] select")].flatMap((select) => {
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const shown = select.options[select.selectedIndex].text;
    return canvas.measureText(shown).width > room ? [`${select.name}: ${shown}`] : [];
  });
}"""


def test_the_coordinators_list_filters_are_readable_at_1366_px(demo, live_server, chromium_path):
    """Each filter of the coordinator's deadline list shows its whole choice at 1366 px
    (nine filters in one row cut "Tất cả kế hoạch" to "Tất cả kế ho", "139/KH-UBND" to
    "139/KH-UBN"), and the officer's agency-role filter is not among them."""
    plan = Plan.objects.get(number="139/KH-UBND")
    period = ReportPeriod.quarter_containing(timezone.localdate())
    chosen = f"{reverse('deadline-list')}?plan={plan.pk}&period={period.code}&status=overdue&window=started"
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        log_in(page, live_server.url, "ngoaivu")
        page.wait_for_url("**/overview/")
        cut = {}
        for url in [reverse("deadline-list"), chosen]:
            page.goto(f"{live_server.url}{url}")
            cut[url] = page.evaluate(FITS_SCRIPT)
        labels = page.locator("form[aria-label='Bộ lọc'] label").all_inner_texts()
        shown_plan = page.locator("select[name=plan] option:checked").inner_text()
    assert shown_plan == "139/KH-UBND"
    assert cut == {reverse("deadline-list"): [], chosen: []}
    assert "Vai trò của đơn vị" not in labels
