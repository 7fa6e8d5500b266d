"""Embedded default for a developer's machine: SQLite, console email, no broker."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

# The benchmark data commands (generate_bench_data, bench_reminders); never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
