import datetime
from pathlib import Path

import bootstrap_wrapper
import environ
from csp.constants import NONE, SELF

from dien_bien_portal.cache import redis_cache_settings

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
    "accounts.axes_config.LoginLockoutConfig",  # django-axes
    "csp",
    # The domain first: the apps after it build on it (docs/architecture.md).
    "plans",
    "accounts",
    "tasks",
    "workspace",
    "documents",
    "deploy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an upload whose body did not arrive whole, before anything reads it.
    "dien_bien_portal.middleware.CompleteUploadMiddleware",
    # Permissions-Policy everywhere, Cache-Control: private, no-store when signed in.
    "dien_bien_portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions left idle (after messages, so that it can say why).
    "accounts.sessions.IdleSessionTimeoutMiddleware",
    # Gives the change history the user who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login refused by the lockout into the lockout page (last, as axes requires).
    "axes.middleware.AxesMiddleware",
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
                # The menu's counts of what waits for the user (lazy).
                "workspace.context_processors.waiting",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out (username, address) before any password is checked.
AUTHENTICATION_BACKENDS = [
    # django-axes, plus the account-wide and address-wide limits (accounts.lockout).
    "accounts.backends.LoginLockoutBackend",
    # Django's model backend, with the user's agency and permissions in fewer queries.
    "accounts.backends.AgencyModelBackend",
]

