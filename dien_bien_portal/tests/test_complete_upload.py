"""An upload whose body did not arrive whole is refused and saves nothing.

Against gunicorn with a raw socket, the way the fault was seen: a multipart report sent
with its full ``Content-Length`` but cut at half, the connection then closed. And through
the test client, a body of the right length whose closing boundary is missing.
"""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse

from accounts.sessions import session_mark_active
from plans.models import EvidenceFile, ProgressReport
from plans.tests.sample_files import pdf_bytes
from tasks.tests.conftest import free_port, wait_for

BOUNDARY = "----cong-dien-bien-kiem-thu"
CSRF = "k" * 32
PDF = pdf_bytes() + b"%" + b"x" * 20000  # large enough that half of it is a real cut


def multipart(fields, files, *, close=True):
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    if close:
        parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


REPORT = {"state": "in_progress", "percent": "40", "narrative": "Đã tổ chức hội nghị."}


def test_a_body_without_its_closing_boundary_is_refused(client, users, deadline):
    client.force_login(users["officer_a"])
    body = multipart(REPORT, {"evidence": ("bien-ban.pdf", PDF)}, close=False)
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400
    assert "Dữ liệu gửi lên không đến đủ" in response.content.decode()
    assert (ProgressReport.objects.count(), EvidenceFile.objects.count()) == (0, 0)


def test_a_whole_body_is_accepted(client, users, deadline):
    client.force_login(users["officer_a"])
    body = multipart(REPORT, {"evidence": ("bien-ban.pdf", PDF)})
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.get().size == len(PDF)


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "gunicorn serves the test database from another process: PostgreSQL only (the in-memory "
            "SQLite test database is not shared). CI runs this test in its PostgreSQL pass"
        )
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.test",
        "DATABASE_URL": database_url,
    }
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "dien_bien_portal.wsgi:application",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def answers():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    try:
        wait_for(answers, 30, 0.1, "gunicorn")
        yield port
    finally:
        process.terminate()
        process.wait(15)


def session_cookie(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session_mark_active(session)
    session.save()
    return session.session_key


def raw_post(port, path, body, *, send, sessionid):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Cookie: sessionid={sessionid}; csrftoken={CSRF}\r\n"
        f"Referer: http://127.0.0.1:{port}{path}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body[:send])
        sock.shutdown(socket.SHUT_WR)  # the client is gone: no more bytes will come
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.decode("utf-8", "replace")


def test_gunicorn_refuses_a_report_cut_at_half_its_content_length(gunicorn, users, deadline):
    path = reverse("report-submit", args=[deadline.pk])
    body = multipart({"csrfmiddlewaretoken": CSRF, **REPORT}, {"evidence": ("bien-ban.pdf", PDF)})
    sessionid = session_cookie(users["officer_a"])

    cut = raw_post(gunicorn, path, body, send=len(body) // 2, sessionid=sessionid)
    assert cut.startswith("HTTP/1.1 400"), cut[:300]
    assert "Dữ liệu gửi lên không đến đủ" in cut
    assert (ProgressReport.objects.count(), EvidenceFile.objects.count()) == (0, 0)

    whole = raw_post(gunicorn, path, body, send=len(body), sessionid=sessionid)
    assert whole.startswith("HTTP/1.1 302"), whole[:300]
    assert "/accounts/login/" not in whole
    assert EvidenceFile.objects.get().size == len(PDF)
