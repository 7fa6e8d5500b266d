"""Settings for the test suite: the database comes from DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

# The benchmark data commands (generate_bench_data, bench_reminders); never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Hashing speed matters in tests, not strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The password reset's least answer time is tested where it matters (accounts tests).
PASSWORD_RESET_MIN_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- reminders: a Celery worker that a test starts sends through the test's own SMTP
# server (EMAIL_URL), so it asks for the real backend with TEST_EMAIL_FROM_ENV=1.
if env.bool("TEST_EMAIL_FROM_ENV", default=False):
    EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]  # noqa: F405
# Queued work runs in-process unless a test points the broker at a Redis server.
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="")
