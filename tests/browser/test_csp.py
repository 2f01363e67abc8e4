"""Under the Content Security Policy, pages (the admin's included) load with no violation:
Chromium reports none on the console and none as a securitypolicyviolation event."""

from django.test import Client

from tests.browser.helpers import sign_in

VIOLATION_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def watch(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(VIOLATION_WATCH)
    return messages


def visit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, url
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    return page.evaluate("window.__cspViolations")


def test_mentor_pages_load_without_csp_violations(page, live_server, mentor_a, match_a):
    console = watch(page)
    sign_in(page, live_server, mentor_a.email)
    for path in ["/mentor/", "/sessions/new/", "/sessions/", "/help/", "/contact/"]:
        assert visit(page, live_server.url + path) == [], path
    assert visit(page, live_server.url + "/accounts/two-step/set-up/") == []
    assert page.locator("svg.qr-code").is_visible()
    assert console == []


def test_the_admin_works_under_the_policy(page, live_server, admin_user):
    console = watch(page)
    client = Client()
    client.force_login(admin_user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for path in [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{admin_user.pk}/change/",
    ]:
        assert visit(page, live_server.url + path) == [], path
    # The admin's own scripts ran (the theme toggle is added by admin/js/theme.js).
    assert page.locator("#changelist-search, form").first.is_visible()
    assert console == []
