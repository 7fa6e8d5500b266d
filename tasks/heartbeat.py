"""Beat's heartbeat: proof that beat, the broker and a worker are all running.

Beat queues ``tasks.beat_heartbeat`` every ``BEAT_HEARTBEAT_SECONDS``; the worker that runs
it writes the time into the broker's Redis, the one store that web, worker and beat
share whatever the cache is. ``/health/`` reads it back.
"""

import datetime

import redis
from django.conf import settings
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

HEARTBEAT_KEY = "dien_bien_portal:beat-heartbeat"


def broker_redis(*, timeout: float) -> redis.Redis:
    """A client of the broker's Redis that gives up after ``timeout`` seconds, and tries
    once: the client's default retries of connection errors would multiply the wait."""
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def heartbeat_record(*, client: redis.Redis, now: datetime.datetime | None = None) -> datetime.datetime:
    moment = now or timezone.now()
    client.set(HEARTBEAT_KEY, moment.isoformat())
    return moment


def heartbeat_last_run(*, client: redis.Redis) -> datetime.datetime | None:
    value = client.get(HEARTBEAT_KEY)
    return datetime.datetime.fromisoformat(value.decode()) if value else None
