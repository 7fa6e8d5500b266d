"""Real services for the health and outage tests: a redis-server of the test's own, and
``celery beat`` / ``celery worker`` processes.

Each missing tool skips with its reason, or fails with ``CI=true`` (``require``).
"""

import pytest
import redis

from plans.tests.environment import require

# private_redis: a redis-server of the test's own, shared with the reminder tests.
# The reminder tests' real SMTP server (aiosmtpd) and the browser tests' Chromium, for the
# password reset read from a delivered email.
from tasks.tests.conftest import (  # noqa: F401
    REDIS_URL,
    CeleryProcess,
    private_redis,
    redis_reachable,
    smtp,
    smtp_server,
    wait_for,
)
from workspace.tests.conftest import chromium_path  # noqa: F401


@pytest.fixture
def test_redis(settings):
    """The machine's Redis, in the tests' own database (REMINDER_TEST_REDIS_URL), as the broker."""
    require(redis_reachable(), f"Redis is not reachable at {REDIS_URL}")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    settings.CELERY_BROKER_URL = REDIS_URL
    yield client
    client.flushdb()
