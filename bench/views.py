"""The page ceiling: the least a Django page can do, through the portal's whole middleware."""

from django.http import HttpRequest, HttpResponse

from portal.mentoring.models import SchoolSite


def ceiling(request: HttpRequest, pk: int) -> HttpResponse:
    """One primary-key query and a few bytes of text: no template, no session read."""
    name = SchoolSite.objects.values_list("name", flat=True).get(pk=pk)
    return HttpResponse(name, content_type="text/plain; charset=utf-8")