# No maximum length: long passphrases (spaces, Vietnamese letters) are welcome. Checked
# wherever a password is set or changed: the password page, the admin's user and
# password forms, seed_demo, an interactive createsuperuser.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.UsernameInPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    # Django's common-password check over its English list and a Vietnamese one
    # ("matkhau123", "dienbien2026"; sources noted in accounts/passwords/).
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security (production.py adds HTTPS-only cookies, HSTS and the HTTPS redirect).
# A session left idle this long is ended (accounts.sessions); its last activity is
# written at most once a minute, not on every request.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
# The session row outlives the idle timeout so that a user coming back within a working
# day is told why they must log in again; the middleware, not this age, ends it.
SESSION_COOKIE_AGE = max(12 * 3600, SESSION_IDLE_TIMEOUT_SECONDS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the portal uses (dien_bien_portal.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

# Reverse proxies in front of the portal that each append the address they received the
# request from to X-Forwarded-For. 0: only REMOTE_ADDR counts (anything a client sends in
# X-Forwarded-For is ignored). See accounts.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Brute force (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address lock that pair out for LOGIN_COOLOFF_MINUTES (HTTP 429, accounts.lockout); other
# users on the same address are not affected. The account-wide and address-wide limits
# below catch guessing spread over many addresses or many usernames.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# IPv6 clients are counted by their /64 network (accounts.client_ip.lockout_address).
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.lockout_address"
# Every failure is kept (username, address, time): the wider limits below count them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Wider limits (accounts.lockout): an account guessed from any number of addresses is
# locked everywhere for a longer cool-down; an address failing for many usernames is
# blocked for every user.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=10)
LOGIN_ACCOUNT_COOLOFF = datetime.timedelta(minutes=env.int("LOGIN_ACCOUNT_COOLOFF_MINUTES", default=120))
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_COOLOFF = datetime.timedelta(minutes=env.int("LOGIN_ADDRESS_COOLOFF_MINUTES", default=30))

# Password reset by email (accounts.views): the link is valid this long; requests are
# limited per client address (beyond it: HTTP 429) and per email address (beyond it:
# the same answer as usual, and nothing sent). Counted in the cache; with the cache down
# (Redis outage) the limits are not applied rather than refusing every request.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_HOURS", default=2) * 3600
PASSWORD_RESET_ADDRESS_RATE = env("PASSWORD_RESET_ADDRESS_RATE", default="10/h")
PASSWORD_RESET_EMAIL_RATE = env("PASSWORD_RESET_EMAIL_RATE", default="3/h")
RATELIMIT_FAIL_OPEN = True
# Every accepted reset request is answered after at least this many seconds, whether or
# not a message was sent, so that the answer's delay does not tell whether an account
# has the address (longer than sending one message usually takes).
PASSWORD_RESET_MIN_SECONDS = env.float("PASSWORD_RESET_MIN_SECONDS", default=1.5)

# Content-Security-Policy (django-csp 4): everything from the portal itself, no inline
# script or style (templates use static files and classes), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form and menu icons as data: SVG images.
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Vietnamese first; dates dd/mm/yyyy through the format module below.
LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
# The project's catalogue comes first: it corrects and completes the Vietnamese that
# Django's admin and django-simple-history bring (locale/vi/LC_MESSAGES, compiled .mo
# kept in the repository).
LOCALE_PATHS = [BASE_DIR / "locale"]
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
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    # Django's SMTP backend, plus each recipient's answer and a bound on the conversation.
    EMAIL_CONFIG["EMAIL_BACKEND"] = "tasks.mail.EmailBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Cổng theo dõi đối ngoại Điện Biên <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Absolute address of the portal, for links in emails and documents.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Domain settings.
# "Sắp đến hạn" window, in working days (docs/architecture.md, Business rules).
DUE_SOON_WORKING_DAYS = env.int("DUE_SOON_WORKING_DAYS", default=3)
# Decree 09/2019/NĐ-CP, Art. 12: report data runs to the 14th of a period's last month.
REPORT_CUTOFF_DAY = env.int("REPORT_CUTOFF_DAY", default=14)
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
# Files one report or contribution may carry; Django refuses a request with more files
# (HTTP 400) before reading them (Django's own default is 100).
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", default=10)
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES

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
# How often beat and workers try to reconnect before giving up (Celery's default, about 50
# minutes of tries). A sweep beat gave up on is made up by the retry sweep (tasks.services).
CELERY_BROKER_CONNECTION_MAX_RETRIES = env.int("CELERY_BROKER_CONNECTION_MAX_RETRIES", default=100)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "max_retries": 0,  # publishing: one connection attempt, then the in-process fallback
}
# Seconds one read from the SMTP server may take, and the whole conversation (connect to
# QUIT): past either, the send counts as a transient failure and is retried later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_CONVERSATION_SECONDS = env.float("EMAIL_CONVERSATION_SECONDS", default=60.0)
# Celery's limits on one digest (soft: the task gives up and the claim waits for the
# retry sweep; hard: the worker process is replaced), beyond the conversation's own bound.
REMINDER_SEND_SOFT_TIME_LIMIT = env.float(
    "REMINDER_SEND_SOFT_TIME_LIMIT", default=EMAIL_CONVERSATION_SECONDS + 60
)
REMINDER_SEND_TIME_LIMIT = REMINDER_SEND_SOFT_TIME_LIMIT + 30
# send_reminders (no broker) stops sending after this many seconds; the rest stays claimed.
REMINDER_COMMAND_DEADLINE_SECONDS = env.float("REMINDER_COMMAND_DEADLINE_SECONDS", default=900)
# Transient SMTP failures (4xx, connection errors) are retried after base, 2×base,
# 4×base… seconds, at most REMINDER_MAX_RETRIES times; then the ledger row is `failed`.
REMINDER_RETRY_BASE_SECONDS = env.float("REMINDER_RETRY_BASE_SECONDS", default=60.0)
REMINDER_MAX_RETRIES = env.int("REMINDER_MAX_RETRIES", default=5)
# A ledger row claimed longer ago than this and still not sent (a worker died) is
# claimed again by the next sweep. Longer than the whole retry schedule above.
REMINDER_CLAIM_STALE_SECONDS = env.int("REMINDER_CLAIM_STALE_SECONDS", default=45 * 60)
# The daily sweep's time (local, HH:MM). A sweep that did not run (broker down as it fell
# due, beat stopped) is made up by the next retry sweep or worker start, at most
# REMINDER_CATCH_UP_DAYS back; /health/ fails from GRACE minutes after the time until then.
REMINDER_SWEEP_AT = env("REMINDER_SWEEP_AT", default="07:30")
REMINDER_SWEEP_GRACE_MINUTES = env.int("REMINDER_SWEEP_GRACE_MINUTES", default=30)
REMINDER_CATCH_UP_DAYS = env.int("REMINDER_CATCH_UP_DAYS", default=14)
# The retry sweep (crontab fields): every 10 minutes of office hours, quiet at night.
REMINDER_RETRY_SWEEP_HOURS = env("REMINDER_RETRY_SWEEP_HOURS", default="7-18")
REMINDER_RETRY_SWEEP_MINUTES = env("REMINDER_RETRY_SWEEP_MINUTES", default="*/10")

# Cache: Redis in production (CACHE_URL, else REDIS_URL), process memory locally. It only
# ever holds what can be rebuilt from the database, so a Redis outage must not fail a
# page: errors are ignored and short socket timeouts keep a dead server from stalling it.
CACHE_URL = env("CACHE_URL", default=env("REDIS_URL", default=""))
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
if CACHE_URL:
    # One try, and after a failure no try at all for CACHE_RETRY_SECONDS
    # (dien_bien_portal.cache): a paused Redis costs one timeout, not one per call.
    CACHES = redis_cache_settings(url=CACHE_URL, socket_timeout=CACHE_SOCKET_TIMEOUT)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a rendered dashboard or overview is kept (workspace.page_cache). Changes to plan
# data show at once; only agency renames and holiday corrections wait for this.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# After a failure of the cache's Redis, how long the cache is skipped before it is tried again.
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=30.0)
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

# The signature block of the province's periodic report (Decree 30/2020/NĐ-CP, Art. 13),
# as a new report record starts; the coordinator changes it on each record.
REPORT_SIGNER_AUTHORITY = env("REPORT_SIGNER_AUTHORITY", default="")
REPORT_SIGNER_AUTHORITY_OF = env("REPORT_SIGNER_AUTHORITY_OF", default="")
REPORT_SIGNER_TITLE = env("REPORT_SIGNER_TITLE", default="GIÁM ĐỐC")
REPORT_SIGNER_NAME = env("REPORT_SIGNER_NAME", default="")

# A plan's task table that says only "Hằng năm" (no day): the day and month each year's
# deadline falls on, as DD/MM. The import's preview says the day was assumed.
PLAN_IMPORT_YEARLY_DUE = env("PLAN_IMPORT_YEARLY_DUE", default="15/12")
# A file with more task rows than this is applied in the background (documents.tasks),
# the admin showing its progress, instead of within the request.
PLAN_IMPORT_BACKGROUND_ROWS = env.int("PLAN_IMPORT_BACKGROUND_ROWS", default=300)
