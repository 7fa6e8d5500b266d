"""The benchmark harness (``make bench``, ``benchmarks/``): how it reads wrk's output,
how it checks the budgets in docs/architecture.md, the bare view that exists only in the benchmark
URLconf, and one small run end to end (PostgreSQL, Redis, gunicorn and wrk)."""

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import Resolver404, resolve

from benchmarks import run
from plans.tests.environment import require

BASE_DIR = Path(settings.BASE_DIR)

# Real output of wrk 4.1.0 with benchmarks/report.lua (2 threads, 4 connections, 1 s).
WRK_ALL_200 = """\
Running 1s test @ http://127.0.0.1:18765/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.56ms    1.32ms   7.54ms   67.21%
    Req/Sec   554.29    202.95     1.43k    95.24%
  1159 requests in 1.10s, 1.39MB read
Requests/sec:   1053.69
Transfer/sec:      1.26MB
BENCH_RESULT {"requests": 1159, "duration_s": 1.099949, "requests_per_s": 1053.685, "median_ms": 3.764, \
"p95_ms": 5.487, "p99_ms": 6.319, "mean_ms": 3.560, "max_ms": 7.538, \
"errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}}
"""
# A server that accepts connections and never answers.
WRK_NO_ANSWER = """\
Running 2s test @ http://127.0.0.1:18766/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  0 requests in 2.00s, 0.00B read
Requests/sec:      0.00
Transfer/sec:       0.00B
BENCH_RESULT {"requests": 0, "duration_s": 2.003000, "requests_per_s": 0.000, "median_ms": 0.000, \
"p95_ms": 0.000, "p99_ms": 0.000, "mean_ms": 0.000, "max_ms": 0.000, \
"errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}}
"""
# Lines of gunicorn's access log (its default format) while a session was lost: the
# dashboard redirected to the login page, which answered.
ACCESS_LOG = """\
127.0.0.1 - - [03/Dec/2026:17:30:01 +0000] "GET /dashboard/ HTTP/1.1" 200 244230 "-" "-"
127.0.0.1 - - [03/Dec/2026:17:30:01 +0000] "GET /dashboard/?plan=3 HTTP/1.1" 302 0 "-" "-"
127.0.0.1 - - [03/Dec/2026:17:30:01 +0000] "GET /accounts/login/?next=/dashboard/ HTTP/1.1" 200 9120 "-" "-"
127.0.0.1 - - [03/Dec/2026:17:30:02 +0000] "GET /overview/ HTTP/1.1" 500 145 "-" "-"
127.0.0.1 - - [03/Dec/2026:17:30:02 +0000] "GET /dashboard/ HTTP/1.1" 302 0 "-" "-"
"""

SWEEP = {
    "seconds": 4.2,
    "queries": 9,
    "digests": 100,
    "queued": 100,
    "messages_found": 100,
    "messages_agencies": 100,
    "max_messages_per_agency": 1,
}


# --- reading wrk's output ---------------------------------------------------------------


def test_reads_the_figures_of_a_clean_run():
    result = run.parse_wrk_output(WRK_ALL_200)
    assert (result.requests, result.median_ms, result.p95_ms, result.p99_ms) == (1159, 3.764, 5.487, 6.319)
    assert result.requests_per_s == pytest.approx(1053.685)
    assert result.failures == []


def failed(output, non_2xx, last):
    return dataclasses.replace(run.parse_wrk_output(output), non_2xx=non_2xx, last_non_2xx_status=last)


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (failed(WRK_ALL_200, 1159, 302), "1159 responses not 2xx (last: 302)"),
        (failed(WRK_ALL_200, 3, 500), "3 responses not 2xx (last: 500)"),
        (run.parse_wrk_output(WRK_NO_ANSWER), "no request completed"),
    ],
)
def test_a_run_with_responses_other_than_2xx_or_none_does_not_count(result, reason):
    assert result.failures == [reason]


