"""Real requests under the production settings, run in a child process by test_security.py
(``python -m dien_bien_portal.tests.production_probe``, with the production environment).

It migrates the database that DATABASE_URL names, creates one user, goes through the whole
middleware stack with Django's test client (over plain http, then over https as the
reverse proxy reports it), and prints what came back as JSON on stdout.
"""

import json
import re
import sys

import django

PASSWORD = "Mat-khau-tham-do-2026"


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
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
