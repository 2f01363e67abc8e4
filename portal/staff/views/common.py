"""What the staff pages share: paging and the administrators' check."""

from django.core.paginator import Paginator
from django.http import HttpRequest

from portal.accounts.decorators import role_required
from portal.lib.query import query_int

admin_required = role_required("is_administrator")
PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(query_int(request, "page"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
