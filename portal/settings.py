"""Settings for Mentor Portal.

One file, driven by environment variables. With nothing set it runs the demo: SQLite in
``var/``, emails written to ``var/mail/``. Production sets ``HTTPS=on``, ``DATABASE_URL``,
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``SITE_URL`` and the ``EMAIL_*`` variables, and refuses
to start without them (portal/health/startup.py; README.md lists them).

Importing this file creates no folder and writes no file: ``manage.py`` prepares the
demo's ``var/`` folder and key (``portal.health.startup.prepare_local_files``).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from portal.health import startup

# Before anything else: a production server missing its settings stops here, naming them.
startup.refuse_if_unsafe(os.environ)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = startup.var_dir(os.environ)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG")
# Production sets SECRET_KEY (required with HTTPS=on). The demo reads the key manage.py
# wrote to var/secret_key; a process started before that signs with a key of its own,
# which nothing it signs outlives.
SECRET_KEY = (
    os.environ.get("SECRET_KEY") or startup.read_demo_key(os.environ) or secrets.token_urlsafe(50)
)
# Key rotation: the old keys, comma-separated, newest first. Sessions, password reset links
# and other values signed with them keep working; new ones are signed with SECRET_KEY.
# Remove an old key once everything signed with it has expired (README.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
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
    "portal.checkins",
    "portal.texts",
    "portal.staff",
    "portal.followups",
    "portal.readiness",
    "portal.lifecycle",
    "portal.health",
    "portal.jobs",
    "portal.filejobs",
]

MIDDLEWARE = [
    # First: every log line of a request, and its answer, carry the request's id.
    "portal.security.middleware.RequestIdMiddleware",
    # Load balancers' probes are answered before anything reads the Host header or
    # redirects to https (portal/health/middleware.py says why that is safe).
    "portal.health.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security.middleware.ResponseHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files (already compressed on disk) never pass through it;
    # above everything else, so it compresses the finished page. Only HTML, only when the
    # browser asks (Accept-Encoding: gzip). BREACH, which reads secrets through the size
    # of compressed pages, is mitigated: Django masks the CSRF token differently on every
    # response and GZipMiddleware pads each response with random bytes (Heal The Breach).
    "portal.security.middleware.HtmlGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the signed-in person's language, else the browser's.
    "portal.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.security.middleware.QueryTextMiddleware",
    "portal.security.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.mentoring.middleware.ProgramTimeZoneMiddleware",
]

ROOT_URLCONF = "portal.urls"
# Django's widget templates, written in Python for the widgets the portal uses (same HTML;
# portal/lib/widgets.py says why).
FORM_RENDERER = "portal.lib.widgets.FastWidgetRenderer"
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
# Several gunicorn workers (and servers) share one cache: Redis when REDIS_URL is set,
# otherwise a database table. Never per-process memory. Sign-in limits are not kept here
# but in their own table (portal/security/throttle.py): neither a cache that culls
# entries nor a Redis outage can unlock a paused sign-in.
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Several portals may share one Redis: each keeps to its own keys.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
            # A Redis that does not answer fails the cache call within a second or two
            # (an error page), instead of holding the page and its worker forever.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
            # Django's default of 300 entries culls a third of them at once when full.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Sign-in sessions are kept in the database; with Redis, each is also kept there, so a
# request reads its session from Redis (shared by every worker), not with a query. Ending
# sessions deletes them from both (portal/security/sessions.py).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

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
# Mentor pages, messages and emails are in English or Spanish, chosen per person
# (User.language; before they choose, the browser's language). Staff pages are English.
# The translations are locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by
# `manage.py compile_translations` (make install, make test).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish numbers with a decimal point (portal/formats/es/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
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
# --- Text messages (portal/texts/backends.py) ------------------------------------------
# console prints texts (the demo), twilio sends them, off offers none. A production server
# has no texts until it names its provider (console is refused there: portal/health/startup.py).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "off" if env_flag("HTTPS") else "console")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
# The sender: a number in E.164 (+13125550100) or a messaging service id (MG...).
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")
# Another address of Twilio's API (the tests' local fake); empty: api.twilio.com.
TWILIO_API_URL = os.environ.get("TWILIO_API_URL", "")
# Seconds per request to Twilio: well below NOTIFICATION_LEASE_SECONDS, like EMAIL_TIMEOUT.
TWILIO_TIMEOUT = 10
# No text goes out between these times of the program's time zone: it waits until the end.
TEXT_QUIET_HOURS = os.environ.get("TEXT_QUIET_HOURS", "21:00-08:00")

# How long the worker's claim on an email lasts (portal/notifications/worker.py): an email
# a killed worker had claimed goes out this long after. Keep it well above EMAIL_TIMEOUT,
# which bounds each step of one send.
NOTIFICATION_LEASE_SECONDS = int(os.environ.get("NOTIFICATION_LEASE_SECONDS", "60"))
# How long a worker's claim on a scheduled job's run lasts (portal/jobs/runs.py).
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "300"))

# --- Background exports and imports (portal/filejobs) ---------------------------------
# The finished files, kept 24 hours: a private folder, never served as static files.
FILE_JOBS_DIR = os.environ.get("FILE_JOBS_DIR") or str(VAR_DIR / "file-jobs")
# A worker's claim on a background export or import, renewed with each progress update.
FILE_JOB_LEASE_SECONDS = int(os.environ.get("FILE_JOB_LEASE_SECONDS", "300"))
FILE_JOB_PROGRESS_EVERY = 5000
# The sessions export goes to the worker above these rows (Excel: also all time).
EXPORT_BACKGROUND_ROWS = 50_000
EXPORT_BACKGROUND_CSV_ROWS = 3_000_000
# An import of more rows is checked and saved by the worker.
IMPORT_BACKGROUND_ROWS = 2000

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
# Permissions-Policy on every response: the portal uses no camera, microphone, location,
# payment or device; passkeys (Web Authentication) are kept for the portal's own pages.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "bluetooth": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# Who hears about a security problem (/.well-known/security.txt): an address or a URL.
# Without it, the program's contact email (Program settings), else DEFAULT_FROM_EMAIL's.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "").strip()

# --- Health checks (portal/health/) -----------------------------------------------------
# /health/ready answers 503 when an email has waited this long for the worker: a worker
# that died shows. Several minutes, so a burst of reminders does not take servers out.
HEALTH_OUTBOX_MAX_AGE_SECONDS = int(os.environ.get("HEALTH_OUTBOX_MAX_AGE_SECONDS", "900"))

if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    # Probes from a load balancer often come over plain http to the server itself. They
    # are answered before SecurityMiddleware (portal/health/middleware.py); this says so
    # to anyone reading the settings, and holds if that middleware ever moves.
    SECURE_REDIRECT_EXEMPT = [r"^health/(live|ready)/?$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # __Host- cookies are only ever sent over https, to this host, for the whole site.
    SESSION_COOKIE_NAME = "__Host-portal-session"
    CSRF_COOKIE_NAME = "__Host-portal-csrf"

# --- Passkeys (WebAuthn: portal/security/passkeys.py) ---------------------------------
# A passkey is bound to a domain: the relying party id is SITE_URL's host, and a browser
# answer is accepted only from SITE_URL's origin. Browsers refuse passkeys for an IP
# address (the demo's http://127.0.0.1:8000): there the portal hides them and codes work.
# The name people see in their passkey manager is the program's name (ProgramSettings).
WEBAUTHN_RP_ID = urlsplit(SITE_URL).hostname or "localhost"
WEBAUTHN_ORIGIN = f"{urlsplit(SITE_URL).scheme}://{urlsplit(SITE_URL).netloc}"
# How long a password or passkey check counts for a security change (sudo mode).
FRESH_AUTH_SECONDS = 10 * 60
# --- end of Passkeys -------------------------------------------------------------------

# --- Backups --------------------------------------------------------------------------
# manage.py backup encrypts to these public keys (comma-separated paths, one key each):
# the server can write backups but not read them. See README, "Backups".
BACKUP_GPG_RECIPIENT_FILES = env_list("BACKUP_GPG_RECIPIENT_FILES")
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# How many of its own backups `manage.py backup` keeps in BACKUP_DIR (nightly: days).
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))

# --- Logging --------------------------------------------------------------------------
# One line per record; LOG_FORMAT=json writes one JSON object per line (time, level,
# logger, message, request_id), for log collectors joining the lines of several servers.
# Every handler redacts secrets and notes first (portal/security/logging.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"},
        "json": {"()": "portal.security.logging.JsonFormatter"},
    },
    "filters": {
        "redact": {"()": "portal.security.logging.RedactSecretsFilter"},
        "request_id": {"()": "portal.security.logging.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["redact", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Requests are logged by gunicorn; Django's own 4xx warnings would repeat them.
        "django.request": {"level": "ERROR"},
        # Twilio's client logs ten lines of headers per text at INFO; the worker logs each
        # text's outcome itself.
        "twilio.http_client": {"level": "WARNING"},
    },
}
