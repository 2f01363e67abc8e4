from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import staff_required
from portal.accounts.email_change import TAKEN, EmailChangeForm
from portal.accounts.email_change import email_change as email_change_service
from portal.security.fresh import fresh_auth_required


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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@fresh_auth_required
def email_change(request: HttpRequest) -> HttpResponse:
    """Change one's own sign-in email (after a fresh password or passkey check)."""
    user = request.user
    if user.is_site_contact:
        # A school contact's email is on the school's contact card, kept by staff.
        return render(request, "accounts/email_change.html", {"site_contact": True})
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        program = getattr(request, "program", None)
        changed = email_change_service(
            user=user,
            new_email=form.cleaned_data["email"],
            program_name=getattr(program, "name", "") or "Mentor Portal",
        )
        if changed:
            messages.success(
                request,
                _(
                    "Your email is now %(email)s. Use it to sign in. We told your old "
                    "address about the change."
                )
                % {"email": user.email},
            )
            return redirect("security:account")
        form.add_error("email", TAKEN)
    return render(request, "accounts/email_change.html", {"form": form, "current": user.email})