def test_the_access_log_gives_each_page_the_statuses_it_answered_since_a_point(tmp_path):
    log = run.AccessLog(tmp_path / "access.log")
    assert log.end() == 0 and log.not_2xx(since=0, path="/dashboard/") == (0, 0)  # nothing logged yet
    first_line = ACCESS_LOG.splitlines(keepends=True)[0]
    log.path.write_text(ACCESS_LOG)
    # Any query string, redirects included; other pages' lines are theirs.
    assert log.not_2xx(since=0, path="/dashboard/") == (2, 302)
    assert log.not_2xx(since=0, path="/overview/") == (1, 500)
    assert log.not_2xx(since=0, path="/accounts/login/") == (0, 0)
    assert log.not_2xx(since=log.end(), path="/dashboard/") == (0, 0)
    since_first = len(first_line.encode())
    checked = log.checked(run.parse_wrk_output(WRK_ALL_200), since=since_first, path="/dashboard/")
    assert checked.failures == ["2 responses not 2xx (last: 302)"]


def test_socket_errors_do_not_count_either():
    result = dataclasses.replace(
        run.parse_wrk_output(WRK_ALL_200),
        errors={"connect": 0, "read": 2, "write": 0, "status": 0, "timeout": 3},
    )
    assert result.failures == ["socket errors: read 2, timeout 3"]


@pytest.mark.parametrize(
    "output",
    [
        "Running 1s test @ http://127.0.0.1:1/\nunable to connect to 127.0.0.1:1 Connection refused\n",
        WRK_ALL_200 + WRK_ALL_200.splitlines()[-1] + "\n",
        WRK_ALL_200.replace('"requests": 1159, ', ""),
        WRK_ALL_200.replace("}}", "}"),
    ],
    ids=["no result line", "two result lines", "a field missing", "broken JSON"],
)
def test_output_without_exactly_one_readable_result_is_an_error(output):
    with pytest.raises(run.BenchError):
        run.parse_wrk_output(output)


def test_redirects_that_wrk_lets_pass_are_counted_from_the_servers_access_log(tmp_path):
    require(shutil.which("wrk"), "wrk is not installed (Debian package wrk)")
    config = run.parse_args(["--connections", "2", "--threads", "1", "--timeout", "5"])
    server = run.Gunicorn(
        env=dict(os.environ),
        port=run.free_port(),
        workers=1,
        log_path=tmp_path / "gunicorn.log",
        app="benchmarks.tests.answering_app:application",
    )
    server.start()
    try:
        marks = {}
        for path in ("/", "/moved"):
            marks[path] = (
                server.access_log.end(),
                run.wrk_page(server, path, cookie="a=b", seconds=1, config=config),
            )
    finally:
        server.stop()  # the worker logs what it answered before it exits
    (since, ok), (since_moved, moved) = marks["/"], marks["/moved"]
    assert ok.requests > 0 and ok.failures == [] and ok.median_ms > 0
    assert moved.requests > 0 and moved.errors["status"] == 0  # wrk's own count sees nothing
    # Every redirect wrk received is in the log (and any it left unread when it stopped).
    count, last = server.access_log.not_2xx(since=since_moved, path="/moved")
    assert count >= moved.requests and last == 302
    assert moved.non_2xx > 0 and moved.last_non_2xx_status == 302
    assert server.access_log.not_2xx(since=since, path="/") == (0, 0)
    assert 0 < ok.median_ms <= ok.p95_ms <= ok.p99_ms <= ok.max_ms


# --- the budgets --------------------------------------------------------------------------


def measured(median_ms, output=WRK_ALL_200):
    return dataclasses.replace(run.parse_wrk_output(output), median_ms=median_ms)


def failed_in(median_ms, non_2xx, last):
    return dataclasses.replace(failed(WRK_ALL_200, non_2xx, last), median_ms=median_ms)


