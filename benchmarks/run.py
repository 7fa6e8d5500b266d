"""The province-scale benchmark (docs/architecture.md, Budgets): ``make bench``
(``python -m benchmarks.run``).

In one run, on PostgreSQL and Redis, with the production settings served by gunicorn:

1. the database ``BENCH_DATABASE_URL`` is created if missing, migrated, and given the
   benchmark data set (``generate_bench_data``) unless a complete one is there already;
   static files are collected into a temporary folder;
2. gunicorn starts with ``gunicorn.conf.py`` on a free port, settings ``bench`` (the
   production settings plus a bare view); the benchmark logs in through the login form
   as an agency officer and as a coordinator;
3. wrk measures the bare view, the agency dashboard and the province overview, each
   after a warm-up, with the same connections and threads, in rounds: each round
   measures every page of the server once, the bare view first, so that a page and the
   bare view it is held to are measured seconds apart, whatever the machine's speed
   does over the minutes of the run;
4. gunicorn is stopped; the reminder sweep and the province's report are timed, each
   in a fresh process;
5. the results are printed, checked against the budgets in docs/architecture.md and written to
   ``docs/benchmarks.md``.

Exit status: 0 when every budget holds, 1 when one is missed or a measurement failed,
2 when the benchmark could not be set up. Options come from the command line or the
environment (``BENCH_*``); ``python -m benchmarks.run --help`` lists them.
"""

import argparse
import dataclasses
import datetime
import http.client
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zoneinfo
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the profile (python -m benchmarks.profile) showed, before and after the changes it led to.
PROFILE_SUMMARY = Path(__file__).resolve().parent / "profile_summary.md"
LUA_SCRIPT = Path(__file__).resolve().parent / "report.lua"
RESULT_MARK = "BENCH_RESULT "
HOST = "127.0.0.1"
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# docs/architecture.md, Budgets: pages computed afresh (the page cache off), and served
# from the page cache, each against the bare view's median.
COLD_DASHBOARD_MAX_RATIO = 10.0
COLD_OVERVIEW_MAX_RATIO = 20.0
DASHBOARD_MAX_RATIO = 3.0
OVERVIEW_MAX_RATIO = 5.0
SWEEP_MAX_SECONDS = 30.0
# …over this many open deadlines (times the data set's scale).
SWEEP_OPEN_DEADLINES = 100_000
MAX_MESSAGES_PER_AGENCY = 1

EXIT_PASS, EXIT_FAIL, EXIT_SETUP = 0, 1, 2


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


# --- wrk -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    requests_per_s: float
    median_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: dict
    # From the server's access log (``AccessLog``), not from wrk.
    non_2xx: int = 0
    last_non_2xx_status: int = 0

    @property
    def socket_errors(self) -> int:
        return sum(self.errors.get(name, 0) for name in ("connect", "read", "write", "timeout"))

    @property
    def failures(self) -> list[str]:
        """Why this measurement does not count: responses that were not 2xx, socket
        errors (timeouts included), or no request at all."""
        reasons = []
        if self.requests == 0:
            reasons.append("no request completed")
        if self.non_2xx:
            reasons.append(f"{self.non_2xx} responses not 2xx (last: {self.last_non_2xx_status})")
        if self.socket_errors:
            detail = ", ".join(f"{name} {n}" for name, n in self.errors.items() if n and name != "status")
            reasons.append(f"socket errors: {detail}")
        return reasons


def merge_rounds(rounds: list[WrkResult]) -> WrkResult:
    """One page's rounds as one result: requests, time, errors and statuses added up;
    each latency figure the middle of the rounds' (a median of the rounds' medians, not
    of every request: wrk gives no single latencies), the mean weighted by requests."""
    requests = sum(result.requests for result in rounds)
    duration = sum(result.duration_s for result in rounds)
    errors: dict = {}
    for result in rounds:
        for name, count in result.errors.items():
            errors[name] = errors.get(name, 0) + count
    statuses = [result.last_non_2xx_status for result in rounds if result.last_non_2xx_status]
    return WrkResult(
        requests=requests,
        duration_s=duration,
        requests_per_s=requests / duration if duration else 0.0,
        median_ms=statistics.median(result.median_ms for result in rounds),
        p95_ms=statistics.median(result.p95_ms for result in rounds),
        p99_ms=statistics.median(result.p99_ms for result in rounds),
        mean_ms=sum(result.mean_ms * result.requests for result in rounds) / requests if requests else 0.0,
        max_ms=max(result.max_ms for result in rounds),
        errors=errors,
        non_2xx=sum(result.non_2xx for result in rounds),
        last_non_2xx_status=statuses[-1] if statuses else 0,
    )


