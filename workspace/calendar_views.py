"""Agencies' private calendar feeds.

Calendar apps cannot log in, so the feed URL carries a secret token instead: whoever has
the URL sees the agency's deadlines, and regenerating the token revokes the old URL."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from documents import ical
from documents import selectors as document_selectors
from documents import services as document_services
from plans import permissions, selectors
from plans.models import Agency

FEED_MAX_AGE = 900  # seconds: calendar apps may keep a fetched feed for 15 minutes


@require_safe
def agency_calendar_feed(request, token):
    try:
        agency = document_selectors.agency_get_by_calendar_token(token=token)
    except Agency.DoesNotExist as missing:
        raise Http404 from missing
    dates = selectors.status_dates_get()
    body = ical.agency_calendar(
        agency=agency,
        deadlines=document_selectors.calendar_deadlines_for_agency(agency=agency, dates=dates),
        site_url=settings.SITE_URL,
        now=timezone.now(),
        today=dates.today,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="lich-han-{agency.code}.ics"'
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    return response


def feed_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("agency-calendar-feed", kwargs={"token": token})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agency_calendar(request):
    """The agency's feed URL with how to subscribe; a POST by the agency's own officer
    issues a URL (the first, or a new one). A GET never writes: before the first POST
    the page offers to create the URL."""
    if not request.user.agency_id:
        return redirect("home")
    agency = request.user.agency
    can_manage = permissions.can_manage_calendar(request.user, agency)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Chỉ cán bộ của chính đơn vị được tạo đường dẫn lịch mới.")
        replaced = bool(agency.calendar_token)
        document_services.calendar_token_regenerate(agency=agency, user=request.user)
        messages.success(
            request,
            "Đã tạo đường dẫn lịch mới. Đường dẫn cũ không còn dùng được: "
            "hãy cập nhật lại đường dẫn trong các ứng dụng lịch đã đăng ký."
            if replaced
            else "Đã tạo đường dẫn lịch của đơn vị.",
        )
        return redirect("agency-calendar")
    token = agency.calendar_token
    context = {"agency": agency, "feed_url": feed_url(token) if token else "", "can_manage": can_manage}
    return render(request, "workspace/agency_calendar.html", context)
