from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.accounts.decorators import site_contact_required, staff_required
from portal.mentoring.models import SiteContact
from portal.safeguarding.access import concerns_visible_to


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts from."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_mentor:
        return redirect("mentoring:home")
    if user.is_site_contact:
        return redirect("accounts:site_home")
    if user.is_program_staff:
        return redirect("staff:dashboard")
    return login_required(lambda r: HttpResponse(status=403))(request)


@site_contact_required
def site_contact_home(request: HttpRequest) -> HttpResponse:
    contacts = SiteContact.objects.filter(user=request.user).select_related("site")
    return render(
        request,
        "accounts/site_home.html",
        {
            "contacts": contacts,
            "open_concerns": concerns_visible_to(request.user).open().count(),
        },
    )


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The staff workspace replaced this page; old bookmarks land on its dashboard."""
    return redirect("staff:dashboard")
