"""Small presentation helpers for the portal's templates."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from plans.models import DeadlineStatus
from plans.selectors import STATUS_ORDER, UPCOMING_DAYS, DeadlineFilter

register = template.Library()

# DeadlineFilter field → query-string name used by DeadlineFilterForm.
_QUERY_NAMES = {
    "plan_id": "plan",
    "year": "year",
    "area_id": "area",
    "agency_id": "agency",
    "relation": "relation",
    "status": "status",
    "window": "window",
}
_STATUS_COLOURS = {
    DeadlineStatus.DONE_ON_TIME: "#198754",
    DeadlineStatus.DONE_LATE: "#ffc107",
    DeadlineStatus.IN_PROGRESS: "#0d6efd",
    DeadlineStatus.DUE_SOON: "#fd7e14",
    DeadlineStatus.OVERDUE: "#dc3545",
    DeadlineStatus.NOT_YET_DUE: "#adb5bd",
}


@register.filter
def status_label(status):
    return DeadlineStatus(status).label if status else "—"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def deadlines_url(filters: DeadlineFilter, keep_agency=True, **changes):
    """The deadline list behind a number: the page's filters, changed by ``changes``
    (a value of "" drops that filter)."""
    values = {name: getattr(filters, name) for name in _QUERY_NAMES}
    if not keep_agency:
        values["agency_id"] = None
    values.update(changes)
    if values.get("relation") == "lead":
        values["relation"] = None  # the default
    query = {_QUERY_NAMES[name]: value for name, value in values.items() if value not in (None, "")}
    url = reverse("deadline-list")
    return f"{url}?{urlencode(query)}" if query else url


@register.simple_tag
def upcoming_days(text="{}"):
    """The length of the "upcoming" window in days (``UPCOMING_DAYS``, which the deadline
    filter applies), or ``text`` with it in place of "{}"."""
    return text.format(UPCOMING_DAYS)


@register.inclusion_tag("workspace/includes/status_bar.html")
def status_bar(counts, label=""):
    """A stacked bar of status counts, drawn as inline SVG (no script, no CDN)."""
    total = sum(counts.values())
    segments, x = [], 0.0
    for status in STATUS_ORDER:
        count = counts.get(status, 0)
        if not count:
            continue
        width = 100 * count / total
        segments.append(
            {
                "x": x,
                "width": width,
                "colour": _STATUS_COLOURS[status],
                "label": status_label(status),
                "count": count,
            }
        )
        x += width
    return {"segments": segments, "total": total, "label": label}


@register.filter
def as_percent(share):
    """0.125 → 12.5, for ``floatformat`` to print with the locale's decimal comma."""
    return None if share is None else share * 100


@register.filter
def days_overdue(due_on, today):
    return f"quá {(today - due_on).days} ngày"
