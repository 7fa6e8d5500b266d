"""Which reminders fall on a given day: pure computation over dates (no queries).

The rules (also in the README):

- The sweep sends only on working days (``plans.working_days``). A reminder whose day
  is not a working day is never lost: it moves to a working day.
- "N working days before" a due date is the N-th working day before it, which is always
  a working day.
- "On the day": the due date itself, or, when the due date is not a working day, the
  last working day before it (then it replaces the "1 working day before" reminder of
  the same day, so the deadline is listed once).
- "Overdue": every ``overdue_every`` calendar days after the due date (7, 14, 21…);
  a day that is not a working day moves to the next working day.
- "Escalation" to the plan's coordinating agency: ``escalate_after`` calendar days
  after the due date, then again every ``overdue_every`` days; moved the same way.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    # The defaults, written once: ReminderPolicy's field defaults and help texts
    # (tasks.models) are derived from them.
    before_days: tuple[int, ...] = (7, 3, 1)
    on_due_day: bool = True
    overdue_every: int = 7
    escalate_after: int = 14


DEFAULT_POLICY = Policy()


# Defined here, not in tasks.models (ReminderLog.Kind names it), because tasks.models
# reads DEFAULT_POLICY from this module.
class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Sắp đến hạn")
    DUE = "due", _("Đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    ESCALATION = "escalation", _("Quá hạn cần đôn đốc")


class ReminderDay:
    """The reminders of one sweep day, for deadlines given by due date and policy."""

    def __init__(self, *, today, calendar):
        self.today = today
        self.calendar = calendar
        self.is_working_day = calendar.is_working_day(today)
        # Working days from today on: _ahead[k] is the k-th working day after today.
        self._ahead = [today]
        # Overdue reminders of the days off just before today are sent today.
        self.covered = [today]
        day = today - _ONE_DAY
        while not calendar.is_working_day(day) and len(self.covered) < 60:
            self.covered.append(day)
            day -= _ONE_DAY
        self._before_windows = {}

    def _working_day_ahead(self, count):
        while len(self._ahead) <= count:
            self._ahead.append(self.calendar.add_working_days(self._ahead[-1], 1))
        return self._ahead[count]

    def horizon(self, policy_list):
        """The last due date that any of the policies may remind about today."""
        longest = max((max(p.before_days, default=0) for p in policy_list), default=0)
        return self._working_day_ahead(max(longest, 1))

    def _before_window(self, days):
        # Due dates X whose `days`-th working day before is today: X in (W[days-1], W[days]].
        if days not in self._before_windows:
            self._before_windows[days] = (self._working_day_ahead(days - 1), self._working_day_ahead(days))
        return self._before_windows[days]

    def lead_kind(self, due_on, policy):
        """The kind of today's reminder to the lead agency, or None. ``due_on`` is the
        day the deadline really ends (a working day, Civil Code Art. 148(5))."""
        if not self.is_working_day:
            return None
        today = self.today
        if due_on >= today:
            if policy.on_due_day and due_on < self._working_day_ahead(1):
                return ReminderKind.DUE
            for days in policy.before_days:
                after, until = self._before_window(days)
                if after < due_on <= until:
                    return ReminderKind.BEFORE
            return None
        if policy.overdue_every and any(
            (day - due_on).days > 0 and (day - due_on).days % policy.overdue_every == 0
            for day in self.covered
        ):
            return ReminderKind.OVERDUE
        return None

    def escalates(self, due_on, policy):
        """Whether today's escalation digest of the coordinating agency lists this deadline."""
        if not self.is_working_day or not policy.escalate_after or due_on >= self.today:
            return False
        for day in self.covered:
            late = (day - due_on).days - policy.escalate_after
            if late == 0 or (late > 0 and policy.overdue_every and late % policy.overdue_every == 0):
                return True
        return False
