"""Two-step sign-in pages (set up, type a code, turn on and off, recovery codes) and a
password reset request that is limited per email address and per client address."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from portal.lib.query import query_text
from portal.security import fresh, passkeys, recovery, sessions, throttle, totp
from portal.security.client_ip import client_for_limits
from portal.security.forms import CodeForm
from portal.security.fresh import fresh_auth_required

T = TypeVar("T")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or query_text(request, "next", max_length=2000)
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("home")


def _code_locked(request: HttpRequest) -> int:
    lock = throttle.lock_of("code", request, request.user.email)
    return lock.seconds if lock else 0


def locked_message(seconds: int, what: str) -> str:
    wait = throttle.minutes(seconds)
    return f"Too many wrong {what}. Please wait {wait} minute{'s' if wait != 1 else ''}."


def check_passkey(request: HttpRequest) -> str:
    """Check the passkey answer posted in ``passkey``: "" when it is good, else the message
    for the page. Refused answers count toward the same limits as wrong codes."""
    seconds = _code_locked(request)
    if seconds:
        request.session.pop(passkeys.CHALLENGE, None)
        return locked_message(seconds, "codes or passkeys")
    try:
        passkeys.check(request, raw_answer=request.POST.get("passkey", ""))
    except passkeys.PasskeyError as refused:
        throttle.count_failure("code", request, request.user.email)
        return str(refused)
    throttle.clear_pair("code", request, request.user.email)
    return ""


def _check_code(request: HttpRequest, form: CodeForm, attempt: Callable[[str], T]) -> T | None:
    """Validate the form and try its code with ``attempt`` (which returns something true
    when the code is good), counting failures. Returns what ``attempt`` returned, or None
    with the reason on the form."""
    if not form.is_valid():
        return None
    lock = throttle.lock_of("code", request, request.user.email)
    if lock:
        wait = throttle.minutes(lock.seconds)
        form.add_error(
            "code",
            ngettext(
                "Too many wrong codes. Please wait %(wait)s minute and try again.",
                "Too many wrong codes. Please wait %(wait)s minutes and try again.",
                wait,
            )
            % {"wait": wait},
        )
        return None
    result = attempt(form.cleaned_data["code"])
    if result:
        throttle.clear_pair("code", request, request.user.email)
        return result
    throttle.count_failure("code", request, request.user.email)
    form.add_error(
        "code",
        gettext(
            "That code is not right, or it was already used. Type the newest code from "
            "your app, or a recovery code you have not used."
        )
        if form.recovery
        else gettext(
            "That code is not right, or it was already used. Type the newest code from your app."
        ),
    )
    return None


def _app_or_recovery_code(request: HttpRequest) -> Callable[[str], str | None]:
    """A code from the app ("app") or an unused recovery code ("recovery")."""
    user = request.user

    def attempt(code: str) -> str | None:
        if recovery.looks_like_recovery_code(code):
            used = totp.has_second_step(user) and recovery.use(user=user, code=code)
            return "recovery" if used else None
        return "app" if totp.totp_verify(user=user, code=code) else None

    return attempt


def _mark_verified(request: HttpRequest) -> None:
    # A step up in what the session may do: give it a new key, as at sign-in.
    old_key = request.session.session_key
    request.session.cycle_key()
    request.session[sessions.CODE_OK] = request.user.pk
    sessions.rekey(old_key, request.session.session_key, request.user)


def _recovery_code_used(request: HttpRequest) -> None:
    left = recovery.remaining(request.user)
    text = gettext("You signed in with a recovery code. You have %(left)s left.") % {"left": left}
    if left <= recovery.FEW_LEFT:
        text += " " + gettext("Make a new set under Sign-in security, Recovery codes.")
    messages.warning(request, text)


@never_cache
@sensitive_post_parameters("code", "passkey")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, a recovery code, or a passkey
    ("Use a passkey", shown by static/js/passkeys.js when the browser can)."""
    if not totp.has_second_step(request.user):
        return redirect("security:setup")
    if request.session.get(sessions.CODE_OK) == request.user.pk:
        return redirect(_next_url(request))
    app_on = totp.is_enabled(request.user)
    # Without an app, the box takes a recovery code (made with the first passkey).
    codes_box = app_on or recovery.remaining(request.user) > 0
    form = CodeForm(request.POST if request.method == "POST" else None, recovery=True)
    if not app_on:
        form.fields["code"].label = "Recovery code"
        form.fields["code"].help_text = "12 digits, from the list you kept."
        form.fields["code"].error_messages["required"] = "Enter one of your recovery codes."
    passkey_error = ""
    if request.method == "POST" and request.POST.get("passkey"):
        passkey_error = check_passkey(request)
        if not passkey_error:
            _mark_verified(request)
            fresh.mark(request)
            return redirect(_next_url(request))
    elif request.method == "POST" and codes_box:
        used = _check_code(request, form, _app_or_recovery_code(request))
        if used:
            _mark_verified(request)
            if used == "recovery":
                _recovery_code_used(request)
            return redirect(_next_url(request))
    return render(
        request,
        "security/verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "app_on": app_on,
            "codes_box": codes_box,
            "passkey_error": passkey_error,
            "show_passkey": passkeys.available() and passkeys.has_passkey(request.user),
        },
    )


