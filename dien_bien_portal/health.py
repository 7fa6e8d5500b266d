"""``/health/``: is the portal able to serve, and is background work running?

For a monitor or a load balancer: no login, no session, nothing cached, a few
milliseconds of work. It answers 200 when every check passes and 503 otherwise, with
each check's status and nothing else: the reasons (exception text, host names) go to
the log as warnings (one line each, as a monitor may ask every few seconds), never to
the response.

- ``database``: ``SELECT 1`` on the default database, under a statement timeout.
- ``redis``: PING to the broker's Redis.
- ``beat``: the time the last heartbeat ran (``tasks.heartbeat``), stale after
  ``BEAT_STALE_SECONDS``.
- ``sweep``: no daily reminder sweep missed (``tasks.models.SweepRun``); the first missed
  day while one is.

Without a broker (the embedded default, where work runs in-process) there is no Redis
and no beat to watch: the three say ``disabled`` and do not fail the status.
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tasks.heartbeat import broker_redis, heartbeat_last_run
from tasks.queue import broker_configured
from tasks.selectors import sweep_missed_since

logger = logging.getLogger(__name__)

OK, FAIL, DISABLED = "ok", "fail", "disabled"


def _reason(exc) -> str:
    return f"{type(exc).__name__}: {exc}"


def database_check(*, alias=DEFAULT_DB_ALIAS) -> dict:
    connection = connections[alias]
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # LOCAL: ends with this transaction, so a persistent connection keeps its own.
                cursor.execute(
                    "SET LOCAL statement_timeout = %s", [int(settings.HEALTH_CHECK_TIMEOUT * 1000)]
                )
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("Health: the database (%s) does not answer: %s", alias, _reason(exc))
        return {"status": FAIL}
    return {"status": OK}


def _beat_check(client) -> dict:
    missing = {"status": FAIL, "last_run": None, "age_seconds": None}
    try:
        last_run = heartbeat_last_run(client=client)
    except Exception as exc:
        logger.warning("Health: the beat heartbeat could not be read: %s", _reason(exc))
        return missing
    if last_run is None:
        logger.warning("Health: no beat heartbeat recorded")
        return missing
    # Clocks of the worker's host and this one may differ by a little.
    age = max(0, round((timezone.now() - last_run).total_seconds()))
    status = OK if age <= settings.BEAT_STALE_SECONDS else FAIL
    if status == FAIL:
        logger.warning("Health: the last beat heartbeat is %s s old", age)
    return {"status": status, "last_run": timezone.localtime(last_run).isoformat(), "age_seconds": age}


def broker_checks() -> tuple[dict, dict]:
    """The ``redis`` and ``beat`` checks: the heartbeat is read only from a Redis that
    answered, so a server that hangs costs one timeout, not two."""
    if not broker_configured():
        return {"status": DISABLED}, {"status": DISABLED, "last_run": None, "age_seconds": None}
    try:
        with broker_redis(timeout=settings.HEALTH_CHECK_TIMEOUT) as client:
            client.ping()
            return {"status": OK}, _beat_check(client)
    except Exception as exc:
        logger.warning("Health: the broker's Redis does not answer: %s", _reason(exc))
        return {"status": FAIL}, {"status": FAIL, "last_run": None, "age_seconds": None}


def sweep_check(*, database_ok: bool) -> dict:
    """Has every daily reminder sweep that fell due run? A missed one (the broker was down
    as it fell due, beat was stopped) fails the check until a later sweep makes it up.
    Read from the database; watched only where beat runs the sweeps (a broker)."""
    if not broker_configured():
        return {"status": DISABLED, "missed_since": None}
    if not database_ok:
        return {"status": FAIL, "missed_since": None}
    try:
        missed = sweep_missed_since(now=timezone.now())
    except Exception as exc:
        logger.warning("Health: the reminder sweeps could not be read: %s", _reason(exc))
        return {"status": FAIL, "missed_since": None}
    if missed:
        logger.warning("Health: the reminder sweep of %s has not run", missed.isoformat())
        return {"status": FAIL, "missed_since": missed.isoformat()}
    return {"status": OK, "missed_since": None}


@never_cache
@require_safe
def health(request):
    redis_status, beat_status = broker_checks()
    database = database_check()
    checks = {
        "database": database,
        "redis": redis_status,
        "beat": beat_status,
        "sweep": sweep_check(database_ok=database["status"] == OK),
    }
    healthy = all(check["status"] != FAIL for check in checks.values())
    return JsonResponse({"status": OK if healthy else FAIL, "checks": checks}, status=200 if healthy else 503)