class AccessLog:
    """gunicorn's access log of a benchmark server: which statuses a page answered
    (wrk's own count leaves out redirects, and counting in its script costs what the
    server is measured on). ``end()`` before a measurement, ``checked`` after it."""

    # gunicorn's default format: … "GET /dashboard/?plan=1 HTTP/1.1" 200 …
    LINE = re.compile(r'"[A-Z]+ (?P<path>[^ ?"]*)[^"]*" (?P<status>\d{3}) ')

    def __init__(self, path: Path):
        self.path = path

    def end(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def not_2xx(self, *, since: int, path: str) -> tuple[int, int]:
        """How many requests for ``path`` logged after ``since`` were not answered with
        a 2xx status, and the last such status (0 without one)."""
        count = last = 0
        try:
            with open(self.path, "rb") as log:
                log.seek(since)
                lines = log.read().decode(errors="replace").splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            match = self.LINE.search(line)
            if match and match["path"] == path and not 200 <= int(match["status"]) <= 299:
                count, last = count + 1, int(match["status"])
        return count, last

    def checked(self, result: "WrkResult", *, since: int, path: str) -> "WrkResult":
        """``result`` with the statuses the server logged for ``path`` since ``since``."""
        count, last = self.not_2xx(since=since, path=path)
        return dataclasses.replace(result, non_2xx=count, last_non_2xx_status=last)


def parse_wrk_output(text: str) -> WrkResult:
    """The figures that ``report.lua`` prints at the end of wrk's output."""
    lines = [line for line in text.splitlines() if line.startswith(RESULT_MARK)]
    if len(lines) != 1:
        raise BenchError(f"wrk printed {len(lines)} result lines instead of one:\n{text.strip()}")
    try:
        data = json.loads(lines[0][len(RESULT_MARK) :])
        return WrkResult(**data)
    except (ValueError, TypeError) as exc:
        raise BenchError(f"wrk's result line cannot be read ({exc}): {lines[0]}") from exc


def wrk_version() -> str:
    # `wrk -v` prints its version line, then the usage, and exits with status 1.
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk (version unknown)"


def wrk_run(url: str, *, cookie: str, seconds: int, config) -> WrkResult:
    command = [
        "wrk",
        f"--threads={config.threads}",
        f"--connections={config.connections}",
        f"--duration={seconds}s",
        f"--timeout={config.timeout}s",
        f"--script={LUA_SCRIPT}",
        # Production redirects plain http to https; the proxy in front says it was https.
        "--header=X-Forwarded-Proto: https",
        f"--header=Cookie: {cookie}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + config.timeout + 60)
    if result.returncode != 0:
        raise BenchError(f"wrk failed (status {result.returncode}): {result.stderr.strip()}")
    return parse_wrk_output(result.stdout)


def wrk_page(server: "Gunicorn", path: str, *, cookie: str, seconds: int, config) -> WrkResult:
    """wrk on one page of ``server``, with the statuses the server logged for it."""
    since = server.access_log.end()
    result = wrk_run(f"http://{HOST}:{server.port}{path}", cookie=cookie, seconds=seconds, config=config)
    return server.access_log.checked(result, since=since, path=path)


# --- budgets ---------------------------------------------------------------------------


BARE_PATH = "/bench/bare/"


@dataclass(frozen=True)
class Target:
    key: str
    name: str
    path: str
    user: str  # "officer" or "coordinator"
    cached: bool = False  # served by the page cache; else computed on every request


TARGETS = [
    Target("bare", "bare view (officer)", BARE_PATH, "officer"),
    Target("dashboard", "agency dashboard, cold (officer)", "/dashboard/", "officer"),
    Target("overview", "province overview, cold (coordinator)", "/overview/", "coordinator"),
    # The bare view again on the server with the cache on, in turns with its pages.
    Target("bare_cached", "bare view (officer), page cache on", BARE_PATH, "officer", cached=True),
    Target("dashboard_cached", "agency dashboard, cached (officer)", "/dashboard/", "officer", cached=True),
    Target(
        "overview_cached", "province overview, cached (coordinator)", "/overview/", "coordinator", cached=True
    ),
]
RATIO_BUDGETS = [
    ("dashboard", "cold agency dashboard median", COLD_DASHBOARD_MAX_RATIO),
    ("overview", "cold province overview median", COLD_OVERVIEW_MAX_RATIO),
    ("dashboard_cached", "cached agency dashboard median", DASHBOARD_MAX_RATIO),
    ("overview_cached", "cached province overview median", OVERVIEW_MAX_RATIO),
]


@dataclass(frozen=True)
class Check:
    name: str
    budget: str
    measured: str
    passed: bool


def bare_key(key: str) -> str:
    """The bare view a page is held to: the one measured in turns with it, on its server."""
    cached = next(target.cached for target in TARGETS if target.key == key)
    return next(target.key for target in TARGETS if target.path == BARE_PATH and target.cached == cached)


def _ratio(results: dict, key: str) -> float | None:
    bare, other = results.get(bare_key(key)), results.get(key)
    if bare is None or other is None or bare.median_ms <= 0:
        return None
    return other.median_ms / bare.median_ms


def budgets_check(results: dict[str, WrkResult], sweep: dict | None) -> list[Check]:
    """The budgets (docs/architecture.md) against the measurements: page medians relative to the bare view's,
    the sweep's time and its messages per agency, and clean responses everywhere. A
    budget whose measurement is missing or failed is missed."""
    checks = []
    for target in TARGETS:
        result = results.get(target.key)
        failures = ["not measured"] if result is None else result.failures
        checks.append(
            Check(
                f"{target.name}: every response 2xx, no socket error",
                "0 failed",
                "; ".join(failures) if failures else f"{result.requests} requests, all 2xx",
                not failures,
            )
        )
    for key, label, limit in RATIO_BUDGETS:
        ratio = _ratio(results, key)
        valid = ratio is not None and not results[key].failures and not results[bare_key(key)].failures
        checks.append(
            Check(
                f"{label} / bare view median",
                f"≤ {limit:g}×",
                f"{ratio:.2f}×" if ratio is not None else "not measured",
                valid and ratio <= limit,
            )
        )
    if sweep is None:
        checks.append(Check("reminder sweep time", f"< {SWEEP_MAX_SECONDS:g} s", "not measured", False))
        checks.append(
            Check("queued messages per agency", f"≤ {MAX_MESSAGES_PER_AGENCY}", "not measured", False)
        )
    else:
        checks.append(
            Check(
                "reminder sweep time",
                f"< {SWEEP_MAX_SECONDS:g} s",
                f"{sweep['seconds']:.2f} s",
                sweep["seconds"] < SWEEP_MAX_SECONDS,
            )
        )
        # Every digest the sweep returned is on the broker, and no agency has two.
        complete = sweep["messages_found"] == sweep["queued"] == sweep["digests"]
        checks.append(
            Check(
                "queued messages per agency",
                f"≤ {MAX_MESSAGES_PER_AGENCY}",
                f"max {sweep['max_messages_per_agency']} ({sweep['messages_found']} messages for "
                f"{sweep['messages_agencies']} agencies; {sweep['digests']} digests)",
                complete and sweep["max_messages_per_agency"] <= MAX_MESSAGES_PER_AGENCY,
            )
        )
    return checks


# At a larger scale the cold pages are held to how they grow from the province's scale
# (docs/architecture.md): an agency's dashboard costs what its agency holds, so it stays
# flat (within this much of the first scale's median, for the noise of two runs); the
# overview, which counts every deadline, may grow at most as the data set does.
FLAT_MAX_GROWTH = 1.5


def growth_check(first, other) -> list[Check]:
    """The cold pages of ``other`` (a larger scale's run) against ``first``'s."""
    factor = float(other.config.scale) / float(first.config.scale)
    checks = []
    for key, label, limit in (
        ("dashboard", "cold agency dashboard median, growth (flat)", FLAT_MAX_GROWTH),
        ("overview", "cold province overview median, growth (at most linear)", factor),
    ):
        before, after = first.results.get(key), other.results.get(key)
        valid = before is not None and after is not None and not before.failures and not after.failures
        growth = after.median_ms / before.median_ms if valid and before.median_ms > 0 else None
        checks.append(
            Check(
                f"{label} from scale {first.config.scale}",
                f"≤ {limit:g}×",
                f"{growth:.2f}×" if growth is not None else "not measured",
                growth is not None and growth <= limit,
            )
        )
    return checks


def results_table(results: dict[str, WrkResult]) -> list[list[str]]:
    """Rows of name, median, p95, p99 (ms), requests/s, non-2xx and ratio to bare."""
    rows = []
    for target in TARGETS:
        result = results.get(target.key)
        if result is None:
            rows.append([target.name, "–", "–", "–", "–", "–", "–"])
            continue
        ratio = _ratio(results, target.key)
        rows.append(
            [
                target.name,
                f"{result.median_ms:.2f}",
                f"{result.p95_ms:.2f}",
                f"{result.p99_ms:.2f}",
                f"{result.requests_per_s:.1f}",
                str(result.non_2xx + result.socket_errors),
                f"{ratio:.2f}×" if ratio is not None else "–",
            ]
        )
    return rows


MIXED_HEADER = ["kind", "requests", "median ms", "p95 ms", "failed"]


def mixed_table(mixed: dict | None) -> list[list[str]]:
    """Rows of the mixed load: each kind's requests, median and p95 latency, failures."""
    if not mixed:
        return [["not measured", "–", "–", "–", "–"]]
    rows = []
    for key, name in (
        ("dashboard", "agency dashboard (officer)"),
        ("report", "report submission (officer, POST)"),
        ("overview", "province overview (coordinator)"),
    ):
        result = mixed.get(key)
        if result is None:
            rows.append([name, "–", "–", "–", "–"])
        elif isinstance(result, WrkResult):
            failed = result.non_2xx + result.socket_errors
            rows.append(
                [name, str(result.requests), f"{result.median_ms:.2f}", f"{result.p95_ms:.2f}", str(failed)]
            )
        else:
            median, p95 = result["median_ms"], result["p95_ms"]
            rows.append(
                [
                    name,
                    str(result["requests"]),
                    f"{median:.2f}" if median is not None else "–",
                    f"{p95:.2f}" if p95 is not None else "–",
                    str(result["failed"]),
                ]
            )
    return rows


def growth_table(runs: list) -> tuple[list[str], list[list[str]]]:
    """Each page's median at every scale measured, and its growth from the first."""
    header = ["page"] + [f"scale {run.config.scale} ms" for run in runs]
    if len(runs) > 1:
        header.append(f"× from scale {runs[0].config.scale}")
    rows = []
    for target in TARGETS:
        medians = [run.results.get(target.key) for run in runs]
        row = [target.name] + [f"{result.median_ms:.2f}" if result else "–" for result in medians]
        if len(runs) > 1:
            first, last = medians[0], medians[-1]
            row.append(
                f"{last.median_ms / first.median_ms:.2f}×" if first and last and first.median_ms else "–"
            )
        rows.append(row)
    return header, rows


TABLE_HEADER = ["benchmark", "median ms", "p95 ms", "p99 ms", "req/s", "failed", "× bare"]


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        first = f"{cells[0]:<{widths[0]}}"
        return "  ".join(
            [first] + [f"{cell:>{width}}" for cell, width in zip(cells[1:], widths[1:], strict=True)]
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def markdown_table(header: list[str], rows: list[list[str]], *, numbers=True) -> str:
    """A Markdown table, its first column left-aligned, the others right-aligned when
    they hold ``numbers``."""
    rule = ["---" if i == 0 or not numbers else "---:" for i in range(len(header))]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [header, rule, *rows])


# --- configuration ---------------------------------------------------------------------


def _env_int(name, default):
    return int(os.environ.get(name, default))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="The province-scale benchmark (docs/architecture.md, Budgets).",
    )
    add = parser.add_argument
    add(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@{HOST}:5432/bench_province"),
        help="PostgreSQL database of the benchmark, created if missing (BENCH_DATABASE_URL)",
    )
    add(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", f"redis://{HOST}:6379/13"),
        help="Redis database for cache and broker, emptied at the start (BENCH_REDIS_URL)",
    )
    add(
        "--duration",
        type=int,
        default=_env_int("BENCH_DURATION", 15),
        help="seconds per measurement (BENCH_DURATION)",
    )
    add(
        "--rounds",
        type=int,
        default=_env_int("BENCH_ROUNDS", 3),
        help="rounds the measured seconds are split into, every page of a server once per round, "
        "the bare view first (BENCH_ROUNDS)",
    )
    add(
        "--warmup",
        type=int,
        default=_env_int("BENCH_WARMUP", 3),
        help="seconds of warm-up before each (BENCH_WARMUP)",
    )
    add(
        "--connections",
        type=int,
        default=_env_int("BENCH_CONNECTIONS", 4),
        help="wrk connections (BENCH_CONNECTIONS)",
    )
    add("--threads", type=int, default=_env_int("BENCH_THREADS", 2), help="wrk threads (BENCH_THREADS)")
    add(
        "--timeout",
        type=int,
        default=_env_int("BENCH_TIMEOUT", 30),
        help="wrk request timeout, seconds (BENCH_TIMEOUT)",
    )
    add("--workers", type=int, default=_env_int("BENCH_WORKERS", 2), help="gunicorn workers (BENCH_WORKERS)")
    add(
        "--scale",
        default=os.environ.get("BENCH_SCALE", "1,3"),
        help="data set scales, (0, 10] each, comma-separated; 1 is the province, 10 a national-size "
        "set; the first is measured in full, the others for the pages and the growth table (BENCH_SCALE)",
    )
    add("--seed", default=os.environ.get("BENCH_SEED", "139"), help="data set seed (BENCH_SEED)")
    add(
        "--output",
        default=os.environ.get("BENCH_OUTPUT", str(ROOT / "docs" / "benchmarks.md")),
        help="where the results are written (BENCH_OUTPUT)",
    )
    add(
        "--json",
        default=os.environ.get("BENCH_JSON", ""),
        help="also write the results as JSON to this file (BENCH_JSON)",
    )
    add("--no-install", action="store_true", help="never install wrk with apt-get; fail when it is missing")
    config = parser.parse_args(argv)
    if config.threads > config.connections:
        parser.error("--threads cannot exceed --connections (wrk gives each thread a connection at least)")
    if (
        min(config.duration, config.warmup, config.connections, config.threads, config.workers, config.rounds)
        < 1
    ):
        parser.error("durations, rounds, connections, threads and workers must be at least 1")
    if config.rounds > config.duration:
        parser.error("--rounds cannot exceed --duration (wrk measures whole seconds)")
    # wrk measures whole seconds.
    config.round_seconds = config.duration // config.rounds
    try:
        config.scales = [str(float(value)).removesuffix(".0") for value in config.scale.split(",")]
    except ValueError:
        parser.error(f"--scale: {config.scale!r} is not a list of numbers")
    if not all(0 < float(value) <= 10 for value in config.scales):
        parser.error("--scale: every scale must be in (0, 10]")
    config.scale = config.scales[0]
    return config


def scale_database_url(url: str, scale: str, first: str) -> str:
    """The database of a scale: the given one for the first scale, the same name with
    ``_scale<N>`` added for the others (each keeps its data set between runs)."""
    if scale == first:
        return url
    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/") + "_scale" + scale.replace(".", "_")
    return urllib.parse.urlunsplit(parsed._replace(path="/" + name))


# --- services --------------------------------------------------------------------------


def ensure_wrk(*, install: bool) -> None:
    if shutil.which("wrk"):
        return
    if not install:
        raise BenchError("wrk is not installed (Debian package `wrk`).")
    print("wrk is missing: installing the Debian package `wrk` with apt-get.", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BenchError(f"wrk could not be installed: {exc}") from exc
    if not shutil.which("wrk"):
        raise BenchError("wrk could not be installed.")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(f"The benchmark runs on PostgreSQL; BENCH_DATABASE_URL is {parts.scheme}://…")
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    try:
        connection = psycopg2.connect(
            dbname="postgres",
            host=parts.hostname or HOST,
            port=parts.port or 5432,
            user=urllib.parse.unquote(parts.username or "postgres"),
            password=urllib.parse.unquote(parts.password or "") or None,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL cannot be reached at {parts.hostname}:{parts.port or 5432}: {exc}"
        ) from exc
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"Creating the database {name}.", flush=True)
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def redis_prepare(url: str) -> str:
    """Empty the benchmark's Redis database (no cache or queue from an earlier run);
    return the server's version."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        client.flushdb()
        return client.info("server")["redis_version"]
    except redis.RedisError as exc:
        raise BenchError(f"Redis cannot be reached at {url}: {exc}") from exc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- the portal over HTTP --------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def cookies(self) -> dict[str, str]:
        jar = {}
        for key, value in self.headers:
            if key.lower() != "set-cookie":
                continue
            try:
                parsed = SimpleCookie()
                parsed.load(value)
            except CookieError:
                continue
            jar.update({name: morsel.value for name, morsel in parsed.items()})
        return jar


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class Portal:
    """Plain HTTP to gunicorn, as the reverse proxy speaks to it: every request says it
    came over https, and cookies are sent by hand (they are ``Secure``)."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://{HOST}:{port}"

    def request(self, method, path, *, cookies=None, body=None, headers=None, timeout=60) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        sent = {"X-Forwarded-Proto": "https", **(headers or {})}
        if cookies:
            sent["Cookie"] = cookie_header(cookies)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Response(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def login(self, username: str, password: str, *, session_cookie: str) -> dict[str, str]:
        """Log in through the login form (GET for the CSRF token, POST); return the
        session cookie."""
        page = self.request("GET", "/accounts/login/")
        if page.status != 200:
            raise BenchError(f"GET /accounts/login/ answered {page.status}, not 200.")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if not match:
            raise BenchError("The login page has no CSRF token.")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": match[1].decode()}
        )
        answer = self.request(
            "POST",
            "/accounts/login/",
            cookies=page.cookies(),
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/accounts/login/",
            },
        )
        session = answer.cookies().get(session_cookie)
        if answer.status != 302 or not session:
            raise BenchError(
                f"Logging in as {username} failed: status {answer.status}, "
                f"cookies set {sorted(answer.cookies())}."
            )
        return {session_cookie: session}


