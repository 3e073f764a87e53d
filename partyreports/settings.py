"""Settings for PartyReports, read from the environment.

With nothing set the app runs embedded: SQLite in the project folder and Celery
tasks executed in-process. DATABASE_URL and CELERY_BROKER_URL switch to the real
stack (PostgreSQL, Redis, separate worker and beat). See .env.example.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from partyreports.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "partyreports.admin_site.PartyAdminConfig",  # the admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "partyreports",
    "organizations",
    "targets",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partyreports.urls"
WSGI_APPLICATION = "partyreports.wsgi.application"
ASGI_APPLICATION = "partyreports.asgi.application"

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
                "organizations.context_processors.user_scope_context",
            ],
        },
    },
]

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default keeps its database in DATA_DIR: create it on a fresh clone.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so two
    # writers queue (busy timeout) instead of deadlocking on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# "/" sends each role to its start: entry sheets, dashboard or the tree.
LOGIN_REDIRECT_URL = "organizations:home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese by default: "20.360" and "4,05".
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["partyreports.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads (Excel imports): refuse anything larger than this many bytes.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Form fields only: Django streams file parts whatever their size...
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
# ... so the first handler stops storing a file at UPLOAD_MAX_BYTES.
FILE_UPLOAD_HANDLERS = [
    "partyreports.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Memory in each process. The dashboard keeps results under digests of their
# inputs (targets.dashboard.memo): nothing to invalidate, so a per-process cache
# is correct. Room for a few hundred dashboards' subordinates (~20 MB at most).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

# Celery: in-process unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_TASK_TIME_LIMIT = 600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "partyreports.heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    "rollup-catch-up": {
        "task": "targets.rollup_catch_up",
        "schedule": crontab(minute="*/5"),
    },
    "renderings-catch-up": {
        "task": "reports.renderings_catch_up",
        "schedule": crontab(minute="*/5"),
    },
    "rollup-rebuild-nightly": {
        "task": "targets.rollup_rebuild_all",
        "schedule": crontab(hour=1, minute=30),
    },
    "late-reminders-daily": {
        "task": "targets.send_late_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "Demo@2024")

# Late-report reminders (targets.send_late_reminders, daily by beat) go out through
# this backend: the console by default; SMTP with
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and Django's EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# SMTP, when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# Absolute links in e-mails, e.g. https://baocao.example.vn
SITE_URL = env_str("SITE_URL", "")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "partyreports@localhost")

# --- Security: logins, sessions, HTTPS, Content-Security-Policy ----------------
# `manage.py check --deploy` with DEBUG off prints no warning (tests/test_security.py).

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# user name from one IP address, that pair is locked out for the cool-off time
# (templates/registration/lockout.html). A successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Behind a reverse proxy REMOTE_ADDR is the proxy's address, so the lock-out then
# falls on the user name alone; X-Forwarded-For is not trusted (it can be forged).

# Sessions: a login lasts SESSION_COOKIE_AGE seconds and ends when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool(
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form explained in Vietnamese (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "partyreports.views.csrf_failure"

# Headers sent in every setup.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Production (DEBUG off): cookies only over HTTPS, HTTP redirected to HTTPS, HSTS.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from
# clients): SECURE_PROXY_SSL_HEADER=1, so Django sees such requests as HTTPS.
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): everything from this site, nothing inline.
# Templates use static JS files, CSS classes (no style="…") and json_script data.
# The document preview (reports.views.document_preview) adds inline styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs a line per page at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Official documents (format.md). One block so that a new layout rule is a small change.
PARTY_TERM_FIRST_START = env_str(
    "PARTY_TERM_FIRST_START", "2020-07-01"
)  # a congress date
PARTY_TERM_YEARS = env_int("PARTY_TERM_YEARS", 5)
DOCUMENT_DEFAULT_PLACE = env_str("DOCUMENT_DEFAULT_PLACE", "Quảng Bình")
# Lay the appendices of a PDF out in a forked process, on a second CPU, while
# the body is laid out (reports/pdf/aside.py). Off: everything in one process.
PDF_PARALLEL = env_bool("PDF_PARALLEL", True)
DOCUMENT_LAYOUT = {
    # Tinos (fonts-croscore): Times New Roman metrics with every Vietnamese glyph;
    # Debian 12's Liberation Serif 1.07 lacks 92 of them (Ạ Ả Ấ … Ộ Ệ).
    "font_family": env_str("DOCUMENT_FONT", "Tinos"),
    "font_size_pt": 14,
    "margin_top_mm": 20,
    "margin_bottom_mm": 20,
    "margin_left_mm": 30,
    "margin_right_mm": 15,
    "footnote_size_pt": 12,
    "recipients_size_pt": 12,
}
