"""One page of a list, keeping the filters in the pager's links: shared by the staff
workspace and the apps' own staff pages (readiness), so neither imports the other."""

from dataclasses import asdict

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.lib.query import query_int

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(query_int(request, "page"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def render_list(
    request: HttpRequest, template: str, rows, *, filters=None, **context
) -> HttpResponse:
    """One page of ``rows``, with the filters as asked for (so the form shows them again) and
    the address without its page number (so the pager keeps the filters)."""
    return render(
        request,
        template,
        {
            "page": paginate(request, rows),
            **(asdict(filters) if filters is not None else {}),
            **context,
            "query": query_without_page(request),
        },
    )
