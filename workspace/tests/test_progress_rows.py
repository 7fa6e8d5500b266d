"""The progress tables' rows: each figure links to the deadlines it counts, with the
page's filters, the same link ``deadlines_url`` gives; names are escaped."""

from django.utils.html import escape

from plans.selectors import DeadlineFilter
from plans.selectors.progress import GroupProgress
from workspace.templatetags.portal import deadlines_url, progress_rows


def test_every_figure_links_to_the_deadlines_it_counts():
    filters = DeadlineFilter(plan_id=7, year=2026, window="started")
    groups = [
        GroupProgress(key=12, label="1. <Hợp tác> & hội nhập", counts={"overdue": 3, "done_on_time": 2}),
        GroupProgress(key=345, label="2. Thông tin", counts={"not_yet_due": 1}, detail="Kế hoạch 1"),
    ]
    html = progress_rows(groups, filters, "area_id", "cooperate")
    for group in groups:
        for status, n in group.counts.items():
            url = deadlines_url(filters, status=status, area_id=group.key, relation="cooperate")
            assert f'<a href="{escape(url)}">{n}</a>' in html
        total = deadlines_url(filters, area_id=group.key, relation="cooperate")
        assert f'<a href="{escape(total)}">{group.total}</a>' in html
    assert "1. &lt;Hợp tác&gt; &amp; hội nhập" in html and "<Hợp tác>" not in html
    assert html.count('<span class="count-zero">0</span>') == 3 + 4

    by_agency = progress_rows(groups[:1], filters, "agency_id")
    url = deadlines_url(filters, status="overdue", agency_id=12)
    assert f'<a href="{escape(url)}">3</a>' in by_agency and "agency=12" in url
