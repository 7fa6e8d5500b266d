"""Idle sessions end: a session unused for SESSION_IDLE_TIMEOUT_SECONDS is logged out.

The time of the last activity lives in the session. Writing it on every request would
cost a database write per page, so it is refreshed only when it is a minute old or more:
a session therefore ends between one minute before and the moment its idle time, counted
from the last request, reaches the timeout.
"""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url

LAST_ACTIVITY_KEY = "portal_last_activity"
REFRESH_SECONDS = 60


def session_mark_active(session, *, now: int | None = None) -> None:
    session[LAST_ACTIVITY_KEY] = int(time.time()) if now is None else now


def idle_timeout_text(seconds: int) -> str:
    if seconds % 60 == 0:
        return f"{seconds // 60} phút"
    return f"{seconds} giây"


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Only the session is read here, not the user: anonymous requests cost nothing more.
        if auth.SESSION_KEY in session:
            now = int(time.time())
            last = session.get(LAST_ACTIVITY_KEY)
            timeout = settings.SESSION_IDLE_TIMEOUT_SECONDS
            if last is not None and now - last > timeout:
                request.portal_idle_logout = True  # the auth log says why
                auth.logout(request)
                messages.warning(
                    request,
                    f"Phiên làm việc đã hết hạn do không hoạt động quá {idle_timeout_text(timeout)}. "
                    "Vui lòng đăng nhập lại.",
                )
                if request.path == resolve_url(settings.LOGIN_URL):
                    return self.get_response(request)  # already where the user must go
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= REFRESH_SECONDS:
                session_mark_active(session, now=now)
        return self.get_response(request)