def verdicts(results, sweep=SWEEP):
    return {check.name: check.passed for check in run.budgets_check(results, sweep)}


DASHBOARD = "cold agency dashboard median / bare view median"
OVERVIEW = "cold province overview median / bare view median"
DASHBOARD_CACHED = "cached agency dashboard median / bare view median"
OVERVIEW_CACHED = "cached province overview median / bare view median"
RATIOS = (DASHBOARD, OVERVIEW, DASHBOARD_CACHED, OVERVIEW_CACHED)
SWEEP_TIME = "reminder sweep time"
MESSAGES = "queued messages per agency"


def pages(
    dashboard=20.0, overview=20.0, dashboard_cached=20.0, overview_cached=20.0, *, bare=10.0, bare_cached=None
):
    return {
        "bare": measured(bare),
        "dashboard": measured(dashboard),
        "overview": measured(overview),
        "bare_cached": measured(bare if bare_cached is None else bare_cached),
        "dashboard_cached": measured(dashboard_cached),
        "overview_cached": measured(overview_cached),
    }


@pytest.mark.parametrize(
    ("medians", "expected"),
    [
        ((100.0, 200.0, 30.0, 50.0), (True, True, True, True)),  # exactly 10×, 20×, 3× and 5×
        ((100.1, 200.0, 30.0, 50.0), (False, True, True, True)),
        ((100.0, 200.1, 30.0, 50.0), (True, False, True, True)),
        ((100.0, 200.0, 30.1, 50.0), (True, True, False, True)),
        ((100.0, 200.0, 30.0, 50.1), (True, True, True, False)),
        ((9.0, 12.0, 9.0, 12.0), (True, True, True, True)),
    ],
)
def test_cold_pages_are_held_to_10_and_20_times_the_bare_view_cached_ones_to_3_and_5(medians, expected):
    checks = verdicts(pages(*medians))
    assert tuple(checks[name] for name in RATIOS) == expected
    assert all(passed for name, passed in checks.items() if name not in RATIOS)


def scale_run(scale, **medians):
    return SimpleNamespace(config=SimpleNamespace(scale=scale), results=pages(**medians))


@pytest.mark.parametrize(
    ("dashboard", "overview", "expected"),
    [
        (150.0, 300.0, (True, True)),  # 1.5× and 3× at three times the data
        (151.0, 300.0, (False, True)),  # the dashboard grew with the province
        (100.0, 301.0, (True, False)),  # the overview grew faster than the data
        (80.0, 90.0, (True, True)),
    ],
)
def test_a_larger_scale_keeps_the_dashboard_flat_and_the_overview_linear(dashboard, overview, expected):
    first = scale_run("1", dashboard=100.0, overview=100.0)
    checks = run.growth_check(first, scale_run("3", dashboard=dashboard, overview=overview))
    assert tuple(check.passed for check in checks) == expected
    assert [check.budget for check in checks] == ["≤ 1.5×", "≤ 3×"]


def test_a_page_with_failed_responses_misses_its_budget_however_fast():
    results = {**pages(), "dashboard": failed_in(2.0, 1159, 302)}
    checks = verdicts(results)
    assert not checks["agency dashboard, cold (officer): every response 2xx, no socket error"]
    assert not checks[DASHBOARD]
    assert checks[OVERVIEW] and checks[DASHBOARD_CACHED]


def test_a_failed_bare_view_fails_the_ratios_of_its_server():
    checks = verdicts({**pages(), "bare": failed_in(10.0, 1159, 404)})
    assert [checks[name] for name in RATIOS] == [False, False, True, True]
    checks = verdicts({**pages(), "bare_cached": failed_in(10.0, 1159, 404)})
    assert [checks[name] for name in RATIOS] == [True, True, False, False]


