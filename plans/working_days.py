"""Working days in Vietnam: Monday to Friday, minus the public holidays (Tết included),
with the admin's corrections (``plans.Holiday``) applied on top.

Pure computation; the corrections are loaded by ``plans.selectors.working_calendar_get``.
"""

import datetime

import holidays

# One shared instance: it fills in years on demand and knows Vietnam's official
# substitutions (a bridged day off and the Saturday worked in exchange).
_PUBLIC_HOLIDAYS = holidays.country_holidays("VN", language="vi")

_ONE_DAY = datetime.timedelta(days=1)


class WorkingCalendar:
    def __init__(self, *, days_off=(), working_days=()):
        self._days_off = frozenset(days_off)
        self._working_days = frozenset(working_days)

    def is_working_day(self, day):
        if day in self._working_days:
            return True
        if day in self._days_off:
            return False
        return _PUBLIC_HOLIDAYS.is_working_day(day)

    def add_working_days(self, start, count):
        """The day ``count`` working days after ``start`` (``start`` itself not counted)."""
        day = start
        while count > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                count -= 1
        return day

    def period_end(self, last_day):
        """When a period whose last day is ``last_day`` really ends (Civil Code 2015,
        Art. 148(5)): that day, or the next working day if it is a weekend or day off."""
        day = last_day
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day
