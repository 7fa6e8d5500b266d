"""The main part of the busiest pages, rendered once and kept in the cache (Redis in
production, process memory locally).

The agency dashboard and the province overview read every deadline in their scope, and
most requests see the same data as the one before. Their content is kept under a key made
of everything it depends on: the page, the viewer's agency, the filters, today, and the
fingerprint of the plan data (``plans.selectors.data_version_get``). Any change to plans,
areas, tasks, deadlines, reports or holiday corrections moves the fingerprint, so a
stale part is never shown after such a change. An agency's dashboard is keyed by its
agency's fingerprint: a change to plans, areas, tasks or the calendar, or to a deadline
or report in its scope (its journal, ``plans.models.AgencyChange``); another agency's
report leaves it cached. The overview shows
the whole province and moves with every change; the time limit only bounds how long an
agency's new name, which does not move it, can take to appear. Only what is the same for
every viewer of the key goes in: no CSRF token, no user name.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from plans import permissions, selectors

# Changed whenever what is stored changes shape, so a new release never reads an old entry.
_FORMAT = 4
# A filter value is an id or a year; anything longer is not ours.
_MAX_VALUE_LENGTH = 10


def request_data_version(request, *, agency_id: int | None = None) -> str:
    """The fingerprint of the plan data (``plans.selectors.data_version_get``: the
    province's, or with ``agency_id`` that agency's) once per request and scope: the
    page body and the menu's counts share it."""
    versions = request.__dict__.setdefault("_page_data_versions", {})
    if agency_id not in versions:
        versions[agency_id] = selectors.data_version_get(agency_id=agency_id)
    return versions[agency_id]


def waiting_counts(request, *, overdue: int | None = None) -> selectors.WaitingCounts:
    """The menu's "what waits for me" counts for the user, kept under the user, today and
    the data fingerprint: exact after every change, and no query but the fingerprint's
    (shared with the page body) while nothing changes. ``overdue``: today's count of the
    user's agency's overdue deadlines, when the page has just counted it
    (``selectors.waiting_counts_get``)."""
    # Once per request: the dashboard's next steps and the menu both read it, and with
    # the cache off (or expired) both would count.
    if "_waiting_counts" in request.__dict__:
        return request.__dict__["_waiting_counts"]
    counts = request.__dict__["_waiting_counts"] = _waiting_counts(request, overdue=overdue)
    return counts


def _waiting_counts(request, *, overdue: int | None) -> selectors.WaitingCounts:
    user = request.user
    reviews = permissions.can_review(user)
    if not reviews and not user.agency_id:
        return selectors.WaitingCounts()
    # A reviewer's queue spans agencies; an officer's badges only their agency's data.
    key_parts = (
        "waiting",
        user.pk,
        user.agency_id,
        reviews,
        timezone.localdate(),
        request_data_version(request, agency_id=None if reviews else user.agency_id),
    )
    key = f"waiting:{_FORMAT}:" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        counts = selectors.waiting_counts_get(
            user=user, dates=selectors.status_dates_get(), reviews=reviews, overdue=overdue
        )
        cache.set(key, counts, settings.PAGE_CACHE_SECONDS)
    return counts


def cacheable_query(request, allowed: set[str]) -> dict[str, str] | None:
    """The query string as a key part, or None when it holds anything but the page's
    own numeric filters: such a request is rendered fresh, so no one can fill the cache
    with made-up keys."""
    params = {}
    for name, values in request.GET.lists():
        value = values[0] if len(values) == 1 else None
        if name not in allowed or value is None or len(value) > _MAX_VALUE_LENGTH:
            return None
        if value and not value.isdigit():
            return None
        params[name] = value
    return params


def page_body(request, *, page: tuple, allowed: list[str], build, agency_id: int | None = None) -> bytes:
    """The page's main part: ``build()``'s HTML, kept under the page, its filters, today
    and the data fingerprint (of one agency's data with ``agency_id``: a page that shows
    nothing else) when the query string is plain filters, else rendered fresh. Kept as
    UTF-8 bytes: a body of hundreds of kilobytes is then neither decoded
    from the cache nor encoded again for the response."""
    params = cacheable_query(request, set(allowed))
    if params is None:
        return build().encode()
    key_parts = (
        *page,
        tuple(sorted(params.items())),
        timezone.localdate(),
        request_data_version(request, agency_id=agency_id),
    )
    key = f"page:{_FORMAT}:" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = build().encode()
        cache.set(key, body, settings.PAGE_CACHE_SECONDS)
    return body


# Where the frame template puts ``{{ body }}``. Nothing else can render it: text from the
# database is escaped, so no "<!--" comes from there.
_BODY_MARK = "<!--page-body-->"


def render_with_body(request, template_name: str, context: dict, body: bytes) -> HttpResponse:
    """The page frame (menu, user name, CSRF token: per request) with ``body`` in it."""
    response = render(request, template_name, {**context, "body": mark_safe(_BODY_MARK)})  # noqa: S308
    frame = response.content
    mark = _BODY_MARK.encode()
    start = frame.index(mark)
    response.content = frame[:start] + body + frame[start + len(mark) :]
    return response
