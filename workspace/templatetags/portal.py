"""Small presentation helpers for the portal's templates."""

import functools
import html
import unicodedata
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst

from plans.models import DeadlineStatus
from plans.selectors import STATUS_ORDER, UPCOMING_DAYS, DeadlineFilter, status_marker

register = template.Library()

# DeadlineFilter field → query-string name used by DeadlineFilterForm.
_QUERY_NAMES = {
    "plan_id": "plan",
    "period": "period",
    "year": "year",
    "area_id": "area",
    "agency_id": "agency",
    "relation": "relation",
    "status": "status",
    "window": "window",
    "agencies_as": "agencies_as",
}
_STATUS_COLOURS = {
    DeadlineStatus.DONE_ON_TIME: "#198754",
    DeadlineStatus.DONE_LATE: "#ffc107",
    DeadlineStatus.DUE_SOON: "#fd7e14",
    DeadlineStatus.OVERDUE: "#dc3545",
    DeadlineStatus.NOT_YET_DUE: "#0d6efd",
    DeadlineStatus.WAIVED: "#6c757d",
}
_STATUS_COLOURS_IN_ORDER = [(str(status), _STATUS_COLOURS[status]) for status in STATUS_ORDER]


@register.filter
def status_label(status):
    return DeadlineStatus(status).label if status else "—"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@functools.lru_cache(maxsize=16)
