"""``benchmarks.ablate``: each piece it can leave out is something its pages really call,
leaving it out changes the page, and the page is whole again afterwards."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import ablate
from benchmarks.uncached import get_uncached, signed_in_clients

pytestmark = pytest.mark.django_db

# Which pieces each page has.
PAGE_PIECES = {
    "/dashboard/": ["deadline-lists", "report-lists", "menu-counts", "body-template"],
    "/overview/": ["deadline-lists", "menu-counts", "body-template", "report-form"],
}


@pytest.fixture
def clients():
    call_command("generate_bench_data", "--scale", "0.01", "--today", "2026-05-15", stdout=io.StringIO())
    return signed_in_clients()


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        content = ablate.page_content(get_uncached(client, path))
    return content, len(captured.captured_queries)


def test_each_piece_left_out_changes_its_page_and_is_back_afterwards(clients):
    for path, pieces in PAGE_PIECES.items():
        client = clients["officer" if path == "/dashboard/" else "coordinator"]
        whole, whole_queries = queries(client, path)
        for piece in pieces:
            with ablate.without([piece]):
                reduced, reduced_queries = queries(client, path)
            assert reduced != whole, (path, piece)
            # What is left out is not computed either (the template alone runs no query).
            if piece != "body-template":
                assert reduced_queries < whole_queries, (path, piece)
            times = ablate.ablate(client, path, [piece], requests=2, warmup=1)
            assert [len(times["whole"]), len(times["reduced"])] == [2, 2]
            assert queries(client, path)[0] == whole, (path, piece)


def test_a_piece_its_page_does_not_call_stops_the_run(clients):
    with pytest.raises(SystemExit, match=re.escape("Without report-form, /dashboard/ is unchanged")):
        ablate.ablate(clients["officer"], "/dashboard/", ["report-form"], requests=1)


def test_the_report_gives_both_medians_and_the_difference():
    text = ablate.report("/dashboard/", ["deadline-lists"], {"whole": [60, 70, 64], "reduced": [40, 50, 48]})
    assert "as it is: 64.0 ms" in text
    assert "without deadline-lists: 48.0 ms, -16.0 ms (-25%)" in text