def test_each_page_is_held_to_the_bare_view_measured_in_turns_with_it_on_its_server():
    # The cold server's bare view took 10 ms, the cached server's 5: 30 ms is 3× the
    # first and 6× the second.
    checks = verdicts(
        pages(dashboard=30.0, dashboard_cached=30.0, overview_cached=30.0, bare=10.0, bare_cached=5.0)
    )
    assert [checks[name] for name in RATIOS] == [True, True, False, False]
    assert run.results_table(pages(dashboard_cached=30.0, bare_cached=5.0))[4][-1] == "6.00×"


def test_rounds_merge_into_one_result_of_their_middle_figures():
    first = run.parse_wrk_output(WRK_ALL_200)
    rounds = [
        dataclasses.replace(first, median_ms=12.0, p95_ms=20.0, mean_ms=11.0, requests=100, duration_s=5.0),
        dataclasses.replace(first, median_ms=10.0, p95_ms=30.0, mean_ms=10.0, requests=300, duration_s=5.0),
        dataclasses.replace(
            first,
            median_ms=50.0,
            p95_ms=25.0,
            mean_ms=40.0,
            requests=100,
            duration_s=5.0,
            max_ms=90.0,
            non_2xx=2,
            last_non_2xx_status=302,
            errors={**first.errors, "timeout": 1},
        ),
    ]
    merged = run.merge_rounds(rounds)
    assert (merged.requests, merged.duration_s, merged.requests_per_s) == (500, 15.0, pytest.approx(500 / 15))
    # The middle round's median and p95, not the slow round's.
    assert (merged.median_ms, merged.p95_ms, merged.max_ms) == (12.0, 25.0, 90.0)
    assert merged.mean_ms == pytest.approx((11.0 * 100 + 10.0 * 300 + 40.0 * 100) / 500)
    assert (merged.non_2xx, merged.last_non_2xx_status, merged.errors["timeout"]) == (2, 302, 1)
    assert merged.failures == ["2 responses not 2xx (last: 302)", "socket errors: timeout 1"]


def test_what_was_not_measured_misses_its_budget():
    checks = verdicts({"bare": measured(10.0)}, sweep=None)
    assert checks == {
        "bare view (officer): every response 2xx, no socket error": True,
        "agency dashboard, cold (officer): every response 2xx, no socket error": False,
        "province overview, cold (coordinator): every response 2xx, no socket error": False,
        "bare view (officer), page cache on: every response 2xx, no socket error": False,
        "agency dashboard, cached (officer): every response 2xx, no socket error": False,
        "province overview, cached (coordinator): every response 2xx, no socket error": False,
        DASHBOARD: False,
        OVERVIEW: False,
        DASHBOARD_CACHED: False,
        OVERVIEW_CACHED: False,
        SWEEP_TIME: False,
        MESSAGES: False,
    }


@pytest.mark.parametrize(
    ("change", "time_ok", "messages_ok"),
    [
        ({}, True, True),
        ({"seconds": 29.99}, True, True),
        ({"seconds": 30.0}, False, True),
        ({"max_messages_per_agency": 2}, True, False),
        # A digest the sweep returned but that is not on the broker.
        ({"messages_found": 99}, True, False),
        ({"queued": 99, "messages_found": 99}, True, False),
    ],
)
def test_the_sweep_takes_under_30_s_and_queues_one_message_per_agency(change, time_ok, messages_ok):
    checks = verdicts(pages(), sweep={**SWEEP, **change})
    assert (checks[SWEEP_TIME], checks[MESSAGES]) == (time_ok, messages_ok)


def test_the_table_gives_each_page_its_ratio_to_the_bare_view():
    results = {"bare": measured(4.0), "dashboard": failed_in(10.0, 12, 302)}
    rows = run.results_table(results)
    assert rows[0] == ["bare view (officer)", "4.00", "5.49", "6.32", "1053.7", "0", "1.00×"]
    assert rows[1] == ["agency dashboard, cold (officer)", "10.00", "5.49", "6.32", "1053.7", "12", "2.50×"]
    assert rows[2] == ["province overview, cold (coordinator)", "–", "–", "–", "–", "–", "–"]
    text = run.text_table(run.TABLE_HEADER, rows).splitlines()
    assert [cell.strip() for cell in text[0].split("  ") if cell.strip()] == run.TABLE_HEADER
    assert len({len(line) for line in text}) == 1  # aligned columns


