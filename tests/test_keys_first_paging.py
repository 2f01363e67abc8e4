"""A deep page of a long list reads its keys first, from the nearer end of the list: every
page holds exactly the rows of the plain pager, in the same order, ties on the sort
included; a first page is read directly in one query."""

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Role, User
from portal.lib.paging import KeysFirstPaginator


class EveryPageKeysFirst(KeysFirstPaginator):
    keys_first_from = 0


def people(db_count: int = 53):
    User.objects.bulk_create(
        User(email=f"p{n:03d}@example.org", full_name=f"Name {n % 7}", role=Role.MENTOR)
        for n in range(db_count)
    )
    # Names repeat: the order is total only with the key at the end.
    return User.objects.filter(email__startswith="p").order_by("-full_name", "pk")


def test_every_page_holds_the_plain_pagers_rows(db):
    rows = people()
    plain = Paginator(rows, 5)
    keys_first = EveryPageKeysFirst(rows, 5)
    assert keys_first.num_pages == plain.num_pages == 11
    for number in plain.page_range:
        expected = [user.pk for user in plain.page(number)]
        assert [user.pk for user in keys_first.page(number)] == expected, number


def test_a_deep_page_costs_two_queries_and_a_first_page_one(db):
    rows = people()
    pager = KeysFirstPaginator(rows, 5)
    pager.keys_first_from = 20
    pager.count  # counted once, as the page's pager does  # noqa: B018
    with CaptureQueriesContext(connection) as first:
        list(pager.page(1))
    with CaptureQueriesContext(connection) as deep:
        list(pager.page(9))
    assert (len(first), len(deep)) == (1, 2)
