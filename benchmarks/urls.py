"""The portal's URLs plus the benchmark's bare view (settings ``bench`` only).

The bare view passes through the same middleware and login check as every page and
does nothing else, so the benchmark can say how much a page costs beyond Django itself.
It is never part of the production URLconf."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from dien_bien_portal.urls import urlpatterns as portal_urlpatterns


@login_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    *portal_urlpatterns,
]
