"""Fixtures for the email tests: a real SMTP server on localhost, and test templates."""

import pytest

from tests.smtp_server import SMTPTestServer

TEMPLATES = {
    "test-greeting-subject.txt": "Hello {{ name }}\nfrom {{ program_name }}\n",
    "test-greeting-body.txt": "Dear {{ name }},\n\nYour sessions: {{ site_url }}/sessions/\n",
    "test-greeting-body.html": (
        '<p>Dear {{ name }},</p><p><a href="{{ site_url }}/sessions/">Your sessions</a></p>'
    ),
}


@pytest.fixture
def email_templates(settings, tmp_path):
    """emails/test-greeting-*: a name, the program name and the site link."""
    folder = tmp_path / "emails"
    folder.mkdir()
    for name, text in TEMPLATES.items():
        (folder / name).write_text(text)
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return "test-greeting"


@pytest.fixture
def smtp_server():
    server = SMTPTestServer().start()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def smtp(settings, smtp_server) -> SMTPTestServer:
    """Django's SMTP backend, pointed at the test server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return smtp_server
