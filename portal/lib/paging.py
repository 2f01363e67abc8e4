"""One page of a list, keeping the filters in the pager's links: shared by the staff
workspace and the apps' own staff pages (readiness), so neither imports the other."""

from dataclasses import asdict

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.lib.query import query_int

PAGE_SIZE = 50


class KeysFirstPaginator(Paginator):
    """For a long list in the order of an index that holds its keys (the sessions: a
    million entries). A page reads its keys first, from whichever end of the list is
    nearer, so that a deep page skips index entries only (an index-only scan), never
    whole rows with their joins; then the rows of those keys, in one query.

    The list's order must be total (end on the primary key): read from the far end, it is
    the exact reverse. The first pages, the ones mostly read, are read directly: one query,
    as the administration site does for a list of one page."""

    # Pages that start before this row are read directly (skipping that few costs little).
    keys_first_from = 1000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.keys_first_from:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom > self.count - top:  # nearer the end: count from there
            keys = list(
                rows.reverse().values_list("pk", flat=True)[self.count - top : self.count - bottom]
            )
            keys.reverse()
        else:
            keys = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.filter(pk__in=keys).order_by()}
        return self._get_page([found[key] for key in keys if key in found], number, self)


def paginate(request: HttpRequest, queryset, *, paginator_class=Paginator):
    return paginator_class(queryset, PAGE_SIZE).get_page(query_int(request, "page"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def render_list(
    request: HttpRequest,
    template: str,
    rows,
    *,
    filters=None,
    paginator_class=Paginator,
    **context,
) -> HttpResponse:
    """One page of ``rows``, with the filters as asked for (so the form shows them again) and
    the address without its page number (so the pager keeps the filters)."""
    return render(
        request,
        template,
        {
            "page": paginate(request, rows, paginator_class=paginator_class),
            **(asdict(filters) if filters is not None else {}),
            **context,
            "query": query_without_page(request),
        },
    )
