"""The Celery application: broker and options from Django settings (``CELERY_*``), tasks
from ``tasks/``, and the beat schedule, declared here in code.

    celery -A dien_bien_portal worker      # as many as needed
    celery -A dien_bien_portal beat        # exactly one in the whole deployment
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dien_bien_portal.settings.dev")

app = Celery("dien_bien_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _reminder_entries(sender, **kwargs):
    """The daily sweep at REMINDER_SWEEP_AT (local time, CELERY_TIMEZONE), and the retry
    sweep every REMINDER_RETRY_SWEEP_MINUTES during office hours: it makes up a missed
    sweep and claims again what a dead worker left (docs/architecture.md, Reminders)."""
    from django.conf import settings

    hour, minute = settings.REMINDER_SWEEP_AT.split(":")
    sender.conf.beat_schedule["reminders-daily-sweep"] = {
        "task": "tasks.reminder_sweep",
        "schedule": crontab(hour=int(hour), minute=int(minute)),
    }
    sender.conf.beat_schedule["reminders-retry-stale"] = {
        "task": "tasks.reminder_stale_requeue",
        "schedule": crontab(
            hour=settings.REMINDER_RETRY_SWEEP_HOURS, minute=settings.REMINDER_RETRY_SWEEP_MINUTES
        ),
    }
    # Every evidence file against its fingerprint (tasks.evidence_verify), weekly, at night.
    sender.conf.beat_schedule["evidence-weekly-check"] = {
        "task": "tasks.evidence_verify",
        "schedule": crontab(day_of_week="sunday", hour=2, minute=0),
    }


@app.on_after_configure.connect
def _beat_heartbeat_entry(sender, **kwargs):
    """Beat's heartbeat (tasks.beat_heartbeat), every BEAT_HEARTBEAT_SECONDS: added once
    Django's settings are loaded, since its interval is one of them. A heartbeat not run
    within one interval expires, so a stopped worker does not come back to a backlog."""
    from django.conf import settings

    sender.conf.beat_schedule["beat-heartbeat"] = {
        "task": "tasks.beat_heartbeat",
        "schedule": settings.BEAT_HEARTBEAT_SECONDS,
        "options": {"expires": settings.BEAT_HEARTBEAT_SECONDS},
    }
