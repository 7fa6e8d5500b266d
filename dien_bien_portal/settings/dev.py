"""Embedded default for a developer's machine: SQLite, mail to files, no broker."""

from .base import *  # noqa: F403
from .base import BASE_DIR, INSTALLED_APPS, env

# The benchmark data commands (generate_bench_data, bench_reminders); never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Without EMAIL_URL, every message (reminders, returned reports, password resets) is
# written as a file into sent-mail/ in the project folder, one .log file per connection,
# where it can be read; nothing leaves the machine.
if "EMAIL_URL" not in env.ENVIRON:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "sent-mail")

# Links in emails and documents point at the port the development server listens on
# (`make run PORT=8101` passes PORT), unless SITE_URL says otherwise.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
