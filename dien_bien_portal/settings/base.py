from pathlib import Path

import bootstrap_wrapper
import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is optional; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "plans",
    "accounts",
    "tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Gives the change history the user who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dien_bien_portal.urls"
WSGI_APPLICATION = "dien_bien_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A connection dropped by a database restart is replaced instead of failing a request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database host that does not answer fails the request (and /health/) after this
    # many seconds instead of hanging until the web server kills the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.AgencyModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first; dates dd/mm/yyyy through the format module below.
LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["dien_bien_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
# Uploaded evidence is private: it lives outside STATIC_ROOT and is never served by URL.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Cổng theo dõi đối ngoại Điện Biên <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Absolute address of the portal, for links in emails and documents.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Domain settings.
# "Sắp đến hạn" window, in working days (DESIGN §2).
DUE_SOON_WORKING_DAYS = env.int("DUE_SOON_WORKING_DAYS", default=3)
# Open-ended plans get recurring deadlines through the end of this many years ahead.
DEADLINE_HORIZON_YEARS = env.int("DEADLINE_HORIZON_YEARS", default=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own logger would otherwise print every line twice (its handler and root).
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}

# Evidence files on progress reports (plans.evidence): largest accepted upload, in bytes.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)

# Celery and reminders (tasks/).
# The broker is Redis in production (REDIS_URL or CELERY_BROKER_URL). Without one, queued
# work runs in-process (tasks.queue.enqueue) and `send_reminders` does the daily sweep.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True  # no result backend: the ledger is the record
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down must never hang a web request: fail fast, then send directly.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "max_retries": 0,  # publishing: one connection attempt, then the in-process fallback
}
# Seconds an SMTP conversation may take before it counts as a transient failure.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Transient SMTP failures (4xx, connection errors) are retried after base, 2×base,
# 4×base… seconds, at most REMINDER_MAX_RETRIES times; then the ledger row is `failed`.
REMINDER_RETRY_BASE_SECONDS = env.float("REMINDER_RETRY_BASE_SECONDS", default=60.0)
REMINDER_MAX_RETRIES = env.int("REMINDER_MAX_RETRIES", default=5)
# A ledger row claimed longer ago than this and still not sent (a worker died) is
# claimed again by the next sweep. Longer than the whole retry schedule above.
REMINDER_CLAIM_STALE_SECONDS = env.int("REMINDER_CLAIM_STALE_SECONDS", default=45 * 60)

# Cache: Redis in production (CACHE_URL, else REDIS_URL), process memory locally. It only
# ever holds what can be rebuilt from the database, so a Redis outage must not fail a
# page: errors are ignored and short socket timeouts keep a dead server from stalling it.
CACHE_URL = env("CACHE_URL", default=env("REDIS_URL", default=""))
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a rendered dashboard or overview is kept (plans.page_cache). Changes to plan
# data show at once; only agency renames and holiday corrections wait for this.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Log (rather than hide) the errors the Redis cache ignores.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Change history (django-simple-history). Reverting from the admin would bypass the
# services' rules (deadline sync, review states), so history is read-only.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Health (/health/, dien_bien_portal.health). Each check gives up after this many seconds.
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=0.5)
# With a broker, beat queues a heartbeat this often (tasks.beat_heartbeat); /health/ fails
# when the last one a worker ran is older than BEAT_STALE_SECONDS or missing.
BEAT_HEARTBEAT_SECONDS = env.float("BEAT_HEARTBEAT_SECONDS", default=60.0)
BEAT_STALE_SECONDS = env.int("BEAT_STALE_SECONDS", default=300)
