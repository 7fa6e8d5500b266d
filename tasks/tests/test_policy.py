"""Which reminders fall on which day (tasks.policy), on the real working-day calendar."""

import datetime

from plans.working_days import WorkingCalendar
from tasks.policy import DEFAULT_POLICY, Policy, ReminderDay

D = datetime.date


def kinds_on(today, due_on, policy=DEFAULT_POLICY, calendar=None):
    day = ReminderDay(today=today, calendar=calendar or WorkingCalendar())
    return day.lead_kind(due_on, policy), day.escalates(due_on, policy)


def reminder_days(due_on, policy=DEFAULT_POLICY, calendar=None, span=60):
    """Every day from 30 days before to `span` days after the due date that reminds."""
    calendar = calendar or WorkingCalendar()
    result = {}
    for offset in range(-30, span):
        today = due_on + datetime.timedelta(days=offset)
        day = ReminderDay(today=today, calendar=calendar)
        kind = day.lead_kind(due_on, policy)
        if kind:
            result[today] = kind
        if day.escalates(due_on, policy):
            result[today] = (result.get(today), "escalation")
    return result


def test_default_policy_on_an_ordinary_week():
    # Due Friday 11/12/2026: 7, 3, 1 working days before, on the day, then weekly.
    days = reminder_days(D(2026, 12, 11), span=29)
    assert days == {
        D(2026, 12, 2): "before",  # 7 working days before
        D(2026, 12, 8): "before",  # 3
        D(2026, 12, 10): "before",  # 1
        D(2026, 12, 11): "due",
        D(2026, 12, 18): "overdue",  # 7 days overdue
        D(2026, 12, 25): ("overdue", "escalation"),  # 14 days: the coordinator hears too
        D(2027, 1, 4): ("overdue", "escalation"),  # 21 days fell on New Year's Day: next working day
        D(2027, 1, 8): ("overdue", "escalation"),  # 28: escalation repeats weekly
    }


def test_nothing_is_ever_sent_on_a_weekend_or_holiday_and_nothing_is_lost():
    calendar = WorkingCalendar()
    # Due dates over a year, Tết included: each expected reminder is sent exactly once,
    # on a working day.
    start = D(2026, 12, 1)
    for offset in range(0, 120):
        due_on = start + datetime.timedelta(days=offset)
        days = reminder_days(due_on, calendar=calendar, span=40)
        assert all(calendar.is_working_day(day) for day in days), due_on
        lead = [kind if isinstance(kind, str) else kind[0] for kind in days.values()]
        # On a due date off work, the "on the day" reminder takes the place of the
        # "1 working day before" one (same day, same deadline).
        assert lead.count("before") == (3 if calendar.is_working_day(due_on) else 2), (due_on, days)
        assert lead.count("due") == 1, (due_on, days)
        # Overdue on days 7, 14, 21…, escalated from day 14 on: each on the day or, when
        # that is a day off, on the next working day (Tết can merge two into one).
        for every, first, position in [(7, 7, 0), (7, 14, 1)]:
            expected = set()
            for late in range(first, 50, every):
                send_on = due_on + datetime.timedelta(days=late)
                while not calendar.is_working_day(send_on):
                    send_on += datetime.timedelta(days=1)
                if send_on < due_on + datetime.timedelta(days=40):
                    expected.add(send_on)
            found = {
                day
                for day, kind in days.items()
                if day > due_on and ((kind, None) if isinstance(kind, str) else kind)[position]
            }
            assert found == expected, (due_on, every, first, sorted(found), sorted(expected))


def test_a_due_date_on_a_saturday_is_reminded_on_the_friday_before_it_once():
    days = reminder_days(D(2026, 12, 12), span=1)
    assert days[D(2026, 12, 11)] == "due"
    # 7 and 3 working days before the Saturday; the 1 is the Friday itself, now "due".
    assert days == {D(2026, 12, 3): "before", D(2026, 12, 9): "before", D(2026, 12, 11): "due"}


def test_make_up_working_days_from_the_admin_calendar_count():
    saturday = D(2026, 12, 5)
    calendar = WorkingCalendar(working_days=[saturday])
    assert kinds_on(saturday, D(2026, 12, 7), calendar=calendar) == ("before", False)
    assert kinds_on(saturday, D(2026, 12, 7)) == (None, False)


def test_a_plan_policy_changes_the_days():
    policy = Policy(before_days=(2,), on_due_day=False, overdue_every=0, escalate_after=0)
    days = reminder_days(D(2026, 12, 11), policy=policy)
    assert days == {D(2026, 12, 9): "before"}
