"""Queue background work on the broker, or run it here when there is none.

With no ``CELERY_BROKER_URL`` the work runs in-process, once (docs/architecture.md, Real parts). With a
broker that cannot be reached, publishing fails within the short timeouts of the
``CELERY_BROKER_*`` settings and the work runs in-process too, with a warning: a web
request never waits on a broker that is down.
"""

import logging

from celery import current_app
from django.conf import settings
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue(task, **kwargs) -> bool:
    """Publish ``task`` with ``kwargs``; True when queued, False when it ran here.

    ``task.run_once`` is the in-process fallback: one attempt, no retry loop."""
    url = settings.CELERY_BROKER_URL
    if url:
        try:
            with current_app.connection_for_write(url) as connection:
                task.apply_async(kwargs=kwargs, connection=connection, retry=False)
            return True
        except (OperationalError, KombuError, RedisError, OSError) as exc:
            logger.warning("Broker unreachable (%s); running %s in-process", exc, task.name)
    task.run_once(**kwargs)
    return False
