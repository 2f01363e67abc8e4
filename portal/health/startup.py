"""What a server needs before it may start, read from the environment alone.

Used by ``portal/settings.py`` (every process that imports the settings: gunicorn's
workers, ``manage.py run_worker``, every command), by ``manage.py`` and by
``gunicorn.conf.py``, which stop early with the plain message instead of a traceback.
Nothing here imports Django's settings, so it can run before them.

With ``HTTPS=on`` the portal is a production server: it refuses to start on the demo's
stand-ins (a private SQLite file, a key of its own, emails written to files, the loopback
host names). Without ``HTTPS`` nothing is required, and ``prepare_local_files`` makes the
demo's folder and key (``manage.py`` calls it; importing the settings never does).
"""

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")
README_SECTION = 'README.md, "Settings a production server must have"'


class UnsafeToStart(ImproperlyConfigured):
    """HTTPS is on but the settings of a production server are missing."""


def flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def names(env: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def var_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where the demo keeps its database, key and emails (``PORTAL_VAR_DIR``)."""
    return Path(env.get("PORTAL_VAR_DIR") or BASE_DIR / "var")


def problems(env: Mapping[str, str] = os.environ) -> list[str]:
    """Each missing or unsafe production setting, with what to set. Empty without HTTPS."""
    if not flag(env, "HTTPS"):
        return []
    found = []
    if not env.get("SECRET_KEY", "").strip():
        found.append(
            "SECRET_KEY is not set. Set a long random string, the same on every server: "
            'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    database = env.get("DATABASE_URL", "").strip()
    if not database:
        found.append(
            "DATABASE_URL is not set. Set the PostgreSQL address, for example "
            "postgres://portal@db.internal:5432/portal"
        )
    elif not database.lower().startswith(POSTGRES_SCHEMES):
        found.append(
            "DATABASE_URL is not a PostgreSQL address (postgres://...). Production runs on "
            "PostgreSQL only."
        )
    site = env.get("SITE_URL", "").strip()
    if not site.lower().startswith("https://") or len(site) <= len("https://"):
        found.append(
            "SITE_URL is not an https address. Set the address people open, used in "
            "every email's links, for example https://mentors.example.org"
        )
    if not env.get("EMAIL_HOST", "").strip():
        found.append(
            "EMAIL_HOST is not set. Set your mail server (and EMAIL_HOST_USER, "
            "EMAIL_HOST_PASSWORD, EMAIL_PORT if it needs them); without it emails would "
            "be written to files on this server."
        )
    if not env.get("DEFAULT_FROM_EMAIL", "").strip():
        found.append(
            "DEFAULT_FROM_EMAIL is not set. Set the sender of every email, for example "
            '"Riverbend Mentoring <mentors@example.org>"'
        )
    sms = env.get("SMS_BACKEND", "off").strip()
    if sms == "console":
        found.append(
            "SMS_BACKEND is console, which writes mentors' numbers and texts to the log. "
            "Set twilio (with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM) or off."
        )
    elif sms == "twilio":
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM")
            if not env.get(name, "").strip()
        ]
        if missing:
            found.append(
                f"SMS_BACKEND is twilio but {', '.join(missing)} is not set. Set the account, "
                "its auth token and the sending number from Twilio's console."
            )
    elif sms not in ("off", ""):
        found.append(f"SMS_BACKEND is {sms!r}. Set twilio to send text messages, or off.")
    hosts = names(env, "ALLOWED_HOSTS")
    if not hosts or set(hosts) <= LOOPBACK_HOSTS:
        found.append(
            "ALLOWED_HOSTS is not set. Set the host names people use, comma-separated, "
            "for example mentors.example.org"
        )
    elif "*" in hosts:
        found.append(
            "ALLOWED_HOSTS is *, which accepts any Host header. List the host names people "
            "use, comma-separated."
        )
    return found


def message(found: list[str]) -> str:
    lines = [
        "Mentor Portal will not start: HTTPS is on, but these production settings are "
        "missing or unsafe:",
        *(f"  - {problem}" for problem in found),
        f"Set them in the environment of the web servers and the worker (see {README_SECTION}),",
        "or leave HTTPS unset to run the demo.",
    ]
    return "\n".join(lines)


def refuse_if_unsafe(env: Mapping[str, str] = os.environ) -> None:
    """Raise ``UnsafeToStart`` naming every missing setting (settings.py calls this)."""
    found = problems(env)
    if found:
        raise UnsafeToStart(message(found))


def exit_if_unsafe(env: Mapping[str, str] = os.environ) -> None:
    """Print the message and exit 1, with no traceback (manage.py and gunicorn.conf.py)."""
    found = problems(env)
    if found:
        print(message(found), file=sys.stderr)
        raise SystemExit(1)


def demo_key_path(env: Mapping[str, str] = os.environ) -> Path:
    return var_dir(env) / "secret_key"


def read_demo_key(env: Mapping[str, str] = os.environ) -> str | None:
    """The demo's key from ``var/secret_key``, if ``prepare_local_files`` made one."""
    try:
        return demo_key_path(env).read_text().strip() or None
    except FileNotFoundError:
        return None


def prepare_local_files(env: Mapping[str, str] = os.environ) -> None:
    """The demo's folder and its key, so sessions survive restarts and every gunicorn
    worker signs with the same key. Nothing to do on a production server (HTTPS on, or a
    SECRET_KEY of its own)."""
    if flag(env, "HTTPS") or env.get("SECRET_KEY", "").strip():
        return
    folder = var_dir(env)
    folder.mkdir(parents=True, exist_ok=True)
    path = demo_key_path(env)
    try:
        # Created private, so the key is never readable by others, even for a moment;
        # O_EXCL: of two commands started at once, one writes it and both read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