def test_options_come_from_the_environment_and_bad_ones_are_refused(monkeypatch, capsys):
    monkeypatch.setenv("BENCH_DURATION", "2")
    monkeypatch.setenv("BENCH_ROUNDS", "2")
    monkeypatch.setenv("BENCH_CONNECTIONS", "8")
    config = run.parse_args([])
    assert (config.duration, config.connections, config.threads, config.warmup) == (2, 8, 2, 3)
    assert (config.rounds, config.round_seconds) == (2, 1)
    # Fewer whole seconds than rounds: refused (wrk measures whole seconds).
    with pytest.raises(SystemExit):
        run.parse_args(["--rounds", "3"])
    assert "--rounds cannot exceed --duration" in capsys.readouterr().err
    monkeypatch.setenv("BENCH_DURATION", "15")
    config = run.parse_args(["--rounds", "4"])
    assert (config.rounds, config.round_seconds) == (4, 3)
    assert config.database_url == "postgres://postgres@127.0.0.1:5432/bench_province"
    with pytest.raises(SystemExit):
        run.parse_args(["--threads", "4", "--connections", "2"])
    assert "--threads cannot exceed --connections" in capsys.readouterr().err


# --- the bare view ------------------------------------------------------------------------


def test_the_bare_view_is_not_in_the_production_urls():
    with pytest.raises(Resolver404):
        resolve("/bench/bare/", urlconf="dien_bien_portal.urls")
    assert resolve("/bench/bare/", urlconf="benchmarks.urls").url_name == "bench-bare"
    # Every production URL is still there, unchanged.
    assert resolve("/dashboard/", urlconf="benchmarks.urls").url_name == "agency-dashboard"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="benchmarks.urls")
