"""Which databases the demo and the benchmark may fill, and the benchmark may empty.

``load_demo`` adds a made-up program and ``bench_data --reset`` empties every program
table: pointed at a program's real database by mistake, either would mix invented
children with real ones or erase them. Both run only on a throwaway database.

The marker is the people in it. Every account and school contact of the demo and of the
benchmark has an address at example.org (or below it, like bench.example.org), and so do
the tests'; example.org, example.com and example.net are reserved for examples (RFC
2606), so no real person can have one, while a program's database has at least its own
staff at a real address. A database is throwaway when nobody in it has a real address: an
empty one, or one the demo or the benchmark built, so both can run again on their own.
"""

from django.db.models import Q

from portal.accounts.models import User
from portal.mentoring.models import SiteContact

RESERVED_DOMAINS = ("example.org", "example.com", "example.net")


class NotThrowaway(Exception):
    """The database holds real people: the command must not touch it."""


def _reserved(field: str = "email") -> Q:
    query = Q()
    for domain in RESERVED_DOMAINS:
        query |= Q(**{f"{field}__iendswith": f"@{domain}"})
        query |= Q(**{f"{field}__iendswith": f".{domain}"})
    return query


def real_addresses(using: str = "default") -> int:
    """How many accounts and school contacts have an address outside the reserved domains."""
    accounts = User.objects.using(using).exclude(_reserved()).count()
    return accounts + SiteContact.objects.using(using).exclude(_reserved()).count()


def ensure_throwaway(command: str, using: str = "default") -> None:
    """Raise ``NotThrowaway`` (with what to do) unless the database is a throwaway one."""
    found = real_addresses(using)
    if found:
        people = "person" if found == 1 else "people"
        raise NotThrowaway(
            f"This database holds {found:,} {people} with a real email address, so it is not "
            f"a demo or benchmark database: {command} runs only on an empty database or on "
            "one the demo or the benchmark built. Point DATABASE_URL (or SQLITE_PATH) at "
            "another database."
        )
