"""The benchmark's steps that run inside Django, each in a fresh process started by
``benchmarks.run``: ``python -m benchmarks.steps STEP [options]``. Each prints one JSON
object on the last line of its standard output.

    state      the data set in the database (counted), whether it is complete, its day
    users      the benchmark's officer and coordinator, with a new random password each
    sweep      tops the open deadlines up to --open-deadlines, times the reminder sweep
               and queues its digests on the broker; the database work is rolled back
               and the queued messages removed
    reports    times the province's periodic report (selector and .docx) for the plans

Only the benchmark's own rows are written: its two users, and the ledger rows and
broker messages of its sweep, which it deletes again.
"""

import argparse
import base64
import datetime
import json
import os
import secrets
import sys
import time
from collections import Counter

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import GROUP_NAMES, Role, roles_sync  # noqa: E402
from benchmarks import data as bench_data  # noqa: E402
from documents import selectors as document_selectors  # noqa: E402
from documents.report_docx import province_report_docx  # noqa: E402
from plans import selectors  # noqa: E402
from plans.models import ContentArea, Deadline, Plan, ProgressReport, Task  # noqa: E402
from plans.periods import ReportPeriod  # noqa: E402

OFFICER_USERNAME = "bench-officer"
COORDINATOR_USERNAME = "bench-coordinator"
DIGEST_TASK = "tasks.reminder_digest_send"


def _emit(payload: dict) -> None:
    print(json.dumps(payload, default=str))


def _bench_deadlines():
    return Deadline.objects.filter(task__plan__in=bench_data.bench_plan_list())


def _open_deadlines(today: datetime.date):
    """The deadlines the sweep reads: not done, of active plans (every plan, not only
    the benchmark's)."""
    dates = selectors.StatusDates(today=today, due_soon_until=today)
    return selectors.deadline_list_with_status(dates=dates).filter(
        completed_on__isnull=True, task__plan__status=Plan.Status.ACTIVE
    )


def _working_day_on_or_before(day: datetime.date, calendar) -> datetime.date:
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _working_day_on_or_after(day: datetime.date, calendar) -> datetime.date:
    while not calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def state(args) -> dict:
    plans = bench_data.bench_plan_list()
    shape = bench_data.bench_shape(scale=args.scale)
    counts = {
        "agencies": bench_data.bench_agency_list().count(),
        "plans": plans.count(),
        "areas": ContentArea.objects.filter(plan__in=plans).count(),
        "tasks": Task.objects.filter(plan__in=plans).count(),
        "cooperation_links": Task.cooperating_agencies.through.objects.filter(task__plan__in=plans).count(),
        "deadlines": _bench_deadlines().count(),
        "reports": ProgressReport.objects.filter(deadline__in=_bench_deadlines()).count(),
    }
    expected = {
        "agencies": shape.agencies,
        "plans": shape.plans,
        "areas": shape.plans * shape.areas_per_plan,
        "tasks": shape.tasks,
        "reports": shape.reports,
    }
    # Every benchmark plan starts DAYS_BEFORE days before the day it was generated for.
    starts = sorted(set(plans.values_list("period_start", flat=True)))
    today = starts[0] + datetime.timedelta(days=bench_data.DAYS_BEFORE) if len(starts) == 1 else None
    problems = [
        f"{name}: {counts[name]} in the database, {value} expected"
        for name, value in expected.items()
        if counts[name] != value
    ]
    if counts["deadlines"] < counts["tasks"]:
        problems.append(f"deadlines: {counts['deadlines']}, fewer than the tasks")
    if len(starts) > 1:
        problems.append("the benchmark plans were generated for different days")
    calendar = selectors.working_calendar_get()
    server_version = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
    sweep_day = _working_day_on_or_after(today, calendar) if today else None
    return {
        "counts": counts,
        "expected": expected,
        "complete": not problems,
        "problems": problems,
        "today": today,
        # The day the sweep is measured on: the data set's day, or the next working day.
        "sweep_day": sweep_day,
        # The day to generate a new data set for: the last working day up to today, so
        # that the sweep has that day's reminders to send.
        "generate_today": _working_day_on_or_before(timezone.localdate(), calendar),
        "database": {"vendor": connection.vendor, "version": server_version},
        "totals": {
            "deadlines": Deadline.objects.count(),
            "reports": ProgressReport.objects.count(),
            "open_deadlines": _open_deadlines(sweep_day).count() if sweep_day else None,
            "plans": Plan.objects.count(),
        },
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }


@transaction.atomic
def users(args) -> dict:
    """The officer of the benchmark agency that leads the most deadlines (its dashboard
    is the largest), and a coordinator of the benchmark's coordinating agency."""
    groups = roles_sync()
    busiest = (
        _bench_deadlines()
        .values("task__lead_agency_id", "task__lead_agency__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "task__lead_agency__code")
        .first()
    )
    if busiest is None:
        raise SystemExit("No benchmark data: run generate_bench_data first.")
    coordinating = bench_data.bench_plan_list().values_list("coordinating_agency_id", flat=True).first()
    result = {}
    for key, username, role, agency_id in (
        ("officer", OFFICER_USERNAME, Role.OFFICER, busiest["task__lead_agency_id"]),
        ("coordinator", COORDINATOR_USERNAME, Role.COORDINATOR, coordinating),
    ):
        user, _created = get_user_model().objects.get_or_create(username=username)
        password = secrets.token_urlsafe(24)
        user.set_password(password)
        user.agency_id = agency_id
        user.is_active = True
        user.is_staff = user.is_superuser = False
        user.first_name, user.last_name = "Thử tải", key
        user.receives_reminders = False
        user.save()
        user.groups.set([groups[role]])
        result[key] = {
            "username": username,
            "password": password,
            "agency": user.agency.code,
            "group": GROUP_NAMES[role],
        }
    result["officer"]["agency_deadlines"] = busiest["n"]
    # The mixed load's report submissions go to one open deadline of the officer's
    # agency that nobody has reported on (a leftover of an interrupted run removed first).
    _mixed_reports_delete()
    deadline = (
        _bench_deadlines()
        .filter(
            responsible_agency_id=busiest["task__lead_agency_id"],
            task__lead_agency_id=busiest["task__lead_agency_id"],
            reports__isnull=True,
            waived_at__isnull=True,
        )
        .order_by("due_on", "pk")
        .first()
    )
    if deadline is None:
        raise SystemExit("The busiest agency has no deadline without reports for the mixed load.")
    result["report_deadline"] = deadline.pk
    return result


def _broker_messages(client, claim_token: str) -> list[tuple[bytes, bytes, dict]]:
    """(list key, raw message, kwargs) of the digests queued under ``claim_token``, read
    from the Redis lists that hold Celery's queues."""
    found = []
    for key in client.scan_iter(count=1000):
        if client.type(key) != b"list":
            continue
        for raw in client.lrange(key, 0, -1):
            try:
                message = json.loads(raw)
                if message.get("headers", {}).get("task") != DIGEST_TASK:
                    continue
                _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            except (ValueError, KeyError, TypeError):
                continue
            if kwargs.get("claim_token") == claim_token:
                found.append((key, raw, kwargs))
    return found


def sweep(args) -> dict:
    """The daily sweep as beat runs it (``tasks.tasks.reminder_sweep``): the service,
    timed with its queries, then one digest per agency queued on the broker."""
    import redis

    today = datetime.date.fromisoformat(args.today)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=10)
    broker.ping()  # without a broker the digests would be sent in-process
    # Everything this step writes to the database (the top-up below, the ledger rows)
    # is rolled back at its end; only the queued messages need removing by hand.
    with transaction.atomic():
        outcome = _sweep_measured(args, today=today, broker=broker)
        transaction.set_rollback(True)
    return outcome


