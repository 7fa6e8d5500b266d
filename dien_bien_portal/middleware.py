"""Response headers every page gets (README, Security), and uploads refused when their
body did not arrive whole."""

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import render

logger = logging.getLogger(__name__)

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


class _TailRecordingStream:
    """The request body as Django reads it, counting the bytes and keeping the last few."""

    def __init__(self, stream, keep):
        self._stream = stream
        self._keep = keep
        self.count = 0
        self.tail = b""

    def _seen(self, data):
        self.count += len(data)
        self.tail = (self.tail + data)[-self._keep :]
        return data

    def read(self, *args):
        return self._seen(self._stream.read(*args))

    def readline(self, *args):
        return self._seen(self._stream.readline(*args))


class CompleteUploadMiddleware:
    """A multipart body that ends before its ``Content-Length``, or without its closing
    boundary, is refused (400, a Vietnamese message) before any view runs: Django's parser
    takes what arrived, so a connection cut mid-upload would otherwise save a report with
    its files missing. The upload handlers' temporary files are closed, which deletes them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            refused = self._refuse_if_incomplete(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse_if_incomplete(self, request):
        boundary = request.content_params.get("boundary", "").encode("ascii", "replace")
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        # The closing delimiter, then at most a line break or a short epilogue.
        stream = _TailRecordingStream(request._stream, keep=len(boundary) + 256)
        request._stream = stream
        # Parse now, through the recording stream; the parser's own refusals (too many
        # files…) propagate and are answered as before (400).
        request.POST  # noqa: B018
        if stream.count >= declared and b"--" + boundary + b"--" in stream.tail:
            return None
        for uploads in request.FILES.lists():
            for upload in uploads[1]:
                upload.close()
        logger.warning(
            "Upload refused: %s of %s bytes arrived, closing boundary %s",
            stream.count,
            declared,
            "present" if b"--" + boundary + b"--" in stream.tail else "missing",
        )
        return render(
            request,
            "400.html",
            {
                "message": (
                    "Dữ liệu gửi lên không đến đủ (kết nối bị ngắt giữa chừng hoặc tệp bị cắt): hệ thống "
                    "không lưu báo cáo và không lưu tệp nào. Vui lòng gửi lại."
                )
            },
            status=400,
        )
