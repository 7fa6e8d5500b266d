"""What a piece of an uncached page costs: ``python -m benchmarks.ablate``.

Renders a page on the benchmark data set with the page cache off (as
``benchmarks.profile`` does), alternating request by request with the same page whose
named pieces are replaced by empty stand-ins (no list, no count, no template), and prints
both medians and their difference. A piece timed alone leaves out what the page then
does with its result (its rows, its part of the template); and two runs one after the
other differ by as much as the machine's speed drifts, which here is more than most
pieces cost. Alternating requests share the drift. Reads the data set; writes nothing but
its two users. A stand-in that leaves the page unchanged stops the run: the piece's name
no longer points at what the page calls.

    python -m benchmarks.ablate --page /dashboard/ --piece deadline-lists
    python -m benchmarks.ablate --page /dashboard/ --piece deadline-lists --piece report-lists
"""

import argparse
import contextlib
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from unittest import mock

from benchmarks.uncached import PAGES, get_uncached, plain_static_storages, signed_in_clients


class _NoReports(list):
    """An empty report list that answers the calls made on the real one."""

    def order_by(self, *fields):
        return self

    def count(self):
        return 0


@dataclass(frozen=True)
class Piece:
    about: str
    # (module, attribute, stand-in): what the page calls, and what replaces it.
    replaced: tuple


def _waiting_none(request, *, overdue=None):
    from plans.selectors import WaitingCounts  # models: loaded once Django is set up

    return WaitingCounts()


PIECES = {
    "deadline-lists": Piece(
        "the short deadline lists (a dashboard's four, the overview's longest overdue)",
        (
            (
                "plans.selectors.progress",
                "deadline_lists_first",
                lambda lists, size, *, dates: dict.fromkeys(lists, []),
            ),
            ("plans.selectors.progress", "deadline_list_first", lambda deadlines, size, *, dates: []),
        ),
    ),
    "report-lists": Piece(
        "an agency's returned and recent reports, and the menu's count of returned reports",
        (
            ("plans.selectors.progress", "report_list_returned", lambda **kwargs: _NoReports()),
            ("plans.selectors.progress", "report_list_recent", lambda **kwargs: _NoReports()),
        ),
    ),
    "menu-counts": Piece(
        "the menu's counts (reports to review, returned, overdue)",
        (("workspace.page_cache", "_waiting_counts", _waiting_none),),
    ),
    "body-template": Piece(
        "the page body's template (its figures and lists are still read)",
        (("workspace.views", "render_to_string", lambda *args, **kwargs: ""),),
    ),
    "report-form": Piece(
        "the overview's periodic-report form",
        (("workspace.views", "_province_report_form", lambda filters, dates: None),),
    ),
}


@contextlib.contextmanager
def without(names):
    """The pieces ``names`` replaced by their stand-ins, while the block runs."""
    with contextlib.ExitStack() as stack:
        for name in names:
            for module, attribute, stand_in in PIECES[name].replaced:
                stack.enter_context(mock.patch(f"{module}.{attribute}", stand_in))
        yield


# Masked anew for every response: not part of what a page shows.
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"')


def page_content(response) -> bytes:
    return _CSRF_VALUE.sub(rb'\1"', response.content)


def ablate(client, path: str, names: list[str], *, requests: int, warmup: int = 4) -> dict[str, list]:
    """Request times in ms of ``path`` as it is ("whole") and without ``names``
    ("reduced"), in turns (which goes first changes every round); the first ``warmup``
    rounds are not kept."""
    whole = page_content(get_uncached(client, path))
    with without(names):
        reduced = page_content(get_uncached(client, path))
    if reduced == whole:
        raise SystemExit(f"Without {' + '.join(names)}, {path} is unchanged: nothing was replaced.")
    times = {"whole": [], "reduced": []}
    for round_number in range(warmup + requests):
        for kind in ("whole", "reduced") if round_number % 2 else ("reduced", "whole"):
            with without(names) if kind == "reduced" else contextlib.nullcontext():
                start = time.perf_counter()
                get_uncached(client, path)
                elapsed = (time.perf_counter() - start) * 1000
            if round_number >= warmup:
                times[kind].append(elapsed)
    return times


def report(path: str, names: list[str], times: dict[str, list]) -> str:
    whole, reduced = statistics.median(times["whole"]), statistics.median(times["reduced"])
    return "\n".join(
        [
            f"{path}, {len(times['whole'])} requests of each kind in turns (medians):",
            f"  as it is: {whole:.1f} ms",
            f"  without {' + '.join(names)}: {reduced:.1f} ms, "
            f"{reduced - whole:+.1f} ms ({(reduced - whole) / whole * 100:+.0f}%)",
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=[path for _, path, _ in PAGES], required=True)
    parser.add_argument("--piece", choices=sorted(PIECES), action="append", required=True)
    parser.add_argument("--requests", type=int, default=40, help="requests of each kind (default 40)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.test.utils import override_settings

    role = next(role for _, path, role in PAGES if path == args.page)
    with override_settings(STORAGES=plain_static_storages()):
        times = ablate(signed_in_clients()[role], args.page, args.piece, requests=args.requests)
    for name in args.piece:
        print(f"{name}: {PIECES[name].about}")
    print(report(args.page, args.piece, times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
