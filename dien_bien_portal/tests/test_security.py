"""Production hardening: HTTPS-only cookies and headers from the real production settings,
the Content-Security-Policy everywhere, and templates that need nothing it forbids."""

import json
import os
import pathlib
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

HOST = "doingoai.dienbien.gov.vn"
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def production_env(tmp_path, **overrides):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    env.pop("CACHE_URL", None)
    # One reverse proxy in front, as deploy/portal.env.example sets it.
    env["TRUSTED_PROXY_COUNT"] = "1"
    env.update(overrides)
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=300
    )


def policy(header: str) -> dict:
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What the production settings answer, from a child process (production_probe)."""
    tmp_path = tmp_path_factory.mktemp("production")
    result = run(["-m", "dien_bien_portal.tests.production_probe"], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    assert production["http_login"]["status"] == 301
    assert production["http_login"]["location"] == f"https://{HOST}/accounts/login/"
    # A load balancer probes /health/ over http: never redirected (whatever the URL answers).
    assert production["http_health"]["status"] not in (301, 302)


def test_https_responses_carry_the_security_headers(production):
    headers = production["https_login_page"]["headers"]
    assert production["https_login_page"]["status"] == 200
    hsts = dict(
        (part.strip().split("=") + [""])[:2] for part in headers["Strict-Transport-Security"].split(";")
    )
    assert int(hsts["max-age"]) >= 31536000
    assert "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert policy(headers["Content-Security-Policy"]) == EXPECTED_POLICY


def test_production_cookies_are_host_only_secure_and_same_site(production):
    csrf = production["https_login_page"]["cookies"]["__Host-csrftoken"]
    assert csrf == {
        "value": True,
        "secure": True,
        "httponly": False,  # the token is also read from the page's form, never by script
        "samesite": "Lax",
        "path": "/",
        "domain": "",  # "__Host-" cookies must have no Domain
    }
    # Logging in over https works with these cookies (CSRF checked against the Referer).
    login = production["https_login"]
    assert login["status"] == 302 and login["location"] == "/"
    assert set(login["cookies"]) >= {"__Host-sessionid"}
    session = login["cookies"]["__Host-sessionid"]
    assert session == {
        "value": True,
        "secure": True,
        "httponly": True,
        "samesite": "Lax",
        "path": "/",
        "domain": "",
    }
    assert "sessionid" not in login["cookies"] and "csrftoken" not in login["cookies"]
    # and the admin opens with that session.
    assert production["https_admin"]["status"] == 200


def test_production_locks_an_account_guessed_from_many_addresses(production):
    """Finding 1: 4 wrong passwords from each of 8 addresses of one IPv6 /64 are one
    address (locked at the fifth); 2 from each of 5 IPv4 addresses lock the account
    everywhere at the tenth. The right password then gets the lockout page."""
    assert production["ipv6_guesses"][:4] == [200] * 4 and production["ipv6_guesses"][4] == 429
    assert production["ipv6_right_password"] == 429
    assert production["ipv4_guesses"] == [200] * 9 + [429]
    assert production["ipv4_right_password"] == 429


def test_production_keeps_a_draft_plan_from_its_agencys_officer(production):
    """Finding 3: the deadline page 404, the report post 404, nothing saved."""
    assert production["draft_deadline_page"] == 404
    assert production["draft_report_post"] == 404
    assert production["draft_reports_saved"] == 0


def test_production_smaller_findings(production):
    """Finding 10: signed-in pages (the calendar page shows the secret feed URL) are
    private and not stored; a Permissions-Policy on every response; at most 10 files in
    one request; no markup in the calendar feed."""
    for page in ("signed_in_calendar", "signed_in_dashboard"):
        assert production[page]["status"] == 200
        directives = {part.strip() for part in production[page]["headers"]["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, page
    for response in ("https_login_page", "signed_in_dashboard"):
        assert "camera=()" in production[response]["headers"]["Permissions-Policy"]
    assert production["eleven_files"] == 400 and production["eleven_files_saved"] == 0
    summary = next(line for line in production["feed_text"].splitlines() if line.startswith("SUMMARY"))
    assert "<" not in production["feed_text"] and "Họp báo" in summary


def test_production_keeps_whitenoise_right_after_the_security_middleware(production):
    middleware = production["middleware"]
    assert middleware[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert "csp.middleware.CSPMiddleware" in middleware
    assert middleware[-1] == "axes.middleware.AxesMiddleware"


def test_development_settings_keep_plain_cookies_and_http():
    """`make run` serves http://127.0.0.1:8000: no "__Host-" cookies, no HTTPS redirect."""
    result = run(
        [
            "-c",
            "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
            "[s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
            " s.SECURE_HSTS_SECONDS, bool(s.CONTENT_SECURITY_POLICY)]))",
        ],
        {**os.environ, "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.dev"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["sessionid", "csrftoken", False, False, 0, True]


@pytest.mark.django_db
def test_every_page_kind_gets_the_content_security_policy(client, admin_user):
    assert policy(client.get(reverse("login"))["Content-Security-Policy"]) == EXPECTED_POLICY
    client.force_login(admin_user)
    for url in [reverse("plan-list"), reverse("admin:index"), reverse("admin:plans_task_add")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response["Content-Security-Policy"]) == EXPECTED_POLICY, url


# What the policy blocks in a page: inline scripts, event-handler attributes, inline
# <style> elements and style="" attributes. (Presentation attributes such as an SVG's
# fill="" are not styles and are allowed.) E-mail templates are not web pages.
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def page_templates():
    base = pathlib.Path(settings.BASE_DIR)
    folders = [base / "templates", *(base / app / "templates" for app in ("accounts", "plans", "tasks"))]
    for folder in filter(pathlib.Path.is_dir, folders):
        for path in folder.rglob("*.html"):
            if "email" not in path.relative_to(folder).parts[:-1]:
                yield path


def test_templates_use_nothing_the_policy_blocks():
    templates = list(page_templates())
    assert any(path.name == "base.html" for path in templates)
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {kind}"
        for path in templates
        for kind, pattern in FORBIDDEN.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_forbidden_patterns_do_catch_what_the_policy_blocks():
    samples = {
        "inline script": "<script>alert(1)</script>",
        "event attribute": '<input onfocus="this.select()">',
        "style element": "<style>p{}</style>",
        "style attribute": '<th style="min-width: 6rem">',
        "javascript: URL": '<a href="javascript:void(0)">',
    }
    for kind, sample in samples.items():
        assert FORBIDDEN[kind].search(sample), kind
    assert not FORBIDDEN["inline script"].search('<script src="/static/js/portal.js"></script>')
    assert not FORBIDDEN["style attribute"].search('<rect fill="#e9ecef" data-style="x">')
