"""Passkey pages: the list (add, remove), the options the browser asks for, and the one
confirm page every security change passes through when the last check is not fresh."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from portal.audit.services import log_action
from portal.security import fresh, passkeys, recovery, sessions, throttle, totp
from portal.security.fresh import fresh_auth_required
from portal.security.views import (
    _mark_verified,
    _next_url,
    _show_new_codes,
    check_passkey,
    locked_message,
)

JSON = "application/json"


def may_manage_passkeys(request: HttpRequest) -> bool:
    """Passkeys can be managed once this session passed its second step, or, for a
    person with no second step at all yet, to make a passkey their first one."""
    if request.session.get(sessions.CODE_OK) == request.user.pk:
        return True
    return not totp.has_second_step(request.user)


def _passkey_page_context(request: HttpRequest, **extra) -> dict:
    return {
        "passkeys": list(passkeys.passkeys_of(request.user)),
        "available": passkeys.available(),
        "app_on": totp.is_enabled(request.user),
        "name_max": passkeys.NAME_MAX,
        **extra,
    }


@never_cache
@login_required
@fresh_auth_required
def passkey_list(request: HttpRequest) -> HttpResponse:
    """The person's passkeys (name, added, last used), a way to add one and to remove one."""
    if not may_manage_passkeys(request):
        return redirect("security:verify")
    return render(request, "security/passkeys.html", _passkey_page_context(request))


@never_cache
@login_required
@require_POST
@fresh_auth_required
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    if not may_manage_passkeys(request) or not passkeys.available():
        return HttpResponse(
            '{"error": "Passkeys cannot be added here."}', status=403, content_type=JSON
        )
    return HttpResponse(passkeys.registration_options(request), content_type=JSON)


@never_cache
@login_required
@require_POST
@fresh_auth_required
def passkey_add(request: HttpRequest) -> HttpResponse:
    """Keep the passkey the browser just made (the answer to the options above)."""
    if not may_manage_passkeys(request):
        return redirect("security:verify")
    first = not totp.has_second_step(request.user)
    name = request.POST.get("name", "")
    try:
        key = passkeys.register(request, name=name, raw_answer=request.POST.get("passkey", ""))
    except passkeys.PasskeyError as refused:
        context = _passkey_page_context(request, error=str(refused), name=name[: passkeys.NAME_MAX])
        return render(request, "security/passkeys.html", context)
    messages.success(
        request,
        gettext("Passkey “%(name)s” added. You can use it to sign in.") % {"name": key.name},
    )
    if first:
        # The passkey was just used to make it: it is this session's second step. As
        # when an app is set up, the person gets recovery codes, shown once.
        _mark_verified(request)
        codes = recovery.make_set(user=request.user)
        log_action(
            actor=request.user,
            action="two_step.turned_on",
            obj=request.user,
            note=f"With a passkey; {len(codes)} recovery codes made",
        )
        return _show_new_codes(
            request, codes, first=True, next_url=resolve_url("security:passkeys"), passkey=True
        )
    return redirect("security:passkeys")


@never_cache
@login_required
@require_POST
@fresh_auth_required
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_manage_passkeys(request):
        return redirect("security:verify")
    keys = passkeys.passkeys_of(request.user)
    last_step = (
        totp.staff_must_use_codes(request.user)
        and not totp.is_enabled(request.user)
        and keys.count() <= 1
        and keys.filter(pk=pk).exists()
    )
    if last_step:
        messages.error(
            request,
            "Staff must keep a second step. Add another passkey or an authenticator app "
            "before you remove this one.",
        )
        return redirect("security:passkeys")
    removed = passkeys.remove(user=request.user, passkey_id=pk)
    if removed is not None and not totp.has_second_step(request.user):
        recovery.forget(request.user)  # two-step sign-in is off: the codes go too
        request.session.pop(sessions.CODE_OK, None)
        log_action(actor=request.user, action="two_step.turned_off", obj=request.user)
    if removed is not None:
        messages.success(
            request,
            gettext("Passkey “%(name)s” removed. It no longer signs you in.")
            % {"name": removed.name},
        )
    return redirect("security:passkeys")


@never_cache
@login_required
@require_POST
def passkey_check_options(request: HttpRequest) -> HttpResponse:
    """Options for the second step or a confirm check with one of the person's passkeys."""
    if not passkeys.available() or not passkeys.has_passkey(request.user):
        return HttpResponse('{"error": "No passkey to use."}', status=403, content_type=JSON)
    return HttpResponse(passkeys.authentication_options(request), content_type=JSON)


def _password_ok(request: HttpRequest, password: str) -> str:
    """ "" when ``password`` is the person's, else the message; limited like sign-in."""
    user = request.user
    lock = throttle.lock_of("signin", request, user.email)
    if lock:
        return locked_message(lock.seconds, "passwords")
    if not password:
        return gettext("Enter your password.")
    if user.check_password(password):
        throttle.clear_pair("signin", request, user.email)
        return ""
    throttle.count_failure("signin", request, user.email)
    return gettext("That password is not right.")


@never_cache
@sensitive_post_parameters("password")
@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    """Check it is still you (your password, or a passkey), then go back to the change."""
    next_url = _next_url(request)
    error = ""
    if request.method == "POST":
        if request.POST.get("passkey"):
            error = check_passkey(request)
        else:
            error = _password_ok(request, request.POST.get("password", ""))
        if not error:
            fresh.mark(request)
            return redirect(next_url)
    show_passkey = passkeys.available() and passkeys.has_passkey(request.user)
    return render(
        request,
        "security/confirm.html",
        {
            "next": next_url,
            "error": error,
            "show_passkey": show_passkey,
            "minutes": fresh.seconds() // 60,
        },
    )
