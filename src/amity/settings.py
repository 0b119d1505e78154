"""Amity's one settings module: every knob comes from the environment (docs/configuration.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("AMITY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("AMITY_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("AMITY_ENV must be development, test or production.")
PRODUCTION = ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Production must say its key; elsewhere one is generated once and kept in var/."""
    key = os.environ.get("AMITY_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("AMITY_SECRET_KEY is required when AMITY_ENV=production.")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("AMITY_DEBUG", default=False)
ALLOWED_HOSTS = env_list("AMITY_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("AMITY_CSRF_TRUSTED_ORIGINS")
BASE_URL = os.environ.get("AMITY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "amity.core",
    "amity.customers",
    "amity.imports",
    "amity.search",
    "amity.activities",
    "amity.catalog",
    "amity.sales",
    "amity.orders",
    "amity.service",
    "amity.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "amity.core.middleware.AuditContextMiddleware",
    "amity.api.idempotency.IdempotencyMiddleware",
    "amity.api.problems.MethodNotAllowedAsProblem",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "amity.urls"
WSGI_APPLICATION = "amity.wsgi.application"
ASGI_APPLICATION = "amity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amity.web.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'amity.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Argon2 is deliberately slow; tests hash thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
INVITATION_TTL_DAYS = 7

# Failed logins: locked per account and per address after this many tries, for this long.
AXES_FAILURE_LIMIT = int(os.environ.get("AMITY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AMITY_LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "amity.web.views.auth.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AMITY_LOGIN_THROTTLING", default=True)

# --- Sessions, cookies, security headers ------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("AMITY_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("AMITY_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Static files (built by `make assets` from npm packages into static/build) -----------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it in production; whitenoise wants it to exist
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# The largest file an import accepts (web and API alike); a proxy in front must allow at least this much.
IMPORT_MAX_BYTES = int(float(os.environ.get("AMITY_IMPORT_MAX_MB", "100")) * 1024 * 1024)

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("AMITY_FROM_EMAIL", "Amity <amity@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("AMITY_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("AMITY_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("AMITY_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("AMITY_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("AMITY_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("AMITY_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = 20
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # No SMTP server configured: every message is written to a file under var/mail/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Background tasks -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
TASK_QUEUES = ["default", "email"]
if os.environ.get("AMITY_TASKS_IMMEDIATE") == "1":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}
elif REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
TASK_MAX_ATTEMPTS = int(os.environ.get("AMITY_TASK_MAX_ATTEMPTS", "5"))
TASK_RETRY_BASE_SECONDS = float(os.environ.get("AMITY_TASK_RETRY_BASE_SECONDS", "10"))
WORKER_HEARTBEAT_SECONDS = 10
# How often each worker enqueues the periodic jobs (due task reminders); claims make extra runs harmless.
SCHEDULER_SECONDS = float(os.environ.get("AMITY_SCHEDULER_SECONDS", "60"))
# How often the worker evaluates the alert rules (no activity, close date passed, overdue tasks…).
ALERTS_SECONDS = float(os.environ.get("AMITY_ALERTS_SECONDS", "900"))
# An import (or its search indexing) that has not moved for this long lost its worker: the sweeper queues it again.
IMPORT_STALL_SECONDS = float(os.environ.get("AMITY_IMPORT_STALL_SECONDS", "600"))
# How often the worker refreshes SQLite's query planner statistics (PostgreSQL's autovacuum does its own).
PLANNER_STATISTICS_SECONDS = float(os.environ.get("AMITY_PLANNER_STATISTICS_SECONDS", "3600"))
# How long after a retention rule was applied the worker applies it again (the scheduler asks every minute).
RETENTION_SECONDS = float(os.environ.get("AMITY_RETENTION_SECONDS", "86400"))
MAIL_FETCH_SECONDS = float(os.environ.get("AMITY_MAIL_FETCH_SECONDS", "60"))
# How long after a case is resolved the customer is asked how it went (minutes); cases resolved longer than
# SURVEY_MAX_AGE_DAYS ago are never surveyed (a worker that was down for a month does not mail a backlog).
SURVEY_DELAY_MINUTES = int(os.environ.get("AMITY_SURVEY_DELAY_MINUTES", "60"))
SURVEY_MAX_AGE_DAYS = int(os.environ.get("AMITY_SURVEY_MAX_AGE_DAYS", "14"))
# How often an open page asks whether the person has new notifications (one cheap query per ask).
NOTIFICATION_POLL_SECONDS = int(os.environ.get("AMITY_NOTIFICATION_POLL_SECONDS", "15"))

# --- Caches -----------------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: one line per event on stderr; the process manager keeps it -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("AMITY_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

API_PAGE_SIZE_DEFAULT = 50
API_PAGE_SIZE_MAX = 200
IDEMPOTENCY_TTL_HOURS = 24

# --- Web forms' spam limits: (submissions, seconds) per visitor's address and per form -------------
LEAD_FORM_LIMIT_PER_IP = (
    int(os.environ.get("AMITY_LEAD_FORM_LIMIT_PER_IP", "5")),
    int(os.environ.get("AMITY_LEAD_FORM_WINDOW_PER_IP", "600")),
)
LEAD_FORM_LIMIT_PER_FORM = (
    int(os.environ.get("AMITY_LEAD_FORM_LIMIT_PER_FORM", "300")),
    int(os.environ.get("AMITY_LEAD_FORM_WINDOW_PER_FORM", "3600")),
)
