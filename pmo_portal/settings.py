"""
Settings for the PMO Portal: one module, driven by the environment (django-environ).

Two modes, chosen by DJANGO_ENV:

* ``embedded`` (the default, nothing set): SQLite under ``var/``, Celery tasks run
  in-process, e-mail printed to the console, a secret key generated once and kept
  in ``var/secret_key``. For a laptop and for the test suite.
* ``production``: every secret comes from the environment (missing ones are an
  error), HTTPS behind a proxy, HSTS and secure cookies. ``DATABASE_URL`` and
  ``CELERY_BROKER_URL`` point at PostgreSQL and Redis.

Every variable is listed, with its default, in ``.env.example`` and the README.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# ---------------------------------------------------------------------------
# Mode and core
# ---------------------------------------------------------------------------
DJANGO_ENV = env.str("DJANGO_ENV", default="embedded")
if DJANGO_ENV not in {"embedded", "production"}:
    raise environ.ImproperlyConfigured(f"DJANGO_ENV must be 'embedded' or 'production', not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    """The embedded mode's key: generated once, kept in an ignored folder."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY") if PRODUCTION else env.str("DJANGO_SECRET_KEY", default="") or _local_secret_key()

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION:
    # The container health check calls http://127.0.0.1:8000/healthz/ from inside the container.
    ALLOWED_HOSTS += ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "csp",
    # ours
    "pmo_portal",
    "accounts",
    "projects",
    "rfp",
    "manuals",
]

MIDDLEWARE = [
    "pmo_portal.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmo_portal.urls"
WSGI_APPLICATION = "pmo_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pmo_portal.context_processors.portal",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while one writer commits; IMMEDIATE takes the write
        # lock at BEGIN, so concurrent writers queue instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Test databases are created from template0 in UTF-8 so that Japanese and Korean
    # text behaves as in production (DESIGN.md §7).
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Authentication, two-factor, lockout, sessions
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

OTP_TOTP_ISSUER = "PMO Portal"

SESSION_COOKIE_AGE = 12 * 60 * 60  # an absolute cap; idleness ends a session much sooner
SESSION_IDLE_TIMEOUT = env.int("PORTAL_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60  # invitation and reset links: three days

# ---------------------------------------------------------------------------
# Security headers (DESIGN.md §4); HTTPS is terminated by the proxy in production
# ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The container health check speaks plain HTTP on the loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
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

# ---------------------------------------------------------------------------
# Language and time
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "pmo_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; each user sees their own time zone

# ---------------------------------------------------------------------------
# Static and uploaded files
# ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles" if PRODUCTION else VAR_DIR / "static")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise wants it to exist, even when serving from finders
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No MEDIA_URL is served: every file goes out through a permission-checked view.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "pmo_portal.staticfiles.PortalStaticFilesStorage"  # WhiteNoise's, each file's URL worked out once
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode serves static files straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PMO Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[PMO Portal] "

# ---------------------------------------------------------------------------
# Celery (DESIGN.md §2 and §7): the broker is a doorbell, the database the truth
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker (embedded mode) tasks run in-process, at the moment they are sent.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 12 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task (time limit) plus the longest countdown we use,
    # or Redis hands an unfinished task to a second worker (DESIGN.md §7).
    "visibility_timeout": 60 * 60,
    "unacked_restore_interval": 60,
}
CELERY_TIMEZONE = "UTC"
# When Redis is down, publishing gives up quickly: the job row is saved and the sweep sends it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2
CELERY_BEAT_SCHEDULE = {
    "sweep-exports": {"task": "pmo_portal.tasks.sweep_exports", "schedule": env.float("EXPORT_SWEEP_SECONDS", default=60.0)},
}
# Reminders every hour (five past, away from the top-of-hour rush); the daily digest at 08:00 Asia/Tokyo.
# Beat keeps UTC (CELERY_TIMEZONE): 08:00 in Tokyo is 23:00 UTC the day before (Japan has no summer time).
CELERY_BEAT_SCHEDULE |= {
    "send-due-reminders": {"task": "pmo_portal.notification_tasks.send_due_reminders", "schedule": crontab(minute=5)},
    "send-daily-digests": {"task": "pmo_portal.notification_tasks.send_daily_digests", "schedule": crontab(hour=23, minute=0)},  # fmt: skip
    # Vendor access past its end date becomes "expired, to be removed on the system" (hourly, ten past).
    "expire-grants": {"task": "accounts.tasks.expire_grants", "schedule": crontab(minute=10)},
    # Screenshot comparisons the broker lost are sent again (like export jobs).
    "sweep-comparisons": {"task": "manuals.tasks.sweep_comparisons", "schedule": env.float("EXPORT_SWEEP_SECONDS", default=60.0)},  # fmt: skip
}
# Workers lower their own CPU priority so that web pages stay fast while a PDF renders.
CELERY_WORKER_NICENESS = env.int("CELERY_WORKER_NICENESS", default=19)

# Export jobs: a worker holds a job for a lease it renews while rendering; a job gets this many attempts.
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=120)
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", default=3)
# A queued job still untouched after this long is sent to the broker again by the sweep.
EXPORT_REQUEUE_AFTER_SECONDS = env.int("EXPORT_REQUEUE_AFTER_SECONDS", default=120)

# Vendor access: the delegation memo (PDF) and the account lists uploaded for reconciliation (CSV).
ACCESS_EVIDENCE_MAX_BYTES = env.int("ACCESS_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
ACCESS_CSV_MAX_BYTES = env.int("ACCESS_CSV_MAX_BYTES", default=5 * 1024 * 1024)
# RFPs: the largest proposal (PDF) a vendor can upload. Keep the proxy's request size limit above it.
RFP_PROPOSAL_MAX_BYTES = env.int("RFP_PROPOSAL_MAX_BYTES", default=20 * 1024 * 1024)
# Project dictionary: the largest CSV or Excel file of terms that can be imported.
DICTIONARY_IMPORT_MAX_BYTES = env.int("DICTIONARY_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Manuals: the largest screenshot file, and the most pixels one may have (decompression bombs are refused before
# decoding). 20 million pixels take a 5K screen (14.7 million) with room to spare.
MANUAL_IMAGE_MAX_BYTES = env.int("MANUAL_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
MANUAL_IMAGE_MAX_PIXELS = env.int("MANUAL_IMAGE_MAX_PIXELS", default=20_000_000)

# ---------------------------------------------------------------------------
# Forms and UI
# ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Messages travel in a signed cookie to the next page (the session only holds one too big for a cookie): saying
# "Approved." does not write the session row, and messages nobody fetched do not pile up in it.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# ---------------------------------------------------------------------------
# Logging: one line per event on stderr, with the request id
# ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "pmo_portal.middleware.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

ADMINS = [("Operations", addr) for addr in env.list("DJANGO_ADMIN_EMAILS", default=[])]

# ---------------------------------------------------------------------------
# The portal itself
# ---------------------------------------------------------------------------
# Used in links inside e-mails, which are written outside any request.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