def _deadline_list_path(prefix: str, urlconf: str) -> str:
    return reverse("deadline-list", urlconf=urlconf)


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
    if values.get("period") is not None and not isinstance(values["period"], str):
        values["period"] = values["period"].code
    if values.get("agencies_as") == "then":
        values["agencies_as"] = None  # the default
    query = {_QUERY_NAMES[name]: value for name, value in values.items() if value not in (None, "")}
    # Resolved once per URL configuration and prefix: the overview prints hundreds.
    url = _deadline_list_path(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{url}?{urlencode(query)}" if query else url


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The page's query string with ``changes`` (a value of "" drops that parameter),
    back to the first page."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    return query.urlencode()


@register.simple_tag
def upcoming_days(text="{}"):
    """The length of the "upcoming" window in days (``UPCOMING_DAYS``, which the deadline
    filter applies), or ``text`` with it in place of "{}"."""
    return text.format(UPCOMING_DAYS)


def _status_labels() -> dict[str, str]:
    return {status: str(status_label(status)) for status in STATUS_ORDER}


def _status_rects(counts) -> str:
    """One rectangle per status present, in the statuses' order, on a 100-wide bar (the
    grey track is the bar's background, ``.status-bar`` in portal.css)."""
    total = sum(counts.values())
    rects, x = [], 0.0
    for status, colour in _STATUS_COLOURS_IN_ORDER:
        count = counts.get(status, 0)
        if count:
            width = 100 * count / total
            rects.append(f'<rect x="{x:.2f}" width="{width:.2f}" height="6" fill="{colour}"/>')
            x += width
    return "".join(rects)


_BAR = '<svg class="status-bar" viewBox="0 0 100 6" preserveAspectRatio="none" width="100%" height="14"'


def _status_bar(counts, label: str, labels: dict[str, str]) -> str:
    """``status_bar``'s markup, with ``label`` already escaped and the status labels
    translated once."""
    named = [f"{labels[status]}: {counts[status]}" for status in labels if counts.get(status)]
    # One title for the whole bar: the accessible name, and the tooltip on hover.
    title = f"{label} – {'; '.join(named)};" if named else f"{label} chưa có hạn"
    return f'{_BAR} role="img"><title>{title}</title>{_status_rects(counts)}</svg>'


def _row_bar(counts) -> str:
    """A table row's bar: a picture of the counts written in the same row, so screen
    readers skip it, and it has no title of its own (hundreds of rows would each
    repeat their counts a third time)."""
    return f'{_BAR} aria-hidden="true">{_status_rects(counts)}</svg>'


@register.simple_tag
def status_bar(counts, label=""):
    """A stacked bar of status counts, drawn as inline SVG (no script, no CDN)."""
    return mark_safe(_status_bar(counts, escape(label), _status_labels()))  # noqa: S308 - label escaped


# Stand for the status and the group in a table's links, so that the query string is
# encoded once per table, not once per figure (both are replaced by words and ids,
# which encoding leaves as they are).
_STATUS_SLOT = "STATUS-SLOT"
_GROUP_SLOT = "GROUP-SLOT"


@register.simple_tag
def progress_rows(groups, filters: DeadlineFilter, link_field: str, relation=None):
    """The rows of a progress table (``progress_table.html``), each figure a link to the
    deadlines it counts. Written here as plain strings, every text escaped: the
    overview's tables hold hundreds of figures, and a template tag (or ``format_html``)
    per figure cost more than the page's queries."""
    labels = _status_labels()
    statuses = [str(status) for status in STATUS_ORDER]
    zero = '<td class="status-count"><span class="count-zero">0</span></td>'
    scope = (
        {"area_id": _GROUP_SLOT, "relation": relation}
        if link_field == "area_id"
        else {"agency_id": _GROUP_SLOT}
    )
    by_status = escape(deadlines_url(filters, status=_STATUS_SLOT, **scope))
    all_statuses = escape(deadlines_url(filters, **scope))
    rows = []
    for group in groups:
        key = str(group.key)
        of_group = by_status.replace(_GROUP_SLOT, key)
        # The standard library's escape: the same text as Django's, without the check
        # for lazy strings that costs more than the escaping on 280 rows.
        label = html.escape(str(group.label))
        detail = (
            f'<div class="small text-body-secondary">{html.escape(str(group.detail))}</div>'
            if group.detail
            else ""
        )
        cells, phone = [], []
        for status in statuses:
            n = group.counts.get(status, 0)
            if not n:
                cells.append(zero)
                continue
            url = of_group.replace(_STATUS_SLOT, status)
            cells.append(f'<td class="status-count"><a href="{url}">{n}</a></td>')
            # On a phone the counts sit under the name (CSS hides the columns).
            phone.append(
                f'<span><span class="status-dot status-{status}"></span>{labels[status]}: {n}</span>'
            )
        rows.append(
            f'<tr><th scope="row" class="fw-normal">{label}{detail}<div class="small phone-counts">'
            f"{' '.join(phone)}</div></th>{''.join(cells)}"
            f'<td class="text-end fw-semibold"><a href="{all_statuses.replace(_GROUP_SLOT, key)}">'
            f"{group.total}</a></td>"
            f'<td class="d-none d-md-table-cell">{_row_bar(group.counts)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every text in it escaped above


@register.filter
def as_percent(share):
    """0.125 → 12.5, for ``floatformat`` to print with the locale's decimal comma."""
    return None if share is None else share * 100


@register.filter
def days_overdue(deadline, today):
    """Days since the deadline really ended (Civil Code Art. 148(5))."""
    return f"quá {(today - deadline.ends_on).days} ngày"


_WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


@register.filter
def due_text(deadline):
    """ "26/12/2026 (thứ Bảy) → hết hạn 28/12/2026" when the date as written falls on a
    day off, otherwise the date alone."""
    due = deadline.due_on.strftime("%d/%m/%Y")
    if deadline.ends_on == deadline.due_on:
        return due
    return f"{due} ({_WEEKDAYS[deadline.due_on.weekday()]}) → hết hạn {deadline.ends_on.strftime('%d/%m/%Y')}"


@register.simple_tag
def deadline_status(deadline, large=False):
    """The status badge, with its marker ("chờ xác nhận", "chưa có báo cáo") beside it.
    Written here rather than by a template: every row of every list shows one."""
    marker = status_marker(
        deadline.status,
        waiting_review=getattr(deadline, "waiting_review", False),
        has_report=getattr(deadline, "has_report", True),
    )
    size = " fs-6" if large else ""
    element_id = ' id="deadline-status"' if large else ""
    badge = (
        f'<span class="status-badge status-{escape(deadline.status)}{size}"{element_id}>'
        f"{escape(status_label(deadline.status))}</span>"
    )
    if marker:
        marker = str(marker)
        badge += (
            f' <span class="status-marker{size}" data-marker="{escape(marker)}">'
            f"{escape(capfirst(marker))}</span>"
        )
    return mark_safe(badge)  # noqa: S308 - every text escaped above


# A task title is cut at this many characters in a list row.
_TITLE_LENGTH = 110
# Stands for the deadline in its page's URL, resolved once per table.
_ID_SLOT = 987654321


def _title_in_row(title: str) -> str:
    """``truncatechars:110``: Django's Truncator only for the titles that are longer."""
    text = unicodedata.normalize("NFC", title)
    return text if len(text) <= _TITLE_LENGTH else Truncator(text).chars(_TITLE_LENGTH)


@register.simple_tag(takes_context=True)
def deadline_rows(context, deadlines, show_lead=False):
    """The rows of a deadline table (``deadline_table.html``): due date, task, status.
    Written here as plain strings, every text escaped: a dashboard shows four lists,
    and the template's filters and tags per row cost more than their queries."""
    today = context["dates"].today
    # Resolved once per table, the id put in per row.
    detail = reverse("deadline-detail", args=[_ID_SLOT])
    rows = []
    for deadline in deadlines:
        task = deadline.task
        due = html.escape(due_text(deadline))
        about = [
            html.escape(str(task.plan.number)),
            f"Nội dung {task.area.number}",
        ]
        if deadline.cycle_label:
            about.append(html.escape(str(deadline.cycle_label)))
        if show_lead:
            about.append(f"Chủ trì: {html.escape(str(deadline.responsible_agency))}")
        overdue = (
            f'\n        <div class="small text-danger text-nowrap">{days_overdue(deadline, today)}</div>'
            if deadline.status == DeadlineStatus.OVERDUE
            else ""
        )
        url = detail.replace(str(_ID_SLOT), str(deadline.pk))
        rows.append(
            f'    <tr>\n      <td class="d-none d-sm-table-cell">{due}</td>\n'
            f'      <td><a href="{url}">{html.escape(str(task.code))}. '
            f"{html.escape(_title_in_row(task.title))}</a>\n"
            f'        <div class="small text-body-secondary">'
            f'<span class="d-sm-none fw-semibold">Hạn {due} · </span>'
            f"{' · '.join(about)}</div></td>\n"
            f"      <td>{deadline_status(deadline)}{overdue}</td>\n    </tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every text in it escaped above
