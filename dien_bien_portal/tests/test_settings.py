"""Settings that every page relies on."""

import datetime
import os
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
