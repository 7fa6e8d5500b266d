"""The main part of the busiest pages, rendered once and kept in the cache (Redis in
production, process memory locally).

The agency dashboard and the province overview read every deadline in their scope, and
most requests see the same data as the one before. Their content is kept under a key made
of everything it depends on: the page, the viewer's agency, the filters, today, and the
fingerprint of the plan data (``selectors.page_data_version_get``). Any change to plans,
tasks, deadlines or reports moves the fingerprint, so a stale part is never shown after
such a change; the time limit only bounds how long an agency's new name or a holiday
correction, which do not move it, can take to appear. Only what is the same for every
viewer of the key goes in: no CSRF token, no user name.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe

# A filter value is an id or a year; anything longer is not ours.
_MAX_VALUE_LENGTH = 10


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


def cached_html(*, key_parts: tuple, build) -> str:
    """The HTML kept under ``key_parts``, or ``build()``'s, stored for next time."""
    key = "page:" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, str(html), settings.PAGE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (our own rendered template)