class Gunicorn:
    """gunicorn with the repository's gunicorn.conf.py, in a process group of its own."""

    def __init__(
        self, *, env: dict, port: int, workers: int, log_path: Path, app: str = "dien_bien_portal.wsgi"
    ):
        # Each request's status goes to the access log (as with GUNICORN_ACCESS_LOG in
        # production), where the benchmark reads it.
        self.access_log = AccessLog(log_path.with_name(log_path.stem + "-access.log"))
        self.env = {
            **env,
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_FORWARDED_ALLOW_IPS": HOST,
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_ACCESS_LOG": str(self.access_log.path),
            # No worker recycling in the middle of a measurement.
            "GUNICORN_MAX_REQUESTS": "0",
        }
        self.app = app
        self.port = port
        self.log_path = log_path
        self.process = None

    def start(self, *, timeout: float = 60) -> None:
        with open(self.log_path, "wb") as log:  # the child keeps its own copy of the file
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", self.app],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        portal = Portal(self.port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                if portal.request("GET", "/accounts/login/", timeout=5).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """TERM to the master (it stops its workers), then KILL to the whole group."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


# --- the run ---------------------------------------------------------------------------


def machine_info() -> dict:
    def first(path, pattern):
        try:
            match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
        except OSError:
            return None
        return match[1].strip() if match else None

    memory_kib = first("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    os_name = first("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)') or platform.system()
    return {
        "cpu": first("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory": f"{int(memory_kib) / 1024**2:.1f} GiB" if memory_kib else "unknown",
        "os": f"{os_name} (Linux {platform.release()})" if platform.system() == "Linux" else os_name,
        "python": platform.python_version(),
    }


def git_commit() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return (
        f"{commit} (with uncommitted changes)"
        if git("status", "--porcelain", "--untracked-files=no")
        else commit
    )


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report_submissions(portal: Portal, cookies: dict, *, deadline_id: int, seconds: float) -> dict:
    """Progress reports submitted through the report form, one after another for
    ``seconds``: each a GET of the deadline's page, which holds the form (for its CSRF
    token, not timed), and the timed POST,
    which must answer with the redirect of a saved report. Each new report replaces the
    previous one waiting for review; the benchmark's clean-up step removes them."""
    page, path = f"/deadlines/{deadline_id}/", f"/deadlines/{deadline_id}/report/"
    latencies, failed = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        form = portal.request("GET", page, cookies=cookies)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        if form.status != 200 or not match:
            failed += 1
            continue
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": match[1].decode(),
                "state": "in_progress",
                "percent": str(len(latencies) % 100),
                "narrative": "Đang triển khai (báo cáo thử tải).",
            }
        )
        start = time.perf_counter()
        answer = portal.request(
            "POST",
            path,
            cookies={**cookies, **form.cookies()},
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": portal.origin,
                "Referer": f"{portal.origin}{page}",
            },
        )
        elapsed = (time.perf_counter() - start) * 1000
        if answer.status == 302:
            latencies.append(elapsed)
        else:
            failed += 1
    return {
        "requests": len(latencies),
        "failed": failed,
        "median_ms": statistics.median(latencies) if latencies else None,
        "p95_ms": _percentile(latencies, 0.95) if latencies else None,
    }


