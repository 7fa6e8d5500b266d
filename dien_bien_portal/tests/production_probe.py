"""Real requests under the production settings, run in a child process by test_security.py
(``python -m dien_bien_portal.tests.production_probe``, with the production environment).

It migrates the database that DATABASE_URL names, creates one user, goes through the whole
middleware stack with Django's test client (over plain http, then over https as the
reverse proxy reports it), and prints what came back as JSON on stdout.

It also replays the second security review's attacks behind one trusted proxy, as the
deployment example configures it (TRUSTED_PROXY_COUNT=1): guessing a password from many
addresses (finding 1), an officer reaching a draft plan's deadline (finding 3), and the
smaller findings (finding 10: caching of signed-in pages, Permissions-Policy, files per
request, markup in the calendar feed).
"""

import json
import re
import sys

import django

PASSWORD = "Mat-khau-tham-do-2026"
WRONG = "Sai-mat-khau-0000"
IPV6_NETWORK = "2001:db8:5:6"  # one /64
MARKUP_TITLE = '<script>alert("x")</script> Họp <b>báo</b>'


def cookies(response):
    return {
        name: {
            "value": bool(morsel.value),
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "path": morsel["path"],
            "domain": morsel["domain"],
        }
        for name, morsel in response.cookies.items()
    }


def summary(response):
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "headers": dict(response.headers),
        "cookies": cookies(response),
    }


def main():
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0, interactive=False)
    get_user_model().objects.create_user("thamdo", password=PASSWORD, is_staff=True)
    host = settings.ALLOWED_HOSTS[0]
    result = {"middleware": settings.MIDDLEWARE}
    # The one departure from production: no collectstatic in a test run, so the pages link
    # static files by their plain names instead of the manifest's.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        http = Client(HTTP_HOST=host)
        result["http_login"] = summary(http.get("/accounts/login/"))
        result["http_health"] = summary(http.get("/health/"))

        https = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https", enforce_csrf_checks=True)
        page = https.get("/accounts/login/")
        result["https_login_page"] = summary(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        login = https.post(
            "/accounts/login/",
            {"username": "thamdo", "password": PASSWORD, "csrfmiddlewaretoken": token},
            HTTP_REFERER=f"https://{host}/accounts/login/",
        )
        result["https_login"] = summary(login)
        result["https_admin"] = summary(https.get("/admin/"))
        result |= _review_replay(host)
    json.dump(result, sys.stdout)


def _review_replay(host) -> dict:
    """The second review's attacks, through the whole production middleware stack."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.roles import GROUP_NAMES, Role
    from plans.models import Agency, Plan, ProgressReport
    from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, TaskFactory
    from plans.tests.sample_files import PDF_BYTES

    def client(**extra):
        # Every request comes from nginx (127.0.0.1) over https, as behind the proxy.
        return Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="127.0.0.1", **extra)

    def login(c, username, password, address):
        form = {"username": username, "password": password}
        return c.post("/accounts/login/", form, HTTP_X_FORWARDED_FOR=address).status_code

    result = {}
    users = get_user_model().objects
    # Finding 1: 4 wrong passwords from each of 8 addresses of one IPv6 /64, then the
    # right one; and 2 from each of 5 IPv4 addresses for another account.
    users.create_user("doanmo.v6", password=PASSWORD)
    users.create_user("doanmo.v4", password=PASSWORD)
    guesser = client()
    result["ipv6_guesses"] = [
        login(guesser, "doanmo.v6", WRONG, f"{IPV6_NETWORK}::{n:x}") for n in range(1, 9) for _ in range(4)
    ]
    result["ipv6_right_password"] = login(guesser, "doanmo.v6", PASSWORD, f"{IPV6_NETWORK}::99")
    result["ipv4_guesses"] = [
        login(guesser, "doanmo.v4", WRONG, f"198.51.100.{n}") for n in range(5) for _ in range(2)
    ]
    result["ipv4_right_password"] = login(guesser, "doanmo.v4", PASSWORD, "192.0.2.77")

    # Finding 3: an officer of the agency that leads a draft plan's task.
    agency = AgencyFactory(code="tham-do", name="Đơn vị thăm dò", short_name="ĐV thăm dò")
    coordinating = Agency.objects.filter(code="so-ngoai-vu").first() or AgencyFactory(code="so-ngoai-vu")
    officer = users.create_user("canbo.thamdo", password=PASSWORD, agency=agency)
    officer.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))

    def deadline_in(plan, title):
        area = ContentAreaFactory(plan=plan)
        task = TaskFactory(area=area, plan=plan, lead_agency=agency, title=title)
        return task.deadlines.create(
            responsible_agency_id=task.lead_agency_id,
            due_on=task.due_on,
            period_start=task.due_on.replace(month=1, day=1),
            period_label="Thời hạn",
        )

    draft = deadline_in(PlanFactory(coordinating_agency=coordinating, status=Plan.Status.DRAFT), "Dự thảo")
    tracked = deadline_in(PlanFactory(coordinating_agency=coordinating), MARKUP_TITLE)
    page = client()
    page.force_login(officer)
    result["draft_deadline_page"] = page.get(f"/deadlines/{draft.pk}/").status_code
    report = {"state": "done", "percent": 100, "narrative": "Xong."}
    result["draft_report_post"] = page.post(f"/deadlines/{draft.pk}/report/", report).status_code
    result["draft_reports_saved"] = ProgressReport.objects.filter(deadline=draft).count()

    # Finding 10.
    result["signed_in_calendar"] = summary(page.get("/calendar/"))
    result["signed_in_dashboard"] = summary(page.get("/dashboard/"))
    page.post("/calendar/")
    agency.refresh_from_db()
    result["feed_text"] = client().get(f"/calendar/{agency.calendar_token}.ics").content.decode()
    files = [SimpleUploadedFile(f"tep-{n}.pdf", PDF_BYTES) for n in range(11)]
    result["eleven_files"] = page.post(
        f"/deadlines/{tracked.pk}/report/", {**report, "evidence": files}
    ).status_code
    result["eleven_files_saved"] = ProgressReport.objects.filter(deadline=tracked).count()
    return result


if __name__ == "__main__":
    main()
