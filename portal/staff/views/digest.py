"""The staff member's own setting for the Monday digest email."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import staff_required
from portal.mentoring import digest


@staff_required
@require_http_methods(["GET", "POST"])
def digest_preference(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        enabled = request.POST.get("weekly_digest") == "on"
        digest.digest_set_enabled(user=request.user, enabled=enabled)
        messages.success(
            request,
            "The weekly digest is on." if enabled else "The weekly digest is off.",
        )
        return redirect("staff:digest_preference")
    return render(request, "staff/digest_preference.html", {"enabled": request.user.weekly_digest})