def test_the_bare_view_needs_a_login_and_answers_two_bytes(client, django_user_model):
    anonymous = client.get("/bench/bare/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(django_user_model.objects.create_user("officer"))
    response = client.get("/bench/bare/")
    assert response.status_code == 200 and response.content == b"ok"


def _settings_of(module):
    env = {
        **{name: value for name, value in os.environ.items() if name != "STATIC_ROOT"},
        "DJANGO_SETTINGS_MODULE": module,
        "DJANGO_SECRET_KEY": "a-long-benchmark-secret-key-for-this-test-only-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name) for name in dir(s) if name.isupper()}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=BASE_DIR, check=True
    )
    return json.loads(result.stdout)


def test_bench_settings_are_the_production_settings_with_the_bench_urls_and_app():
    production = _settings_of("dien_bien_portal.settings.production")
    bench = _settings_of("benchmarks.settings")
    assert bench.pop("ROOT_URLCONF") == "benchmarks.urls"
    assert production.pop("ROOT_URLCONF") == "dien_bien_portal.urls"
    assert bench.pop("SETTINGS_MODULE") == "benchmarks.settings"
    production.pop("SETTINGS_MODULE")
    # Only the benchmark's own app (its data commands) is added.
    assert bench.pop("INSTALLED_APPS") == [*production.pop("INSTALLED_APPS"), "benchmarks"]
    assert bench == production


# --- one small run, end to end ------------------------------------------------------------


def _smoke_database_url():
    """The run's own database on the test suite's PostgreSQL server (never the suite's
    database: the benchmark writes from other processes and keeps its data)."""
    if os.environ.get("BENCH_SMOKE_DATABASE_URL"):
        return os.environ["BENCH_SMOKE_DATABASE_URL"]
    parts = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    return parts._replace(path=f"{parts.path.rstrip('/')}_bench_smoke").geturl()


def _redis_reachable(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def test_a_small_run_end_to_end(tmp_path):
    if connection.vendor != "postgresql":
        # Not a missing service: the benchmark runs on PostgreSQL (production set-up);
        # CI runs this test in its PostgreSQL pass.
        pytest.skip("the benchmark runs on PostgreSQL; CI runs this test in its PostgreSQL pass")
    require(shutil.which("wrk"), "wrk is not installed (Debian package wrk)")
    redis_url = os.environ.get("REMINDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    require(_redis_reachable(redis_url), f"Redis is not reachable at {redis_url}")
    database_url = _smoke_database_url()
    output, results = tmp_path / "benchmarks.md", tmp_path / "results.json"
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": database_url,
        "BENCH_REDIS_URL": redis_url,
        "BENCH_SCALE": "0.01",
        # Cold pages take longer than the bare view; two seconds give each a few requests
        # even on a busy machine.
        "BENCH_DURATION": "2",
        "BENCH_ROUNDS": "2",
        "BENCH_WARMUP": "1",
        "BENCH_WORKERS": "1",
        "BENCH_OUTPUT": str(output),
        "BENCH_JSON": str(results),
    }
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--no-install"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode in (run.EXIT_PASS, run.EXIT_FAIL), finished.stderr[-3000:]
    data = json.loads(results.read_text())
    assert data["errors"] == [], finished.stderr[-3000:]
    assert data["data_set"]["plans"] == 1 and data["data_set"]["tasks"] == 100
    for key in ("bare", "dashboard", "overview", "bare_cached", "dashboard_cached", "overview_cached"):
        result = data["results"][key]
        assert result["requests"] > 0 and result["median_ms"] > 0
        assert result["non_2xx"] == 0, (key, result)
        # Two rounds of one second, which add up to the page's result.
        rounds = data["rounds"][key]
        assert len(rounds) == 2 and sum(one["requests"] for one in rounds) == result["requests"]
    assert data["sweep"]["digests"] == data["sweep"]["messages_found"] > 0
    assert data["sweep"]["max_messages_per_agency"] == 1
    # The sweep is measured over 100,000 open deadlines times the scale, topped up.
    assert data["sweep"]["open_deadlines"] >= 1000 and data["sweep"]["added_open_deadlines"] > 0
    assert data["reports"]["all"]["plans"] == 1
    # The exit status says whether every budget held; the page and the console agree.
    all_passed = all(check["passed"] for check in data["checks"])
    assert finished.returncode == (run.EXIT_PASS if all_passed else run.EXIT_FAIL)
    page = output.read_text()
    assert f"Result: **{'PASS' if all_passed else 'FAIL'}**" in page
    assert "| agency dashboard, cold (officer) |" in page and "| progress reports | 1000 |" in page
    assert "rounds' medians ms" in page and "2 rounds of 1 s" in page
    assert "cold agency dashboard median / bare view median" in finished.stdout
    # The mixed load: every kind answered, the submissions saved and then removed.
    for key in ("dashboard", "overview"):
        assert data["mixed"][key]["requests"] > 0 and data["mixed"][key]["non_2xx"] == 0
    assert data["mixed"]["report"]["requests"] > 0 and data["mixed"]["report"]["failed"] == 0
    assert "## Mixed load" in page and "| report submission (officer, POST) |" in page
    # gunicorn is gone, and the sweep left nothing in the ledger.
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", data["port"]), timeout=2):
        pass
    import psycopg2

    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks_reminderlog")
        assert cursor.fetchone()[0] == 0
        # Nor the open deadlines added for the sweep.
        cursor.execute("SELECT count(*) FROM plans_plan WHERE number = '1/KH-BENCH'")
        assert cursor.fetchone()[0] == 0
        # Nor the mixed load's reports.
        cursor.execute("SELECT count(*) FROM plans_progressreport")
        assert cursor.fetchone()[0] == 1000
