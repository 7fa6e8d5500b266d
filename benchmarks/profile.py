"""Where an uncached page spends its time: ``python -m benchmarks.profile``.

Renders the agency dashboard (as an officer of the benchmark agency that leads the most
deadlines) and the province overview (as a coordinator) on the benchmark data set with
the page cache off, and prints for each: the wall time of a few renders, the SQL queries
with their time, the plan (EXPLAIN ANALYZE) of the slowest ones, and, when pyinstrument
is installed, a Python profile. Reads the data set; writes nothing but its two users.
"""

import argparse
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from benchmarks.uncached import PAGES, get_uncached, plain_static_storages, signed_in_clients  # noqa: E402


def page_profile(name, path, client, *, repeat: int, explain: int, python: bool) -> None:
    get_uncached(client, path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        get_uncached(client, path)
        times.append((time.perf_counter() - start) * 1000)
    print(f"\n## {name} ({path})\n")
    print(
        f"wall time of {repeat} uncached renders: median {statistics.median(times):.0f} ms, "
        f"min {min(times):.0f} ms, max {max(times):.0f} ms"
    )
    with CaptureQueriesContext(connection) as ctx:
        get_uncached(client, path)
    queries = sorted(ctx.captured_queries, key=lambda query: -float(query["time"]))
    total = sum(float(query["time"]) for query in queries) * 1000
    print(f"{len(queries)} SQL queries, {total:.0f} ms in the database\n")
    for query in queries:
        print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:160]}")
    for query in queries[:explain]:
        print(f"\n### EXPLAIN ANALYZE ({float(query['time']) * 1000:.1f} ms)\n")
        print(query["sql"][:2000])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print("   ", line)
    if python:
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("\n(pyinstrument is not installed: no Python profile)")
            return
        profiler = Profiler(interval=0.001)
        with profiler:
            get_uncached(client, path)
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=int, default=3, help="plans of the N slowest queries")
    parser.add_argument("--no-python", action="store_true", help="no pyinstrument profile")
    parser.add_argument("--page", choices=[path for _, path, _ in PAGES], action="append")
    args = parser.parse_args(argv)
    with override_settings(STORAGES=plain_static_storages()):
        return _profile(args)


def _profile(args) -> int:
    clients = signed_in_clients()
    for name, path, role in PAGES:
        if args.page and path not in args.page:
            continue
        page_profile(
            name,
            path,
            clients[role],
            repeat=args.repeat,
            explain=args.explain,
            python=not args.no_python,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
