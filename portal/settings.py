"""Settings for Mentor Portal.

One file, driven by environment variables. With nothing set it runs the demo: SQLite in
``var/``, emails written to ``var/mail/``. Production sets ``DATABASE_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``HTTPS=on`` and the ``EMAIL_*`` variables (see README.md).
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A per-checkout key for the demo, kept in var/ so sessions survive restarts.

    Production always sets SECRET_KEY in the environment.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_flag("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "portal.accounts",
    "portal.enrollment",
    "portal.mentoring",
    "portal.safeguarding",
    "portal.notifications",
    "portal.audit",
    "portal.security",
    "portal.support",
    "portal.staff",
    "portal.lifecycle",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security.middleware.ResponseHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.security.middleware.QueryTextMiddleware",
    "portal.security.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.mentoring.middleware.ProgramTimeZoneMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.mentoring.context_processors.program",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite (WAL) by default so the demo needs nothing installed; PostgreSQL when
# DATABASE_URL is set. Persistent connections matter: a new PostgreSQL connection per
# request measured ten times slower on this stack.
DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # A stuck query is stopped after 15 s, so a page answers (503) instead of hanging.
    # No JIT: it compiles for tens of milliseconds whenever a report's estimated cost is
    # high, and the portal's queries finish in less than that (measured: the dashboard's
    # "matches needing support" count spent 80 of its 280 ms compiling).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c statement_timeout=15000 -c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "portal.sqlite3")),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Tests use a file, not memory, so that a command run in a subprocess (the
            # notification worker's tests) sees the test database. One per test run.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Shared state ---------------------------------------------------------------------
# Several gunicorn workers (and servers) must share caches and rate limits: Redis when
# REDIS_URL is set, otherwise a database table. Never per-process memory.
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Sign-in (the portal's form and the admin's) goes through throttling: portal/security/.
AUTHENTICATION_BACKENDS = ["portal.security.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},  # our User has no first_name
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.validators.ProgramNameValidator"},
]

# --- Time and language ----------------------------------------------------------------
# Stored in UTC; shown and computed in the program's own time zone (ProgramSettings),
# which the middleware activates per request.
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
PROGRAM_DEFAULT_TIME_ZONE = "America/Chicago"

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_flag("PORTAL_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mentor Portal <portal@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    # The demo writes each email to a file a person can read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# How long the worker's claim on an email lasts (portal/notifications/worker.py): an email
# a killed worker had claimed goes out this long after. Keep it well above EMAIL_TIMEOUT,
# which bounds each step of one send.
NOTIFICATION_LEASE_SECONDS = int(os.environ.get("NOTIFICATION_LEASE_SECONDS", "60"))

# --- Security -------------------------------------------------------------------------
# HTTPS=on in production: secure cookies, HSTS and a redirect to https.
HTTPS = env_flag("HTTPS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12  # a signed-in session lasts at most 12 hours
CSRF_COOKIE_HTTPONLY = True
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated):
# the client address behind them is what sign-in limits count.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Staff and administrators must use one-time codes: on in production, off in the demo.
REQUIRE_STAFF_TOTP = env_flag("REQUIRE_STAFF_TOTP", HTTPS)
STAFF_SESSION_IDLE_SECONDS = 30 * 60
CSRF_FAILURE_VIEW = "portal.security.errors.csrf_failure"  # plain words and an error id
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
# No inline scripts or styles anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # __Host- cookies are only ever sent over https, to this host, for the whole site.
    SESSION_COOKIE_NAME = "__Host-portal-session"
    CSRF_COOKIE_NAME = "__Host-portal-csrf"

# --- Backups --------------------------------------------------------------------------
# manage.py backup encrypts to these public keys (comma-separated paths, one key each):
# the server can write backups but not read them. See README, "Backups".
BACKUP_GPG_RECIPIENT_FILES = env_list("BACKUP_GPG_RECIPIENT_FILES")
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# How many of its own backups `manage.py backup` keeps in BACKUP_DIR (nightly: days).
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "portal.security.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Requests are logged by gunicorn; Django's own 4xx warnings would repeat them.
        "django.request": {"level": "ERROR"},
    },
}
