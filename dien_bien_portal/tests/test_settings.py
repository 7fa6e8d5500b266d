"""Settings that every page relies on."""

import datetime
import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.utils import formats, timezone, translation


def test_vietnamese_time_zone_and_dates():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    with translation.override("vi"):
        assert formats.date_format(datetime.date(2020, 1, 5), "DATE_FORMAT") == "05/01/2020"
        assert formats.date_format(datetime.date(2020, 1, 5), "SHORT_DATE_FORMAT") == "05/01/2020"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"
    moment = datetime.datetime(2026, 11, 27, 17, 30, tzinfo=datetime.UTC)
    assert timezone.localtime(moment).date() == datetime.date(2026, 11, 28)


@pytest.mark.django_db
def test_database_is_the_one_ci_asked_for():
    """CI runs the suite twice, on SQLite and on PostgreSQL, and says which it expects:
    a PostgreSQL run that silently fell back to SQLite would prove nothing."""
    expected = os.environ.get("EXPECT_DATABASE")
    if expected is None:
        pytest.skip("EXPECT_DATABASE is not set: this run uses whichever DATABASE_URL names")
    assert connection.vendor == expected


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_secret_key_or_hosts(missing):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.production",
        "DJANGO_SECRET_KEY": "a-long-production-secret-key-for-this-test-only-0123456789",
        "DJANGO_ALLOWED_HOSTS": "doingoai.dienbien.gov.vn",
    }
    env[missing] = ""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert f"{missing} must be set in production." in result.stderr


def production_environment(tmp_path, **overrides):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dien_bien_portal.settings.production",
        # 50+ random characters, as `check --deploy` demands of a real key.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "doingoai.dienbien.gov.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    env.update(overrides)
    return env


def deploy_check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=300,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = deploy_check(production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checklist_does_fail_on_a_weak_secret_key(tmp_path):
    """The check above can fail: a short key is a warning, and warnings fail the run."""
    result = deploy_check(production_environment(tmp_path, DJANGO_SECRET_KEY="short-key"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_security_values_come_from_the_environment():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
        "[s.SESSION_IDLE_TIMEOUT_SECONDS, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(),"
        " s.TRUSTED_PROXY_COUNT]))"
    )
    names = [
        "SESSION_IDLE_TIMEOUT_SECONDS",
        "LOGIN_FAILURE_LIMIT",
        "LOGIN_COOLOFF_MINUTES",
        "TRUSTED_PROXY_COUNT",
    ]
    base = {key: value for key, value in os.environ.items() if key not in names}
    base["DJANGO_SETTINGS_MODULE"] = "dien_bien_portal.settings.dev"

    def values(**env):
        result = subprocess.run(
            [sys.executable, "-c", script],
            env={**base, **env},
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert values() == [1800, 5, 1800.0, 0]
    assert values(
        SESSION_IDLE_TIMEOUT_SECONDS="600",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_COOLOFF_MINUTES="5",
        TRUSTED_PROXY_COUNT="1",
    ) == [600, 3, 300.0, 1]
