"""A daily sweep that did not run (broker down as it fell due, beat stopped) is made up by
the next sweep, retry sweep or worker start: that day's reminders go out once, marked
late, and ``/health/`` reports the missed day until then."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tasks import services
from tasks.models import ReminderLog, SweepRun
from tasks.selectors import sweep_missed_since
from tasks.tasks import digests_enqueue
from tasks.tests.conftest import deadline_make

pytestmark = pytest.mark.django_db

D = datetime.date
MONDAY, TUESDAY, WEDNESDAY = D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 2)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def due_tuesday(plan, agency):
    """Due on Tuesday: reminded 1 working day before (Monday) and on the day (Tuesday)."""
    return deadline_make(plan=plan, lead_agency=agency, due_on=TUESDAY)


def sweep(today):
    result = services.reminder_sweep(today=today)
    digests_enqueue(result.digests, today=today)
    return result


def test_the_next_sweep_makes_up_a_missed_day_once_and_says_it_is_late(due_tuesday, agency):
    sweep(MONDAY)
    mail.outbox.clear()
    # Tuesday's sweep never ran.
    result = sweep(WEDNESDAY)

    assert result.late_days == [TUESDAY]
    assert list(ReminderLog.objects.filter(remind_on=TUESDAY).values_list("kind", "state")) == [
        ("due", "sent")
    ]
    (message,) = mail.outbox
    assert "Thư này gửi bù nhắc việc của ngày 01/12/2026" in message.body
    assert "nhắc bù của ngày 01/12/2026" in message.body
    assert "nhắc bù của ngày 01/12/2026" in message.alternatives[0][0]
    assert SweepRun.objects.get(day=TUESDAY).late is True

    mail.outbox.clear()
    again = sweep(WEDNESDAY)
    assert (again.late_days, again.claimed, mail.outbox) == ([], 0, [])


def test_no_day_before_the_first_sweep_is_made_up(due_tuesday):
    result = sweep(WEDNESDAY)
    assert result.late_days == []
    assert not ReminderLog.objects.filter(remind_on=TUESDAY).exists()


def test_weekends_and_holidays_are_not_made_up(plan, agency):
    friday, monday = D(2026, 11, 27), MONDAY
    deadline_make(plan=plan, lead_agency=agency, due_on=monday)
    sweep(friday)
    assert sweep(monday).late_days == []


def test_the_retry_sweep_makes_up_today_only_after_its_time(due_tuesday, settings):
    settings.REMINDER_SWEEP_AT = "07:30"
    sweep(MONDAY)
    early = services.reminder_catch_up(now=at(TUESDAY, 7, 0))
    assert (early.claimed, SweepRun.objects.filter(day=TUESDAY).exists()) == (0, False)

    late = services.reminder_catch_up(now=at(TUESDAY, 9, 15))
    assert late.claimed == 1 and SweepRun.objects.filter(day=TUESDAY).exists()
    assert services.reminder_catch_up(now=at(TUESDAY, 9, 25)).claimed == 0


def test_a_missed_sweep_is_due_from_its_time_plus_the_grace_period(due_tuesday, settings):
    settings.REMINDER_SWEEP_AT = "07:30"
    settings.REMINDER_SWEEP_GRACE_MINUTES = 30
    sweep(MONDAY)
    assert sweep_missed_since(now=at(TUESDAY, 7, 45)) is None  # within the grace period
    assert sweep_missed_since(now=at(TUESDAY, 8, 1)) == TUESDAY
    assert sweep_missed_since(now=at(WEDNESDAY, 7, 0)) == TUESDAY
    services.reminder_catch_up(now=at(WEDNESDAY, 7, 0))
    assert sweep_missed_since(now=at(WEDNESDAY, 7, 0)) is None


def test_health_fails_while_a_sweep_is_missed_and_recovers_once_made_up(client, settings, redis_broker):
    # Today's own sweep is not due yet whatever the time of this run: only past days count.
    settings.REMINDER_SWEEP_AT = "23:59"
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    SweepRun.objects.create(day=week_ago, completed_at=timezone.now())

    missed = client.get("/health/")
    assert missed.status_code == 503
    assert missed.json()["checks"]["sweep"]["status"] == "fail"
    assert missed.json()["checks"]["sweep"]["missed_since"] > week_ago.isoformat()

    services.reminder_catch_up()
    made_up = client.get("/health/").json()["checks"]["sweep"]
    assert made_up == {"status": "ok", "missed_since": None}


def test_send_reminders_says_which_days_it_made_up(due_tuesday):
    import io

    from django.core.management import call_command

    sweep(MONDAY)
    out = io.StringIO()
    call_command("send_reminders", "--date", WEDNESDAY.isoformat(), stdout=out)
    assert "Quét bù các ngày chưa quét: 01/12/2026 (thư ghi rõ là nhắc bù)." in out.getvalue()
