"""Values read from the address bar (``request.GET``): typed, pasted, bookmarked or forged
by anyone, so each is read as what the view expects or not at all.

Every view reads its query parameters through these, so no list or export can fail on
``?site=<5,000 digits>`` or a value the database refuses. A query string holding control
characters never gets this far: ``QueryTextMiddleware`` (portal.security.middleware)
answers it with the 400 page.

A parameter given twice counts once, with its last value (as ``QueryDict.get``).
"""

import re
from collections.abc import Iterable

from django.http import HttpRequest

from portal.lib.text import QUERY_TEXT_MAX, clean_text

# Record numbers and page numbers: at most 9 digits (below every integer column's limit).
_NUMBER = re.compile(r"[0-9]{1,9}")
_TRUE = frozenset(["1", "on", "yes", "true"])


def query_text(
    request: HttpRequest, name: str, default: str = "", *, max_length: int = QUERY_TEXT_MAX
) -> str:
    """A search or other free text: on one line, trimmed, at most ``max_length``."""
    value = request.GET.get(name)
    if value is None:
        return default
    return clean_text(value, multiline=False).strip()[:max_length]


def query_int(request: HttpRequest, name: str) -> int | None:
    """A record or page number, or None for anything else (words, signs, huge numbers)."""
    value = (request.GET.get(name) or "").strip()
    return int(value) if _NUMBER.fullmatch(value) else None


def query_choice(request: HttpRequest, name: str, choices: Iterable[str], default: str) -> str:
    """One of ``choices``, or ``default`` when the value is missing or not among them."""
    value = request.GET.get(name)
    return value if value is not None and value in set(choices) else default


def query_bool(request: HttpRequest, name: str) -> bool:
    """A yes/no flag: ``1``, ``on``, ``yes`` or ``true`` is yes, anything else no."""
    return (request.GET.get(name) or "").strip().lower() in _TRUE


def query_items(request: HttpRequest) -> dict[str, str]:
    """Every parameter once, as short text: for the audit trail of a download."""
    return {
        clean_text(key, multiline=False)[:QUERY_TEXT_MAX]: query_text(request, key)
        for key in request.GET
    }