@dataclass
class BenchRun:
    config: argparse.Namespace
    env: dict = field(default_factory=dict)
    state: dict | None = None
    users: dict | None = None
    results: dict = field(default_factory=dict)
    # Each page's rounds (``merge_rounds`` made its result from them), to show how far apart they were.
    rounds: dict = field(default_factory=dict)
    mixed: dict | None = None
    # The runs at the larger scales (``--scales``), measured after this one.
    others: list = field(default_factory=list)
    sweep: dict | None = None
    reports: dict | None = None
    errors: list = field(default_factory=list)
    machine: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    generated: bool = False
    started_at: datetime.datetime | None = None
    server: Gunicorn | None = None

    def django(self, step: str, *args) -> dict:
        """Run a step of ``benchmarks.steps`` in a fresh process; its JSON answer."""
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.steps", step, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            print(result.stderr.strip()[-5000:], file=sys.stderr)
            last = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise BenchError(f"Step {step} failed: {last}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def manage(self, *args) -> None:
        """A manage.py command, its output shown as it comes (generate_bench_data's bar)."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env)
        if result.returncode != 0:
            raise BenchError(f"manage.py {' '.join(args)} failed with status {result.returncode}.")

    def setup(self, static_root: Path) -> None:
        config = self.config
        ensure_wrk(install=not config.no_install)
        ensure_database(config.database_url)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": config.database_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "REDIS_URL": config.redis_url,
            "CACHE_URL": config.redis_url,
            "CELERY_BROKER_URL": config.redis_url,
            # Nothing the benchmark does sends mail; should anything try, it stays here.
            "EMAIL_URL": "consolemail://",
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.versions["redis"] = redis_prepare(config.redis_url)
        print("== Database: migrate", flush=True)
        self.manage("migrate", "--noinput", "--verbosity", "1")
        self.state = self.django("state", "--scale", config.scale)
        if not self.state["complete"]:
            reasons = "; ".join(self.state["problems"])
            print(f"== Data set missing or incomplete ({reasons}): generating it", flush=True)
            self.manage(
                "generate_bench_data",
                "--scale",
                config.scale,
                "--seed",
                config.seed,
                "--today",
                self.state["generate_today"],
            )
            self.generated = True
            self.state = self.django("state", "--scale", config.scale)
            if not self.state["complete"]:
                raise BenchError("The data set is still incomplete: " + "; ".join(self.state["problems"]))
        else:
            print(f"== Data set present (generated for {self.state['today']}): reused", flush=True)
        vacuumed = self.django("vacuum")
        if vacuumed["vacuumed"]:
            print(f"== Database: VACUUM (ANALYZE) in {vacuumed['seconds']} s", flush=True)
        print("== Static files", flush=True)
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.users = self.django("users")

    def measure(self, log_path: Path) -> None:
        """The cold pages on a server whose page cache is off (every request computes its
        page), then the cached pages and the mixed load on a server with the cache on."""
        for cached in (False, True):
            env = {**self.env} if cached else {**self.env, "PAGE_CACHE_SECONDS": "0"}
            self.server = Gunicorn(env=env, port=free_port(), workers=self.config.workers, log_path=log_path)
            mode = "page cache on" if cached else "page cache off"
            print(
                f"== gunicorn ({mode}): {self.config.workers} workers on {HOST}:{self.server.port}",
                flush=True,
            )
            self.server.start()
            portal = Portal(self.server.port)
            session_name = self.state["session_cookie_name"]
            cookies = {
                role: portal.login(user["username"], user["password"], session_cookie=session_name)
                for role, user in ((role, self.users[role]) for role in ("officer", "coordinator"))
            }
            targets = [target for target in TARGETS if target.cached == cached]
            for target in targets:
                self._warm_up(portal, target, cookies)
            rounds: dict[str, list[WrkResult]] = {target.key: [] for target in targets}
            for number in range(1, self.config.rounds + 1):
                for target in targets:
                    print(f"== wrk {target.name}: round {number}, {self.config.round_seconds} s", flush=True)
                    rounds[target.key].append(self._measure_round(target, cookies))
            for target in targets:
                self.results[target.key] = merge_rounds(rounds[target.key])
                self.rounds[target.key] = rounds[target.key]
            if cached:
                self.mixed = self._measure_mixed(portal, cookies)
            self.server.stop()

    def _warm_up(self, portal, target, cookies) -> None:
        config = self.config
        # One plain request first: a wrong page shows its status here, not as a stream
        # of failed requests.
        check = portal.request("GET", target.path, cookies=cookies[target.user], timeout=config.timeout)
        if check.status != 200:
            raise BenchError(f"GET {target.path} as {target.user} answered {check.status}, not 200.")
        print(f"== wrk {target.name}: {config.warmup} s warm-up", flush=True)
        cookie = cookie_header(cookies[target.user])
        warmup = wrk_page(self.server, target.path, cookie=cookie, seconds=config.warmup, config=config)
        # A cold page can take longer than the warm-up with every connection waiting: no
        # request completed is no failure there (the request above answered 200).
        failures = [reason for reason in warmup.failures if reason != "no request completed"]
        if failures:
            raise BenchError(f"Warm-up of {target.path}: " + "; ".join(failures))

    def _measure_round(self, target, cookies) -> WrkResult:
        cookie = cookie_header(cookies[target.user])
        return wrk_page(
            self.server, target.path, cookie=cookie, seconds=self.config.round_seconds, config=self.config
        )

    def _measure_mixed(self, portal, cookies) -> dict:
        """Office hours: officers open their dashboard and submit reports while
        coordinators read the overview, at the same time, for ``duration`` seconds, with
        the page cache on. Each submission changes the officer's agency's data, so its
        dashboard is computed again on the next view. wrk drives the two pages (one
        connection each); report submissions go one after another from here."""
        config = self.config
        print(f"== mixed load: {config.duration} s", flush=True)
        config_one = argparse.Namespace(**{**vars(config), "connections": 1, "threads": 1})
        outcomes: dict = {}

        def page(key, path, user):
            outcomes[key] = wrk_page(
                self.server,
                path,
                cookie=cookie_header(cookies[user]),
                seconds=config.duration,
                config=config_one,
            )

        pages = (("dashboard", "/dashboard/", "officer"), ("overview", "/overview/", "coordinator"))
        threads = [threading.Thread(target=page, args=args) for args in pages]
        for thread in threads:
            thread.start()
        submissions = report_submissions(
            portal, cookies["officer"], deadline_id=self.users["report_deadline"], seconds=config.duration
        )
        for thread in threads:
            thread.join()
        return {**outcomes, "report": submissions}

    def collect(self, temp: Path, *, extras: bool) -> bool:
        """Set up and measure this run's scale; with ``extras``, the reminder sweep and
        the province report too. False when it could not be set up."""
        try:
            self.setup(temp / "static")
        except BenchError as exc:
            print(f"bench: cannot set up: {exc}", file=sys.stderr)
            self.errors.append(f"scale {self.config.scale}: cannot set up: {exc}")
            return False
        self.versions.update(
            {
                "postgresql": self.state["database"]["version"],
                "django": _version("Django"),
                "gunicorn": _version("gunicorn"),
                "wrk": wrk_version(),
            }
        )
        try:
            self.measure(temp / "gunicorn.log")
        except BenchError as exc:
            self.errors.append(str(exc))
            print(f"bench: {exc}", file=sys.stderr)
        finally:
            if self.server:
                self.server.stop()
            try:
                self.django("reports_cleanup")
            except BenchError as exc:
                self.errors.append(str(exc))
        if self.errors or any(result.failures for result in self.results.values()):
            print(
                f"gunicorn's log ends with:\n{self.server.log_tail() if self.server else ''}",
                file=sys.stderr,
            )
        if not extras:
            return True
        day = self.state["sweep_day"]
        # The sweep budget (docs/architecture.md) is stated over 100,000 open deadlines (scaled).
        open_target = str(round(SWEEP_OPEN_DEADLINES * float(self.config.scale)))
        sweep_args = ["--today", day, "--open-deadlines", open_target]
        for name, args in (("sweep", sweep_args), ("reports", ["--today", self.state["today"]])):
            print(f"== {name} (fresh process)", flush=True)
            try:
                setattr(self, name, self.django(name, *args))
            except BenchError as exc:
                self.errors.append(str(exc))
                print(f"bench: {exc}", file=sys.stderr)
        return True

    def checks(self) -> list[Check]:
        """This run's budgets and those of the larger scales (pages only), by scale."""
        checks = budgets_check(self.results, self.sweep)
        for other in self.others:
            # The ratio budgets are the province's; a larger scale keeps the cached ones
            # and is held to growth for the cold pages.
            kept = [
                check
                for check in budgets_check(other.results, None)
                if not check.name.startswith(("reminder sweep", "queued messages", "cold "))
            ]
            for check in kept + growth_check(self, other):
                checks.append(dataclasses.replace(check, name=f"scale {other.config.scale}: {check.name}"))
        if self.others:
            checks = [
                dataclasses.replace(check, name=f"scale {self.config.scale}: {check.name}")
                if not check.name.startswith(("scale ", "reminder sweep", "queued messages"))
                else check
                for check in checks
            ]
        return checks

    def execute(self) -> int:
        config = self.config
        self.started_at = datetime.datetime.now(datetime.UTC)
        self.machine = machine_info()
        self.load["start"] = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="bench-") as temp:
            if not self.collect(Path(temp), extras=True):
                return EXIT_SETUP
            for other in self.others:
                print(f"== Scale {other.config.scale}", flush=True)
                other.collect(Path(temp), extras=False)
                self.errors += [f"scale {other.config.scale}: {error}" for error in other.errors]
        self.load["end"] = os.getloadavg()
        checks = self.checks()
        passed = all(check.passed for check in checks) and not self.errors
        print()
        print(self.summary(checks, passed))
        output = Path(config.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(self.markdown(checks, passed))
        print(f"\nWritten to {output}.")
        status = EXIT_PASS if passed else EXIT_FAIL
        if config.json:
            Path(config.json).write_text(json.dumps(self.as_dict(checks, status), indent=2, default=str))
        return status

    def as_dict(self, checks: list[Check], status: int) -> dict:
        return {
            "status": status,
            "port": self.server.port if self.server else None,
            "generated": self.generated,
            "results": {key: result.__dict__ for key, result in self.results.items()},
            "rounds": {key: [result.__dict__ for result in results] for key, results in self.rounds.items()},
            "mixed": {
                key: value.__dict__ if isinstance(value, WrkResult) else value
                for key, value in (self.mixed or {}).items()
            },
            "scales": {
                other.config.scale: {key: result.__dict__ for key, result in other.results.items()}
                for other in self.others
            },
            "checks": [check.__dict__ for check in checks],
            "sweep": self.sweep,
            "reports": self.reports,
            "errors": self.errors,
            "data_set": self.state["counts"] if self.state else None,
        }

    # --- reports -----------------------------------------------------------------------

    def summary(self, checks: list[Check], passed: bool) -> str:
        lines = [
            text_table(TABLE_HEADER, results_table(self.results)),
            "",
            "mixed load:",
            text_table(MIXED_HEADER, mixed_table(self.mixed)),
            "",
        ]
        if self.others:
            lines += [text_table(*growth_table([self, *self.others])), ""]
        if self.sweep:
            s = self.sweep
            lines.append(
                f"reminder sweep ({s['today']}): {s['seconds']:.2f} s, {s['queries']} queries, "
                f"{s['open_deadlines']} open deadlines ({s['added_open_deadlines']} added for it), "
                f"{s['claimed']} reminders claimed, "
                f"{s['digests']} digests queued for {s['messages_agencies']} agencies "
                f"(max {s['max_messages_per_agency']} per agency)"
            )
        if self.reports:
            one, every = self.reports["one"], self.reports["all"]
            lines.append(
                f"province report {self.reports['period']}: one plan ({one['plan']}, {one['tasks']} tasks) "
                f"{one['seconds']:.2f} s (selector {one['selector_seconds']:.2f} s, "
                f"{one['queries']} queries; .docx {one['docx_seconds']:.2f} s); "
                f"all plans ({every['plans']}) {every['seconds']:.2f} s"
            )
        lines.append("")
        for check in checks:
            verdict = "PASS" if check.passed else "FAIL"
            lines.append(f"{verdict}  {check.name}: {check.measured} (budget {check.budget})")
        for error in self.errors:
            lines.append(f"ERROR {error}")
        lines.append("")
        lines.append("All budgets hold." if passed else "Budget missed or measurement failed.")
        return "\n".join(lines)

    def markdown(self, checks: list[Check], passed: bool) -> str:
        config, state, machine = self.config, self.state, self.machine
        local = self.started_at.astimezone(LOCAL_TZ)
        counts, totals = state["counts"], state["totals"]
        out = [
            "# Benchmark: the province-scale data set",
            "",
            "Written by `make bench` (`benchmarks/run.py`); rerun it to refresh this page. "
            "The budgets are those in docs/architecture.md.",
            "",
            f"- Run: {local:%Y-%m-%d %H:%M} Vietnam time ({self.started_at:%Y-%m-%d %H:%M} UTC), "
            f"commit {git_commit()}",
            f"- Result: **{'PASS' if passed else 'FAIL'}**",
            "",
            "## Budgets",
            "",
            markdown_table(
                ["budget", "limit", "measured", "result"],
                [[c.name, c.budget, c.measured, "PASS" if c.passed else "**FAIL**"] for c in checks],
                numbers=False,
            ),
            "",
        ]
        if self.errors:
            out += ["Errors:", ""] + [f"- {' '.join(error.split())[:300]}" for error in self.errors] + [""]
        out += [
            "## Page latency",
            "",
            "wrk against gunicorn, each page after its own warm-up, in "
            f"{config.rounds} rounds of {config.round_seconds} s: each round measures every page of "
            "its server once, the bare view first. Latencies in milliseconds, each the middle of "
            "the rounds' figures; *failed* counts responses that were not 2xx (from gunicorn's "
            "access log) and socket errors.",
            "",
            markdown_table(TABLE_HEADER, results_table(self.results)),
            "",
        ]
        if self.results:
            out += [
                markdown_table(
                    ["benchmark", "requests", "mean ms", "max ms", "rounds' medians ms"],
                    [
                        [
                            t.name,
                            str(r.requests),
                            f"{r.mean_ms:.2f}",
                            f"{r.max_ms:.2f}",
                            ", ".join(f"{one.median_ms:.2f}" for one in self.rounds.get(t.key, [])) or "–",
                        ]
                        for t in TARGETS
                        if (r := self.results.get(t.key))
                    ],
                ),
                "",
            ]
        out += [
            "*Cold*: a server whose page cache is off (`PAGE_CACHE_SECONDS=0`), so every request "
            "computes its page, as after a write; *cached*: a server with the page cache on, every "
            "request after the first served from it. Each against the bare view measured in turns "
            "with it on the same server.",
            "",
            "## Mixed load",
            "",
            f"With the page cache on, for {config.duration} s at once: the officer's dashboard and "
            "the coordinator's overview (wrk, one connection each) while the officer submits "
            "progress reports through the report form one after another (each a new report on "
            "the same deadline of the officer's agency, replacing the one before; all removed "
            "afterwards). Every submission changes the agency's data, so the next dashboard is "
            "computed again; the overview, which shows every agency, too.",
            "",
            markdown_table(MIXED_HEADER, mixed_table(self.mixed)),
            "",
        ]
        runs = [self, *self.others]
        if self.others:
            header, rows = growth_table(runs)
            out += [
                "## Growth with the data",
                "",
                "Medians of each page at every scale measured in this run (scale 1: the province; "
                "the agency dashboard's agency is each data set's busiest).",
                "",
                markdown_table(header, rows),
                "",
            ]
            for other in self.others:
                counts = (other.state or {}).get("counts", {})
                out += [
                    f"### Scale {other.config.scale}",
                    "",
                    f"`generate_bench_data --scale {other.config.scale} --seed {config.seed}`: "
                    f"{counts.get('agencies', '?')} agencies, {counts.get('tasks', '?')} tasks, "
                    f"{counts.get('deadlines', '?')} deadlines, {counts.get('reports', '?')} reports; "
                    f"the officer's agency leads "
                    f"{((other.users or {}).get('officer') or {}).get('agency_deadlines', '?')} deadlines.",
                    "",
                    markdown_table(TABLE_HEADER, results_table(other.results)),
                    "",
                    markdown_table(MIXED_HEADER, mixed_table(other.mixed)),
                    "",
                ]
        officer = (self.users or {}).get("officer", {})
        coordinator = (self.users or {}).get("coordinator", {})
        out += [
            "- Bare view: `/bench/bare/`, a login-required view returning a two-byte response, behind "
            "the same middleware (settings `benchmarks.settings`, which only adds this URL "
            "to the production settings).",
            f"- Agency dashboard `/dashboard/` as an officer of `{officer.get('agency', '?')}`, the "
            f"benchmark agency that leads the most deadlines ({officer.get('agency_deadlines', '?')}).",
            f"- Province overview `/overview/` as a coordinator of `{coordinator.get('agency', '?')}`.",
            "- Every request carries `X-Forwarded-Proto: https` (as from the reverse proxy) and the "
            "session cookie obtained through the login form.",
            "",
            "## Reminder sweep",
            "",
        ]
        if self.sweep:
            s = self.sweep
            out += [
                f"`tasks.services.reminder_sweep` for {s['today']}, timed in a fresh process, then its "
                "digests queued on Redis as the daily beat task does. The budget is stated over "
                f"{SWEEP_OPEN_DEADLINES:,} open deadlines; the data set has fewer open on one day, so "
                "open deadlines led by the benchmark's agencies are added first "
                "(`benchmarks.sweep_data`). All of it runs in a transaction that is rolled back, and "
                "the queued messages are removed, so every run starts alike.",
                "",
                markdown_table(
                    ["measure", "value"],
                    [
                        ["sweep time", f"{s['seconds']:.2f} s"],
                        ["SQL queries", str(s["queries"])],
                        ["open deadlines (all active plans)", str(s["open_deadlines"])],
                        ["of which added for the measurement", str(s["added_open_deadlines"])],
                        ["reminders claimed", str(s["claimed"])],
                        ["agencies with reminders", str(s["agencies_with_reminders"])],
                        ["digests queued", str(s["queued"])],
                        ["queueing time", f"{s['enqueue_seconds']:.2f} s"],
                        ["most messages for one agency", str(s["max_messages_per_agency"])],
                    ],
                ),
                "",
            ]
        else:
            out += ["Not measured.", ""]
        out += ["## Province report", ""]
        if self.reports:
            one, every = self.reports["one"], self.reports["all"]
            out += [
                "`documents.selectors.periodic_report_figures_get` and "
                f"`documents.report_docx.province_report_docx` for the year {self.reports['period']}, "
                "in a fresh process: first one plan, then each of the benchmark plans.",
                "",
                markdown_table(
                    ["report", "selector s", ".docx s", "total s", "queries"],
                    [
                        [
                            f"one plan ({one['plan']}, {one['tasks']} tasks, {one['docx_bytes']} bytes)",
                            f"{one['selector_seconds']:.2f}",
                            f"{one['docx_seconds']:.2f}",
                            f"{one['seconds']:.2f}",
                            str(one["queries"]),
                        ],
                        [
                            f"all plans ({every['plans']}; slowest {every['max_seconds']:.2f} s)",
                            f"{every['selector_seconds']:.2f}",
                            f"{every['docx_seconds']:.2f}",
                            f"{every['seconds']:.2f}",
                            str(every["queries"]),
                        ],
                    ],
                ),
                "",
            ]
        else:
            out += ["Not measured.", ""]
        out += [
            "## Data set",
            "",
            f"`generate_bench_data --scale {config.scale} --seed {config.seed}` for the day {state['today']}"
            f" ({'generated by this run' if self.generated else 'present before this run and reused'}); "
            "counted in the database:",
            "",
            markdown_table(
                ["rows", "benchmark data", "whole database"],
                [
                    ["agencies", str(counts["agencies"]), ""],
                    ["plans", str(counts["plans"]), str(totals["plans"])],
                    ["content areas", str(counts["areas"]), ""],
                    ["tasks", str(counts["tasks"]), ""],
                    ["cooperation links", str(counts["cooperation_links"]), ""],
                    ["deadlines", str(counts["deadlines"]), str(totals["deadlines"])],
                    ["progress reports", str(counts["reports"]), str(totals["reports"])],
                ],
            ),
            "",
            "## Machine and parameters",
            "",
            markdown_table(
                ["", ""],
                [
                    ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
                    ["memory", machine["memory"]],
                    ["OS", machine["os"]],
                    ["Python", machine["python"]],
                    ["PostgreSQL", self.versions.get("postgresql", "?")],
                    ["Redis", self.versions.get("redis", "?")],
                    ["Django", self.versions.get("django", "?")],
                    [
                        "gunicorn",
                        f"{self.versions.get('gunicorn', '?')}, gunicorn.conf.py, {config.workers} sync "
                        "workers, no worker recycling during the run",
                    ],
                    [
                        "wrk",
                        f"{self.versions.get('wrk', '?')}; {config.threads} threads, {config.connections} "
                        f"connections, {config.warmup} s warm-up then {config.rounds} rounds of "
                        f"{config.round_seconds} s per page, "
                        f"timeout {config.timeout} s",
                    ],
                    ["database connections", "kept 60 s (DATABASE_CONN_MAX_AGE=60)"],
                    [
                        "load average (1, 5, 15 min)",
                        f"start {_load(self.load.get('start'))}, end {_load(self.load.get('end'))}",
                    ],
                ],
                numbers=False,
            ),
            "",
            "wrk, gunicorn, PostgreSQL and Redis share the same machine; other work running on "
            "it at the same time (see the load average) slows every figure.",
            "",
            PROFILE_SUMMARY.read_text().strip(),
            "",
        ]
        return "\n".join(out)


def _load(values) -> str:
    return " ".join(f"{v:.2f}" for v in values) if values else "?"


def _exit_on_signal(signum, frame):
    # Unwinds through the ``finally`` blocks, which stop gunicorn (it runs in a session
    # of its own, so a signal to this process group does not reach it).
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    config = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    run = BenchRun(config)
    for scale in config.scales[1:]:
        other = argparse.Namespace(
            **{
                **vars(config),
                "scale": scale,
                "database_url": scale_database_url(config.database_url, scale, config.scales[0]),
            }
        )
        run.others.append(BenchRun(other))
    return run.execute()


if __name__ == "__main__":
    sys.exit(main())