def _sweep_measured(args, *, today: datetime.date, broker) -> dict:
    from benchmarks import sweep_data as bench
    from tasks import services
    from tasks.tasks import digests_enqueue

    # The budget is stated over 100,000 open deadlines; the data set has fewer on
    # any one day, so open ones are added, led by the benchmark's agencies in turn.
    added = 0
    missing = args.open_deadlines - _open_deadlines(today).count()
    if missing > 0:
        agencies = list(bench_data.bench_agency_list().order_by("code"))
        added = bench.open_deadlines_add(today=today, deadlines=missing, lead_agencies=agencies)
    open_deadlines = _open_deadlines(today).count()

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = services.reminder_sweep(today=today)
        sweep_seconds = time.perf_counter() - started
    token = result.digests[0][1] if result.digests else None

    started = time.perf_counter()
    queued = digests_enqueue(result.digests, today=result.today)
    enqueue_seconds = time.perf_counter() - started

    messages = _broker_messages(broker, token) if token else []
    per_agency = Counter(kwargs["agency_id"] for _key, _raw, kwargs in messages)
    agencies_with_reminders = len({agency_id for agency_id, _kind in result.planned})
    for key, raw, _kwargs in messages:
        broker.lrem(key, 1, raw)
    return {
        "today": today,
        "is_working_day": result.is_working_day,
        "seconds": sweep_seconds,
        "queries": len(queries),
        "open_deadlines": open_deadlines,
        "added_open_deadlines": added,
        "planned": sum(result.planned.values()),
        "claimed": result.claimed,
        "agencies_with_reminders": agencies_with_reminders,
        "digests": len(result.digests),
        "queued": queued,
        "enqueue_seconds": enqueue_seconds,
        "messages_found": len(messages),
        "messages_agencies": len(per_agency),
        "max_messages_per_agency": max(per_agency.values(), default=0),
    }


def reports(args) -> dict:
    """The province's report for the year of the data set's day: one plan first (in this
    fresh process, as a worker serves its first report), then all the benchmark plans."""
    today = datetime.date.fromisoformat(args.today)
    dates = selectors.status_dates_get(today=today)
    period = ReportPeriod.year(today.year)
    plans = list(bench_data.bench_plan_list().order_by("number"))
    runs = []
    for plan in [plans[0], *plans]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            figures = document_selectors.periodic_report_figures_get(plan=plan, period=period, dates=dates)
            selected = time.perf_counter()
        document = province_report_docx(figures, today=dates.today)
        finished = time.perf_counter()
        runs.append(
            {
                "plan": plan.number,
                "tasks": plan.tasks.count(),
                "selector_seconds": selected - started,
                "docx_seconds": finished - selected,
                "seconds": finished - started,
                "queries": len(queries),
                "docx_bytes": len(document),
            }
        )
    first, every = runs[0], runs[1:]
    return {
        "period": period.code,
        "one": first,
        "all": {
            "plans": len(every),
            "seconds": sum(run["seconds"] for run in every),
            "selector_seconds": sum(run["selector_seconds"] for run in every),
            "docx_seconds": sum(run["docx_seconds"] for run in every),
            "max_seconds": max(run["seconds"] for run in every),
            "queries": sum(run["queries"] for run in every),
        },
    }


def _mixed_reports_delete() -> int:
    """The reports the mixed load submitted (the benchmark officer's), and their evidence
    of nothing: the data set counts its own reports only."""
    deleted, _ = ProgressReport.objects.filter(submitted_by__username=OFFICER_USERNAME).delete()
    return deleted


def reports_cleanup(args) -> dict:
    """Removes the reports the mixed load submitted."""
    with transaction.atomic():
        return {"deleted": _mixed_reports_delete()}


def vacuum(args) -> dict:
    """VACUUM (ANALYZE) of the database, outside any transaction: the data set is
    written in one transaction, and autovacuum would otherwise settle it (visibility
    map, statistics) during the measurements, at a time of its choosing. A database in
    service is kept settled by autovacuum the same way."""
    if connection.vendor != "postgresql":
        return {"vacuumed": False}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {"vacuumed": True, "seconds": round(time.perf_counter() - started, 1)}


STEPS = {
    "state": state,
    "vacuum": vacuum,
    "users": users,
    "sweep": sweep,
    "reports": reports,
    "reports_cleanup": reports_cleanup,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.steps")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--today", help="YYYY-MM-DD")
    parser.add_argument("--open-deadlines", type=int, default=100_000, help="sweep: open deadlines to reach")
    args = parser.parse_args(argv)
    _emit(STEPS[args.step](args))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
