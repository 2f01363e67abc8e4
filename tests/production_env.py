"""The environment of a production server, for tests that start one in a subprocess.

With HTTPS=on the settings refuse to start without every one of these
(portal/health/startup.py); nothing here connects anywhere: the commands these tests run
never open the database or send an email.
"""

import os

PRODUCTION_ENV = {
    "HTTPS": "on",
    "SECRET_KEY": "a-production-secret-" + "x" * 60,
    "DATABASE_URL": "postgres://portal@db.invalid:5432/portal",
    "SITE_URL": "https://mentors.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Riverbend Mentoring <mentors@example.org>",
    "ALLOWED_HOSTS": "mentors.example.org",
}

# Set by the test run, never by a production server.
TEST_ONLY = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}


def production_env(**extra: str) -> dict[str, str]:
    """This process's environment without the test run's own variables, plus a complete
    production configuration and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="portal.settings", **extra)
    return env
