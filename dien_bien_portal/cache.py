"""The cache's Redis connections, which stop trying for a while after a failure.

The cache only ever holds what can be rebuilt (docs/architecture.md), so a Redis that
fails is skipped rather than waited on. Without this, a *paused* Redis (connections
accepted, nothing answered) costs every cache call its socket timeout, and redis-py's
default retries multiply it: a page doing a few cache calls took 1–2 s. After one
timeout or connection error, every cache connection of the process refuses at once for
``CACHE_RETRY_SECONDS``; django-redis (``IGNORE_EXCEPTIONS``) then treats each call as
a miss, and pages are computed as if the cache were empty. The broker has its own
connections and timeouts (``tasks.queue``, ``CELERY_BROKER_*``) and is not affected.
"""

import logging
import threading
import time

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)


class _Breaker:
    """Open (refusing) until a moment after the last failure; shared by the process."""

    def __init__(self):
        self._open_until = 0.0
        self._lock = threading.Lock()
        self.failures = 0  # real failures of Redis seen since the last reset

    def check(self):
        if time.monotonic() < self._open_until:
            raise redis.ConnectionError("cache skipped after a recent Redis failure")

    def trip(self, exc):
        with self._lock:
            self.failures += 1
            already_open = time.monotonic() < self._open_until
            self._open_until = time.monotonic() + settings.CACHE_RETRY_SECONDS
        if not already_open:
            logger.warning(
                "Cache Redis failed (%s: %s); cache skipped for %s s",
                type(exc).__name__,
                exc,
                settings.CACHE_RETRY_SECONDS,
            )

    def reset(self):
        self._open_until = 0.0
        self.failures = 0


BREAKER = _Breaker()
_FAILURES = (redis.ConnectionError, redis.TimeoutError, OSError)


class CircuitBreakingConnection(redis.Connection):
    def connect(self):
        BREAKER.check()
        try:
            return super().connect()
        except _FAILURES as exc:
            BREAKER.trip(exc)
            raise

    def send_packed_command(self, command, check_health=True):
        BREAKER.check()
        try:
            return super().send_packed_command(command, check_health)
        except _FAILURES as exc:
            BREAKER.trip(exc)
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except _FAILURES as exc:
            BREAKER.trip(exc)
            raise


def redis_cache_settings(*, url: str, socket_timeout: float) -> dict:
    """``CACHES`` for a Redis cache at ``url``: errors ignored (a miss), short timeouts,
    one try, and the breaker above."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": socket_timeout,
                "SOCKET_TIMEOUT": socket_timeout,
                "IGNORE_EXCEPTIONS": True,
                "CONNECTION_POOL_KWARGS": {
                    "connection_class": CircuitBreakingConnection,
                    "retry": Retry(NoBackoff(), 0),
                },
            },
        }
    }
