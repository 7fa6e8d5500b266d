"""Every login, failed login and logout goes to the "portal.auth" log with the username and
the client's address (accounts.client_ip); never a password."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts import lockout
from accounts.client_ip import client_ip_address
from accounts.sessions import session_mark_active

logger = logging.getLogger("portal.auth")


def _address(request) -> str:
    return (client_ip_address(request) if request is not None else None) or "-"


def on_logged_in(sender, request, user, **kwargs):
    # A fresh session starts its idle clock now (a re-login must not inherit an old one).
    if request is not None and hasattr(request, "session"):
        session_mark_active(request.session)
    logger.info("Login succeeded: user=%r address=%s", user.get_username(), _address(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is kept.
    logger.warning("Login failed: user=%r address=%s", credentials.get("username", ""), _address(request))


def on_logged_out(sender, request, user, **kwargs):
    username = user.get_username() if user is not None else ""
    reason = " (idle timeout)" if getattr(request, "portal_idle_logout", False) else ""
    logger.info("Logout%s: user=%r address=%s", reason, username, _address(request))


def on_locked_out(sender, request, username, ip_address, **kwargs):
    logger.warning("Login locked out: user=%r address=%s", username or "", ip_address or "-")


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="portal.auth.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="portal.auth.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="portal.auth.logged_out")
    user_locked_out.connect(on_locked_out, dispatch_uid="portal.auth.locked_out")
    # After axes' own receiver (axes is installed before accounts): the wider limits.
    user_login_failed.connect(lockout.on_login_failed, dispatch_uid="portal.auth.wider_lockout")
