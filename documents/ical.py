"""An agency's deadlines as an iCalendar feed (RFC 5545) that Outlook, Google Calendar
and iPhone subscribe to.

Each deadline is an all-day event on its due date with a reminder the day before.
Deadlines already done stay in the feed, so that the calendar keeps the history, but
their title starts with "✓ " and they carry no reminder."""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.html import strip_tags
from icalendar import Alarm, Calendar, Event, Timezone

from plans.models import Agency, Deadline, DeadlineStatus

TIME_ZONE = "Asia/Ho_Chi_Minh"
PRODID = "-//UBND tinh Dien Bien//Cong theo doi ke hoach doi ngoai//VI"
# How often calendar apps should fetch the feed again (REFRESH-INTERVAL, RFC 7986).
REFRESH_INTERVAL = datetime.timedelta(hours=1)
DONE = {DeadlineStatus.DONE_ON_TIME, DeadlineStatus.DONE_LATE}
DONE_MARK = "✓ "
COOPERATING_PREFIX = "Phối hợp: "


def calendar_name(agency: Agency) -> str:
    return f"Hạn nhiệm vụ – {_plain(agency.short_name or agency.name)}"


def deadline_uid(deadline: Deadline, *, site_url: str) -> str:
    """Stable across fetches, so that calendar apps update events instead of duplicating."""
    return f"deadline-{deadline.pk}@{urlsplit(site_url).hostname or 'localhost'}"


def deadline_url(deadline: Deadline, *, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("deadline-detail", kwargs={"pk": deadline.pk})


def _plain(value) -> str:
    """Text for a calendar app: no markup (a title holding "<script>" or "<b>" shows
    as plain words; some calendar apps render HTML in event text), spaces collapsed."""
    return " ".join(strip_tags(str(value)).split())


def _summary(deadline: Deadline, *, leads: bool, done: bool) -> str:
    task = deadline.task
    summary = f"Hạn: {_plain(task.code)} {_plain(task.title)}"
    if not leads:
        summary = COOPERATING_PREFIX + summary
    return DONE_MARK + summary if done else summary


def _description(deadline: Deadline, *, leads: bool, status: str, url: str, today: datetime.date) -> str:
    task = deadline.task
    lines = [
        f"Kế hoạch: {_plain(task.plan.number)}",
        *([f"Kỳ: {_plain(deadline.cycle_label)}"] if deadline.cycle_label else []),
        f"Hạn: {deadline.due_on:%d/%m/%Y}"
        + (
            f", hết hạn {deadline.ends_on:%d/%m/%Y} (hạn rơi vào ngày nghỉ)"
            if deadline.ends_on != deadline.due_on
            else ""
        ),
        f"Cơ quan chủ trì: {_plain(deadline.responsible_agency)}",
        f"Vai trò của đơn vị: {'Chủ trì' if leads else 'Phối hợp'}",
        f"Tình trạng (đến ngày {today:%d/%m/%Y}): {status}",
    ]
    if deadline.completed_on:
        lines.append(f"Ngày hoàn thành: {deadline.completed_on:%d/%m/%Y}")
    lines.append(f"Chi tiết: {url}")
    return "\n".join(lines)


def _event(deadline: Deadline, *, agency: Agency, site_url: str, now: datetime.datetime, today) -> Event:
    leads = agency.pk in (deadline.responsible_agency_id, deadline.task.lead_agency_id)
    done = deadline.status in DONE
    status = str(DeadlineStatus(deadline.status).label) if deadline.status else ""
    url = deadline_url(deadline, site_url=site_url)
    event = Event()
    event.add("uid", deadline_uid(deadline, site_url=site_url))
    event.add("dtstamp", now.astimezone(datetime.UTC))
    # On the day the deadline really ends (Civil Code Art. 148(5)), not on a day off.
    event.add("dtstart", deadline.ends_on)
    event.add("dtend", deadline.ends_on + datetime.timedelta(days=1))
    event.add("summary", _summary(deadline, leads=leads, done=done))
    event.add("description", _description(deadline, leads=leads, status=status, url=url, today=today))
    event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    if status:
        event.add("categories", [status])
    if not done:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add(
            "description", f"Ngày mai đến hạn: {_plain(deadline.task.code)} {_plain(deadline.task.title)}"
        )
        alarm.add("trigger", datetime.timedelta(days=-1))
        event.add_component(alarm)
    return event


def agency_calendar(
    *,
    agency: Agency,
    deadlines: Iterable[Deadline],
    site_url: str,
    now: datetime.datetime,
    today: datetime.date,
) -> bytes:
    """The feed: deadlines come from ``document_selectors.calendar_deadlines_for_agency``
    (annotated with ``status`` and ``completed_on``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name(agency))
    calendar.add("x-wr-timezone", TIME_ZONE)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for the same hint
    calendar.add_component(Timezone.from_tzid(TIME_ZONE))
    for deadline in deadlines:
        calendar.add_component(_event(deadline, agency=agency, site_url=site_url, now=now, today=today))
    return calendar.to_ical()
