"""End to end in a real browser: the coordinator enters the 2025 split of Sở Thông tin
và Truyền thông in the admin (foreign information work, the plan's area 5, to Sở Văn
hóa, Thể thao và Du lịch; the rest to Sở Khoa học và Công nghệ), previews it, answers
the question the preview asks for each task, applies it, and the former Sở TT&TT
officer, now of Sở VH,TT&DL, finds the inherited work on the dashboard. No page breaks
the Content-Security-Policy.

The legal basis typed here is a test value, not the province's resolution. With
PORTAL_SCREENSHOT_DIR set, the preview and the dashboard afterwards are kept
(``make screenshots``)."""

import pytest
from django.core.management import call_command

from plans.models import Agency, EvidenceFile, ProgressReport, Reorganisation, Task
from workspace.tests.test_browser import (
    PASSWORD,
    chromium,
    log_in,
    log_out,
    screenshot,
    watch_csp,
)


@pytest.fixture
def seeded(transactional_db):
    call_command("load_plan139", verbosity=0)
    call_command("seed_demo", password=PASSWORD, verbosity=0)


def counts():
    return (Task.objects.count(), ProgressReport.objects.count(), EvidenceFile.objects.count())


def test_coordinator_splits_so_tttt_from_preview_to_done(seeded, live_server, chromium_path):
    tttt, khcn, vh = (Agency.objects.get(code=code) for code in ("so-tttt", "so-khcn", "so-vhttdl"))
    # The answer for each task that names Sở TT&TT: area 5 to Sở VH,TT&DL, the rest to Sở KH&CN.
    tasks = Task.objects.filter(lead_agency=tttt) | Task.objects.filter(cooperating_agencies=tttt)
    answers = {task.pk: (vh if task.area.number == 5 else khcn) for task in tasks.distinct()}
    assert {a.pk for a in answers.values()} == {vh.pk, khcn.pk}
    deadlines_before = {
        pk: set(Task.objects.get(pk=pk).deadlines.values_list("pk", flat=True)) for pk in answers
    }
    led = set(Task.objects.filter(lead_agency=tttt).values_list("pk", flat=True))
    area_5_codes = [task.code for task in tasks.distinct() if answers[task.pk] == vh]
    before = counts()
    base = live_server.url
    violations: list[str] = []

    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        watch_csp(page, violations)
        log_in(page, base, "ngoaivu")
        page.wait_for_url("**/overview/")
        page.goto(f"{base}/admin/plans/reorganisation/add/")
        page.select_option("#id_kind", "split")
        page.fill("#id_legal_basis", "01/NQ-HĐND (kiểm thử)")
        page.fill("#id_legal_basis_date", "20/02/2025")
        page.fill("#id_effective_on", "01/03/2025")
        page.select_option("#id_predecessors", [str(tttt.pk)])
        page.select_option("#id_successors", [str(khcn.pk), str(vh.pk)])
        page.select_option("#id_accounts", str(vh.pk))
        page.click("#reorg-preview-button")

        # The preview asks about every task of the split department, and cannot be applied yet.
        assert int(page.inner_text("#reorg-question-count")) == len(answers)
        assert page.locator("#reorg-apply-button").count() == 0
        assert "sotttt (Sở TT&TT) → Sở VH,TT&DL" in page.inner_text("#reorg-accounts")
        for task_pk, agency in answers.items():
            page.select_option(f"select[name=task_{task_pk}]", str(agency.pk))
        page.click("#reorg-preview-button")
        assert page.locator("#reorg-question-count").count() == 0
        screenshot(page, "reorganisation-preview")
        page.click("#reorg-apply-button")
        page.wait_for_url("**/admin/plans/reorganisation/*/change/")
        assert "Đã áp dụng: Chia tách theo 01/NQ-HĐND (kiểm thử)" in page.inner_text(".messagelist")
        log_out_admin(page, base)

        # The officer of the former Sở TT&TT now works for Sở VH,TT&DL and finds its work there.
        log_in(page, base, "sotttt")
        page.wait_for_url("**/dashboard/")
        assert page.inner_text("h1") == vh.name
        body = page.inner_text("main")
        assert any(code in body for code in area_5_codes)
        screenshot(page, "reorganisation-dashboard")
        page.evaluate("1")
        log_out(page)
        page.close()

    assert violations == [], "\n".join(violations)
    event = Reorganisation.objects.get()
    assert event.kind == "split" and event.links.count() == 2
    assert counts() == before
    for task_pk, agency in answers.items():
        task = Task.objects.get(pk=task_pk)
        assert set(task.deadlines.values_list("pk", flat=True)) == deadlines_before[task_pk]
        if task_pk in led:
            assert task.lead_agency == agency
        else:
            assert agency in task.cooperating_agencies.all()
    tttt.refresh_from_db()
    assert not tttt.is_active and str(tttt) == "Sở TT&TT (nay: Sở KH&CN, Sở VH,TT&DL)"


def log_out_admin(page, base):
    """Leave the admin through the portal's own log-out button."""
    page.goto(f"{base}/")
    log_out(page)
