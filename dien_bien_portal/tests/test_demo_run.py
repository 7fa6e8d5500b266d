"""`make run` as a developer meets it: links to the port it serves, mail written to
files in the project, the portal's own Vietnamese error pages rather than Django's
debug page."""

import json
import os
import shutil
import subprocess
import sys

from django.conf import settings

from plans.tests.environment import require

DEV_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core import mail
from django.test import Client
mail.send_mail("Thử", "Nội dung thử", None, ["canbo@dienbien.example"])
missing = Client(HTTP_HOST="127.0.0.1").get("/khong-co-trang-nay/")
from django.test import RequestFactory
from django.views.defaults import server_error
failed = server_error(RequestFactory().get("/"))
print(json.dumps({
    "site_url": settings.SITE_URL,
    "debug": settings.DEBUG,
    "backend": settings.EMAIL_BACKEND,
    "mail_dir": str(settings.EMAIL_FILE_PATH),
    "status": missing.status_code,
    "body": missing.content.decode(),
    "error_status": failed.status_code,
    "error_body": failed.content.decode(),
}))
"""


def dev_probe(tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("EMAIL_URL", "SITE_URL", "PORT", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="dien_bien_portal.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        EMAIL_FILE_PATH=str(tmp_path / "sent-mail"),
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", DEV_PROBE],
        env=environment,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_serves_links_mail_and_error_pages_honestly(tmp_path):
    # What `make run PORT=8101` gives the development server (see the next test).
    probe = dev_probe(tmp_path, PORT="8101", DJANGO_DEBUG="false")

    assert probe["site_url"] == "http://127.0.0.1:8101"
    assert probe["debug"] is False
    assert probe["status"] == 404
    assert "Không tìm thấy trang" in probe["body"]
    assert "Page not found" not in probe["body"]
    # And the portal's own page for a failure (DEBUG off: no traceback shown).
    assert probe["error_status"] == 500
    assert "Đã xảy ra lỗi" in probe["error_body"] and "Traceback" not in probe["error_body"]
    assert probe["backend"] == "django.core.mail.backends.filebased.EmailBackend"
    [written] = list((tmp_path / "sent-mail").iterdir())
    assert "canbo@dienbien.example" in written.read_text()


def test_dev_settings_default_to_port_8000_and_the_project_mail_folder(tmp_path):
    probe = dev_probe(tmp_path)
    assert probe["site_url"] == "http://127.0.0.1:8000"
    # Without EMAIL_FILE_PATH the folder is sent-mail/ in the project, ignored by git.
    assert "sent-mail/" in (settings.BASE_DIR / ".gitignore").read_text().splitlines()


def test_make_run_passes_the_port_and_turns_the_debug_page_off():
    require(shutil.which("make"), "make is not installed")
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60
    )
    assert result.returncode == 0, result.stderr
    server = [line for line in result.stdout.splitlines() if "runserver" in line]
    assert server == [
        "DJANGO_DEBUG=false PORT=8101 .venv/bin/python manage.py runserver --insecure 127.0.0.1:8101"
    ]
