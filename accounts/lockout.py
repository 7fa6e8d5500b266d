"""Login lockouts: the page a locked-out login gets, and the limits beyond django-axes'.

django-axes locks one username on one address (AXES_FAILURE_LIMIT failures for that
pair, AXES_COOLOFF_TIME). Two wider limits close what that leaves open, counted from
axes' failure log (every failed login, with its username and address):

- an account: LOGIN_ACCOUNT_FAILURE_LIMIT failures from any number of addresses since its
  last successful login, within LOGIN_ACCOUNT_COOLOFF, lock the username everywhere for
  that longer cool-down;
- an address: LOGIN_ADDRESS_FAILURE_LIMIT failures for any usernames within
  LOGIN_ADDRESS_COOLOFF block logins from that address.

Addresses are counted as accounts.client_ip.lockout_address gives them (IPv6 by /64).
The checks run before a password is checked (accounts.backends.LoginLockoutBackend) and
after each failure (``on_login_failed``), so the failure that reaches a limit is already
answered with the lockout page. Attempts refused during a lockout are failures too: an
account under attack stays locked while the attack goes on."""

import datetime
import logging
from dataclasses import dataclass

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from accounts.client_ip import lockout_address

logger = logging.getLogger("portal.auth")

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class WiderLock:
    kind: str  # ACCOUNT or ADDRESS
    failures: int
    limit: int
    retry_after: datetime.timedelta


def _lock_from(times: list, *, kind: str, limit: int, cooloff: datetime.timedelta, now) -> WiderLock | None:
    """Locked while ``limit`` failures fall within the cool-off: until the oldest of the
    newest ``limit`` failures is older than it."""
    if len(times) < limit:
        return None
    retry_after = max(times[limit - 1] + cooloff - now, datetime.timedelta(seconds=1))
    return WiderLock(kind=kind, failures=len(times), limit=limit, retry_after=retry_after)


def wider_lock_get(*, username: str | None, address: str | None, now=None) -> WiderLock | None:
    """The account or address lock in force now, if any (the account's first)."""
    now = now or timezone.now()
    if username:
        limit, cooloff = settings.LOGIN_ACCOUNT_FAILURE_LIMIT, settings.LOGIN_ACCOUNT_COOLOFF
        since = now - cooloff
        last_login = AccessLog.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
        if last_login and last_login > since:
            since = last_login
        times = list(
            AccessFailureLog.objects.filter(username=username, attempt_time__gt=since)
            .order_by("-attempt_time")
            .values_list("attempt_time", flat=True)[:limit]
        )
        lock = _lock_from(times, kind=ACCOUNT, limit=limit, cooloff=cooloff, now=now)
        if lock:
            return lock
    if address:
        limit, cooloff = settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_ADDRESS_COOLOFF
        times = list(
            AccessFailureLog.objects.filter(ip_address=address, attempt_time__gt=now - cooloff)
            .order_by("-attempt_time")
            .values_list("attempt_time", flat=True)[:limit]
        )
        return _lock_from(times, kind=ADDRESS, limit=limit, cooloff=cooloff, now=now)
    return None


def wider_lock_apply(request, username: str | None) -> WiderLock | None:
    """Check the wider limits for this login; when one holds, mark the request so that
    axes' middleware answers with the lockout page, and log it."""
    address = lockout_address(request)
    lock = wider_lock_get(username=username, address=address)
    if lock:
        request.axes_locked_out = True
        request.portal_lockout = lock
        logger.warning(
            "Login locked out (%s): user=%r address=%s failures=%d limit=%d",
            "account, all addresses" if lock.kind == ACCOUNT else "address, all users",
            username or "",
            address or "-",
            lock.failures,
            lock.limit,
        )
    return lock


def on_login_failed(sender, credentials, request=None, **kwargs):
    """After axes has recorded the failure: the failure that reaches a wider limit is
    answered with the lockout page at once."""
    if request is not None and not getattr(request, "portal_lockout", None):
        wider_lock_apply(request, credentials.get("username"))


def _minutes(delta: datetime.timedelta) -> int:
    return max(1, -(-int(delta.total_seconds()) // 60))


def lockout_response(request, original_response=None, credentials=None):
    lock = getattr(request, "portal_lockout", None)
    if lock is None:
        retry_after = settings.AXES_COOLOFF_TIME
        context = {"kind": "pair", "failure_limit": settings.AXES_FAILURE_LIMIT}
    else:
        retry_after = lock.retry_after
        context = {"kind": lock.kind, "failure_limit": lock.limit}
    context["minutes"] = _minutes(retry_after)
    response = render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(int(retry_after.total_seconds()))
    return response
