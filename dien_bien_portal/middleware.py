"""Response headers every page gets (README, Security)."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY

SIGNED_IN_CACHE_CONTROL = "private, no-store"


def _signed_in(request) -> bool:
    """From the session already read, without loading the user (the health check must
    stay one trivial query)."""
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response: the portal uses no camera, microphone,
    location, payment… so no page (nor anything injected into one) may ask for them.
    ``Cache-Control: private, no-store`` on what a signed-in user gets, unless the view
    said otherwise: such pages carry agency data and secrets (the calendar feed URL),
    and neither a shared cache nor the browser's history may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if _signed_in(request) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = SIGNED_IN_CACHE_CONTROL
        return response
