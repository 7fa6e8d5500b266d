"""Beat's schedule and the Celery configuration taken from settings."""

from celery.schedules import crontab

from dien_bien_portal.celery import app


def test_beat_sweeps_daily_at_07_30_vietnam_time_and_retries_every_ten_minutes_of_office_hours():
    schedule = app.conf.beat_schedule
    assert schedule["reminders-daily-sweep"]["task"] == "tasks.reminder_sweep"
    assert schedule["reminders-daily-sweep"]["schedule"] == crontab(hour=7, minute=30)
    assert schedule["reminders-retry-stale"]["task"] == "tasks.reminder_stale_requeue"
    assert schedule["reminders-retry-stale"]["schedule"] == crontab(hour="7-18", minute="*/10")
    assert schedule["evidence-weekly-check"]["task"] == "tasks.evidence_verify"
    assert schedule["evidence-weekly-check"]["schedule"] == crontab(day_of_week="sunday", hour=2, minute=0)
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
    assert {
        "tasks.reminder_sweep",
        "tasks.reminder_stale_requeue",
        "tasks.reminder_digest_send",
        "tasks.evidence_verify",
    } <= set(app.tasks)


def test_broker_timeouts_are_short():
    assert app.conf.broker_connection_timeout <= 2
    options = app.conf.broker_transport_options
    assert options["socket_connect_timeout"] <= 2 and options["socket_timeout"] <= 2
