from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.accounts.decorators import staff_required


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts from."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_mentor:
        return redirect("mentoring:home")
    if user.is_site_contact:
        return redirect("safeguarding:site_home")
    if user.is_program_staff:
        return redirect("staff:dashboard")
    return login_required(lambda r: HttpResponse(status=403))(request)


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The staff workspace replaced this page; old bookmarks land on its dashboard."""
    return redirect("staff:dashboard")
