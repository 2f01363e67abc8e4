"""No address can break a page: query parameters with control characters get the 400
page, and huge, repeated or nonsense values are read as nothing (portal/lib/query.py).

Every page of the URL configuration that answers GET is requested with each parameter
any view reads, so a new list or export is covered without a new test.
"""

import pytest
from django.db import transaction
from django.test import RequestFactory

from portal.lib.query import query_bool, query_choice, query_int, query_items, query_text
from tests.page import read_page
from tests.security_world import PERSONAS, build_world
from tests.test_authorization_matrix import MATRIX, url_for

# Every name a view reads from request.GET (grep "query_" portal/), and a few it does not.
KEYS = [
    "q", "mentor", "include_children", "page", "site", "month", "status", "show", "start",
    "end", "type", "interaction", "emails", "state", "topic", "match", "saved", "changed",
    "next", "attendance", "reviewed", "late", "flagged", "report", "file_format", "coordinator",
    "date_from", "date_to", "action", "who", "object_type",
]  # fmt: skip
HUGE_TEXT = "x" * 5000
HUGE_NUMBER = "9" * 5000

EXPORTS = [
    "report=sessions&file_format=csv&include_children=on",
    "report=sessions&file_format=xlsx&include_children=on",
    "report=compliance&file_format=xlsx",
    "report=hours&file_format=csv",
    "report=match_length&file_format=csv",
    "report=checkin_compliance&file_format=xlsx",
    "report=closure_reasons&file_format=csv",
    "report=match_strength&file_format=xlsx",
]


def _get_pages() -> list[tuple[str, str]]:
    """(URL name, a persona that may open it) for every page that answers GET with 200."""
    pages = []
    for name, row in MATRIX.items():
        answers = row.get("GET", ())
        for persona, answer in zip(PERSONAS, answers, strict=False):
            if answer == 200:
                pages.append((name, persona))
                break
    return pages


PAGES = _get_pages()


def _get(client, url: str):
    # A savepoint each, so that on PostgreSQL one failed query cannot hide the next one.
    with transaction.atomic():
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(("name", "persona"), PAGES, ids=[name for name, _ in PAGES])
def test_no_page_fails_on_a_strange_query_parameter(db, request, name, persona):
    world = build_world(request)
    client = world.client(persona)
    url = url_for(name, world)
    failed = []
    # Every key at once: each view reads its own independently (the forms of the session
    # list and the export are tried key by key below).
    for value in (HUGE_TEXT, HUGE_NUMBER, "-1", "1e9", "%C3%28"):
        response = _get(client, f"{url}?" + "&".join(f"{key}={value}" for key in KEYS))
        if response.status_code >= 500:
            failed.append(f"{value[:8]}: {response.status_code}")
    response = _get(client, f"{url}?" + "&".join(f"{k}=1&{k}={HUGE_NUMBER}&{k}=" for k in KEYS))
    if response.status_code >= 500:
        failed.append(f"each key three times: {response.status_code}")

    assert not failed, f"{url}: " + "; ".join(failed)


@pytest.mark.parametrize("key", KEYS)
def test_the_session_list_reads_each_strange_parameter_as_nothing(db, request, key):
    world = build_world(request)
    client = world.client("staff_user")

    for value in (HUGE_TEXT, HUGE_NUMBER):
        response = _get(client, f"/staff/sessions/?{key}={value}")

        assert response.status_code == 200, key


@pytest.mark.parametrize(("name", "persona"), PAGES, ids=[name for name, _ in PAGES])
def test_a_control_character_in_the_address_gets_the_400_page(db, request, name, persona):
    world = build_world(request)
    client = world.client(persona)
    url = url_for(name, world)

    for value in ("%00", "%0b", "ok%0c", "%1b[31m"):
        response = _get(client, f"{url}?q={value}&mentor={value}")

        assert response.status_code == 400, f"{url}?q={value}"
        page = read_page(response)
        assert "Something was not right with that request" in page.text
        assert response["X-Error-Id"] in page.text


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize(
    "extra",
    [
        "mentor=%00",
        "include_children=%00",
        "q=%00",
        "page=%00",
        "site=%0b",
        "month=%00",
        "date_from=%00",
        "date_to=2025-10-01%0b",
    ],
)
def test_an_export_with_a_control_character_gets_the_400_page(db, request, export, extra):
    world = build_world(request)
    client = world.client("staff_user")

    response = _get(client, f"/staff/export/?{export}&{extra}")

    assert response.status_code == 400
    assert "Something was not right" in read_page(response).text


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("key", KEYS)
def test_an_export_with_a_huge_value_downloads_or_explains(db, request, export, key):
    world = build_world(request)
    client = world.client("staff_user")

    for value in (HUGE_TEXT, HUGE_NUMBER):
        response = _get(client, f"/staff/export/?{export}&{key}={value}")

        assert response.status_code in (200, 400), key
        if response.status_code == 400:
            assert "There is a problem" in read_page(response).text


# --- The readers, one by one -----------------------------------------------------------


def _request(query: str):
    return RequestFactory().get(f"/?{query}")


def test_a_number_is_only_digits_and_not_too_many():
    assert query_int(_request("site=12"), "site") == 12
    assert query_int(_request("site=%2012%20"), "site") == 12
    for value in ("-1", "1e9", "12a", "", "\u0661\u0662", "²", "9" * 10, "9" * 5000):
        assert query_int(_request(f"site={value}"), "site") is None, value
    assert query_int(_request(""), "site") is None


def test_a_parameter_given_twice_counts_once_with_its_last_value():
    assert query_int(_request("site=1&site=2"), "site") == 2
    assert query_text(_request("q=ann&q=bob"), "q") == "bob"


def test_a_text_is_trimmed_on_one_line_and_cut_to_the_limit():
    assert query_text(_request("q=%20ann%0Alee%20"), "q") == "ann lee"
    assert len(query_text(_request("q=" + "x" * 5000), "q")) == 200
    assert query_text(_request(""), "q", "open") == "open"


def test_a_choice_is_one_of_the_list_or_the_default():
    assert query_choice(_request("show=all"), "show", ["open", "all"], "open") == "all"
    assert query_choice(_request("show=ALL"), "show", ["open", "all"], "open") == "open"
    assert query_choice(_request(""), "show", ["open", "all"], "open") == "open"


def test_a_flag_is_yes_only_when_it_says_so():
    assert query_bool(_request("saved=1"), "saved")
    assert query_bool(_request("saved=on"), "saved")
    assert not query_bool(_request("saved=0"), "saved")
    assert not query_bool(_request("saved="), "saved")


def test_the_audit_copy_of_a_query_is_short_text():
    items = query_items(_request("month=2026-10&q=" + "x" * 5000))

    assert items == {"month": "2026-10", "q": "x" * 200}