def _pending_secret(request: HttpRequest) -> str:
    """The secret being set up, kept in this (server-side) session so that a GET writes
    nothing and a reload shows the same QR code."""
    pending = request.session.get(sessions.PENDING_SETUP)
    if isinstance(pending, dict) and pending.get("user") == request.user.pk:
        return pending["secret"]
    secret = totp.setup_secret_for(request.user)
    request.session[sessions.PENDING_SETUP] = {"user": request.user.pk, "secret": secret}
    return secret


@sensitive_variables("codes")
def _show_new_codes(
    request: HttpRequest, codes: list[str], *, first: bool, next_url: str, passkey: bool = False
) -> HttpResponse:
    """The new recovery codes, shown in this one response and never again."""
    return render(
        request,
        "security/recovery_codes_new.html",
        {"codes": codes, "first": first, "next": next_url, "passkey": passkey},
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
@fresh_auth_required
@sensitive_variables("secret", "turned_on", "codes")
def setup(request: HttpRequest) -> HttpResponse:
    """Turn codes on: scan the QR code (or type the key), then type a first code. The
    device is written only then, confirmed, with a first set of recovery codes."""
    if totp.is_enabled(request.user):
        return redirect("security:account")
    if (
        passkeys.has_passkey(request.user)
        and request.session.get(sessions.CODE_OK) != request.user.pk
    ):
        # An app added by someone who has only the password would skip the passkey.
        return redirect(f"{resolve_url('security:verify')}?next={request.path}")
    secret = _pending_secret(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        turned_on = _check_code(
            request,
            form,
            lambda code: totp.totp_confirm(user=request.user, secret=secret, code=code),
        )
        if turned_on:
            _, codes = turned_on
            request.session.pop(sessions.PENDING_SETUP, None)
            _mark_verified(request)
            return _show_new_codes(request, codes, first=True, next_url=_next_url(request))
        if totp.is_enabled(request.user):  # turned on meanwhile, in another tab
            return redirect("security:account")
    program = getattr(request, "program", None)
    uri = totp.provisioning_uri(
        secret,
        email=request.user.email,
        issuer=getattr(program, "name", "") or "Mentor Portal",
    )
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret": totp.grouped(secret),
            "qr_svg": totp.qr_svg(uri),
            "required": totp.staff_must_use_codes(request.user),
            "passkeys_available": passkeys.available(),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@fresh_auth_required(methods=("POST",))
def account(request: HttpRequest) -> HttpResponse:
    """Account security: two-step sign-in on or off, and how many recovery codes are left."""
    device = totp.device_for(request.user)
    enabled = device is not None and device.is_confirmed
    required = totp.staff_must_use_codes(request.user)
    passkey_count = passkeys.passkeys_of(request.user).count()
    # Staff must keep a second step: the app can go only when a passkey stays.
    may_remove_app = enabled and (not required or passkey_count > 0)
    form = CodeForm(request.POST or None, recovery=True)
    if (
        request.method == "POST"
        and may_remove_app
        and _check_code(request, form, _app_or_recovery_code(request))
    ):
        totp.totp_disable(user=request.user)
        request.session.pop(sessions.PENDING_SETUP, None)
        if passkey_count:
            messages.success(
                request, gettext("Your authenticator app is removed. You sign in with a passkey.")
            )
        else:
            request.session.pop(sessions.CODE_OK, None)
            messages.success(
                request, gettext("Two-step sign-in is off. You sign in with your password.")
            )
        return redirect("security:account")
    return render(
        request,
        "security/account.html",
        {
            "form": form,
            "enabled": enabled,
            "required": required,
            "recovery_left": recovery.remaining(request.user),
            "passkey_count": passkey_count,
            "may_remove_app": may_remove_app,
            "passkeys_available": passkeys.available(),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
@fresh_auth_required(methods=("POST",))
@sensitive_variables("codes")
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left, and a new set (the old one stops working) after
    a code from the app or a recovery code (with passkeys only: the fresh check)."""
    if not totp.has_second_step(request.user):
        return redirect("security:account")
    device = totp.device_for(request.user)
    app_on = device is not None and device.is_confirmed
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and (
        not app_on or _check_code(request, form, _app_or_recovery_code(request))
    ):
        codes = recovery.make_new_set(user=request.user, device=device if app_on else None)
        return _show_new_codes(
            request, codes, first=False, next_url=resolve_url("security:account")
        )
    return render(
        request,
        "security/recovery_codes.html",
        {
            "form": form,
            "app_on": app_on,
            "left": recovery.remaining(request.user),
            "total": recovery.COUNT,
            "made_at": recovery.made_at(request.user),
        },
    )


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """At most a few reset emails per address and per client address each hour, so the
    form cannot be used to flood someone's inbox or the outbox."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        ip = client_for_limits(self.request)
        seconds = max(
            throttle.locked_for("reset-account", email), throttle.locked_for("reset-ip", ip)
        )
        if seconds:
            wait = throttle.minutes(seconds)
            form.add_error(
                None,
                "Too many password reset requests. Please check your email for the link "
                f"already sent, or try again in {wait} minute{'s' if wait != 1 else ''}.",
            )
            return self.form_invalid(form)
        throttle.record_failure("reset-account", email)
        throttle.record_failure("reset-ip", ip)
        return super().form_valid(form)
