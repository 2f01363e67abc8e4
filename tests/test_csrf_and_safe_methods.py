"""Every form refuses a POST without its CSRF token and changes nothing; no GET changes
data, for any URL of the authorization matrix and any persona (ASVS 5.0 V3.5)."""

import pytest
from django.db import transaction

from tests.security_world import PERSONAS, build_world, session_form_data, snapshot
from tests.test_authorization_matrix import MATRIX, url_for

# Known defects, kept visible: strict, so each turns into a failure once it is fixed.
GETS_THAT_WRITE: dict[str, str] = {}
POST_URLS = [name for name, row in MATRIX.items() if "POST" in row]
GET_URLS = [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=GETS_THAT_WRITE[name]))
    if name in GETS_THAT_WRITE
    else name
    for name, row in MATRIX.items()
    if "GET" in row
]


def form_data(name: str, world) -> dict:
    data = MATRIX[name].get("data", {})
    if data == "session_form":
        return session_form_data(world)
    return data


@pytest.mark.parametrize("name", POST_URLS)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(db, request, name):
    world = build_world(request)
    url = url_for(name, world)
    for persona in PERSONAS:
        client = world.client(persona, enforce_csrf_checks=True)
        before = snapshot()
        response = client.post(url, form_data(name, world))
        assert response.status_code == 403, f"{persona} POST {url}: {response.status_code}"
        assert snapshot() == before, f"{persona} POST {url} without a token changed data"


def test_the_same_post_with_the_token_is_accepted(db, request):
    """The refusal above is the token's doing: with it, the same form saves."""
    world = build_world(request)
    client = world.client("mentor_a", enforce_csrf_checks=True)
    page = client.get(url_for("mentoring:session_create", world))
    token = page.cookies["csrftoken"].value
    data = {**session_form_data(world), "csrfmiddlewaretoken": token}
    response = client.post(url_for("mentoring:session_create", world), data)
    assert response.status_code == 302


@pytest.mark.parametrize("name", GET_URLS)
def test_no_get_changes_data(db, request, name):
    world = build_world(request)
    url = url_for(name, world)
    for persona in PERSONAS:
        client = world.client(persona)
        before = snapshot()
        savepoint = transaction.savepoint()
        client.get(url)
        after = snapshot()
        transaction.savepoint_rollback(savepoint)
        changed = [label for label in before if before[label] != after.get(label)]
        assert not changed, f"{persona} GET {url} changed {changed}"
