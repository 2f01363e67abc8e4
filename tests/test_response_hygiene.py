"""What a reviewer's scanner checks on every response: Permissions-Policy, security.txt,
a favicon, compressed pages, and a request id on every answer and every log line."""

import datetime as dt
import gzip
import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.utils import timezone

from portal.security.logging import JsonFormatter, RedactSecretsFilter, RequestIdFilter
from portal.security.middleware import HtmlGZipMiddleware
from tests.production_env import production_env
from tests.test_health import LIVE

SIGN_IN = "/accounts/sign-in/"
SECURITY_TXT = "/.well-known/security.txt"
DENIED = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth"]


def policy(response) -> dict[str, str]:
    items = (item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    return dict(items)


# --- Permissions-Policy -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [SIGN_IN, "/no-such-page/", LIVE, SECURITY_TXT])
def test_every_response_denies_devices_and_keeps_passkeys_for_the_portal(client, db, path):
    features = policy(client.get(path))
    for feature in DENIED:
        assert features[feature] == "()", feature
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"


def test_signed_in_pages_have_it_too(client_a):
    assert policy(client_a.get("/mentor/"))["camera"] == "()"


# --- security.txt ------------------------------------------------------------------------------


def fields(response) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in response.content.decode().splitlines())


def test_security_txt_has_the_fields_rfc_9116_asks_for(client, db, settings):
    settings.SITE_URL = "https://mentors.example.org"
    settings.SECURITY_CONTACT = ""
    settings.DEFAULT_FROM_EMAIL = "Riverbend Mentoring <mentors@example.org>"
    response = client.get(SECURITY_TXT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    found = fields(response)
    assert found["Contact"] == "mailto:mentors@example.org"
    assert found["Preferred-Languages"] == "en"
    assert found["Canonical"] == "https://mentors.example.org/.well-known/security.txt"
    expires = dt.datetime.strptime(found["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    ahead = expires - timezone.now()
    assert dt.timedelta(days=360) < ahead <= dt.timedelta(days=366)


def test_security_txt_names_the_programs_contact_email_when_set(client, program, settings):
    settings.SECURITY_CONTACT = ""
    program.contact_email = "coordinator@riverbend.example.org"
    program.save()
    assert fields(client.get(SECURITY_TXT))["Contact"] == "mailto:coordinator@riverbend.example.org"


@pytest.mark.parametrize(
    ("setting", "contact"),
    [
        ("security@district.example.org", "mailto:security@district.example.org"),
        ("https://district.example.org/report", "https://district.example.org/report"),
    ],
)
def test_security_contact_setting_comes_first(client, program, settings, setting, contact):
    program.contact_email = "coordinator@riverbend.example.org"
    program.save()
    settings.SECURITY_CONTACT = setting
    assert fields(client.get(SECURITY_TXT))["Contact"] == contact


def test_security_contact_is_read_from_the_environment():
    code = "from django.conf import settings; print(settings.SECURITY_CONTACT)"
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=production_env(SECURITY_CONTACT="security@district.example.org"),
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "security@district.example.org"


# --- Favicon -----------------------------------------------------------------------------------


def test_favicon_ico_leads_to_the_svg_and_every_page_links_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    page = client.get(SIGN_IN).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_the_favicon_is_an_svg_with_nothing_the_content_security_policy_refuses():
    from django.contrib.staticfiles import finders

    text = Path(finders.find("favicon.svg")).read_text()
    assert text.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert "<script" not in text and "href" not in text and "style" not in text


# --- Compression -------------------------------------------------------------------------------


def test_pages_are_compressed_when_the_browser_asks(client, db):
    response = client.get(SIGN_IN, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<!doctype html>" in gzip.decompress(response.content)


def test_pages_are_not_compressed_when_the_browser_does_not_ask(client, db):
    response = client.get(SIGN_IN)
    assert not response.has_header("Content-Encoding")
    assert response.content.startswith(b"<!doctype html>")


def test_downloads_are_sent_as_they_are(rf):
    def download(request):
        response = HttpResponse("mentor,hours\n" * 100, content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="hours.csv"'
        return response

    request = rf.get("/export/", HTTP_ACCEPT_ENCODING="gzip")
    response = HtmlGZipMiddleware(download)(request)
    assert not response.has_header("Content-Encoding")
    page = HtmlGZipMiddleware(lambda r: HttpResponse("<p>x</p>" * 100))(request)
    assert page["Content-Encoding"] == "gzip"  # the same request, for a page


# --- Request ids --------------------------------------------------------------------------------

HEX_ID = re.compile(r"[0-9a-f]{32}")
PROXY_ID = "4f1c2b8e-9d3a-4c55-a0b1-77e2d6f3c9aa"


@pytest.fixture
def json_log():
    """The portal's JSON log, as LOG_FORMAT=json configures it, into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = logging.getLogger("portal.errors").level
    logging.getLogger("portal.errors").setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        logging.getLogger("portal.errors").setLevel(old_level)


def test_every_answer_has_a_new_request_id(client, db):
    first = client.get(SIGN_IN)["X-Request-ID"]
    second = client.get(SIGN_IN)["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


def test_a_log_line_is_one_json_object_with_the_request_id(client, db, json_log):
    response = client.get("/no-such-page/?token=abc")
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    line = next(entry for entry in lines if entry["logger"] == "portal.errors")
    assert set(line) == {"time", "level", "logger", "message", "request_id"}
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "INFO"
    assert "404 GET /no-such-page/" in line["message"]
    assert dt.datetime.fromisoformat(line["time"]).tzinfo is not None


def test_json_lines_are_redacted_and_stay_one_line(json_log):
    logging.getLogger("portal.test").warning("reset password=hunter2\nforged line")
    (line,) = json_log.getvalue().splitlines()
    entry = json.loads(line)
    assert "hunter2" not in line and "[redacted]" in entry["message"]
    assert entry["request_id"] == "-"  # outside a request


def test_a_traceback_goes_into_the_json_line_without_its_message(json_log):
    typed = "Jane said her uncle locks her out"
    try:
        raise ValueError(typed)
    except ValueError:
        logging.getLogger("portal.test").exception("it failed")
    entry = json.loads(json_log.getvalue())
    assert "ValueError (message left out of the log)" in entry["exception"]
    assert typed not in json_log.getvalue()


def test_log_format_json_is_what_the_settings_configure():
    code = (
        "import django; django.setup(); import logging; "
        "logging.getLogger('portal.test').warning('sign-in code=123456')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=production_env(LOG_FORMAT="json"),
        capture_output=True,
        text=True,
    )
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["logger"] == "portal.test" and entry["level"] == "WARNING"
    assert "123456" not in result.stderr and entry["request_id"] == "-"


def test_a_trusted_proxys_request_id_is_kept(client, db, settings, json_log):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get("/no-such-page/", REMOTE_ADDR="10.0.0.7", HTTP_X_REQUEST_ID=PROXY_ID)
    assert response["X-Request-ID"] == PROXY_ID
    assert f'"request_id": "{PROXY_ID}"' in json_log.getvalue()


def test_anyone_elses_request_id_is_replaced(client, db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get(SIGN_IN, REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID=PROXY_ID)
    assert HEX_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize("value", ["short", "has space in it", "line\r\nbreak-1234", "x" * 200])
def test_a_request_id_that_could_forge_a_line_is_replaced_even_from_the_proxy(
    client, db, settings, value
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get(SIGN_IN, REMOTE_ADDR="10.0.0.7", HTTP_X_REQUEST_ID=value)
    assert HEX_ID.fullmatch(response["X-Request-ID"])
