"""Fresh sign-in checks ("sudo mode") before a security change.

Turning two-step sign-in on or off, making new recovery codes, adding or removing a
passkey and changing one's email each need a password or passkey check within the last
``FRESH_AUTH_SECONDS`` (10 minutes). Signing in with a password counts as one. Every such
view is wrapped in ``fresh_auth_required``, which sends the person to the one confirm page
(``security:confirm``) and back, so every change goes the same way.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

CHECKED_AT = "_fresh_auth_at"


def seconds() -> int:
    return int(getattr(settings, "FRESH_AUTH_SECONDS", 10 * 60))


def mark(request: HttpRequest) -> None:
    """The person just proved it is them (password or passkey)."""
    request.session[CHECKED_AT] = timezone.now().timestamp()


def is_fresh(request: HttpRequest) -> bool:
    checked = request.session.get(CHECKED_AT)
    if not isinstance(checked, (int, float)):
        return False
    age = timezone.now().timestamp() - checked
    return age <= seconds()


def confirm_url(next_url: str) -> str:
    return f"{reverse('security:confirm')}?{urlencode({'next': next_url})}"


def fresh_auth_required(
    view: Callable[..., HttpResponse] | None = None, *, methods: tuple[str, ...] = ()
):
    """Without a recent check, a GET goes to the confirm page and comes back to the same
    address; a POST is not carried out and goes back, through the confirm page, to the
    page its form is on (the same address, or the form's ``back`` field).

    ``methods=("POST",)`` leaves a page that only shows things open to a GET.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if (methods and request.method not in methods) or is_fresh(request):
                return view(request, *args, **kwargs)
            if request.method == "GET":
                return redirect(confirm_url(request.get_full_path()))
            back = request.POST.get("back") or request.path
            if not back.startswith("/") or back.startswith("//"):
                back = reverse("security:account")
            return redirect(confirm_url(back))

        return wrapper

    return decorate(view) if view is not None else decorate
