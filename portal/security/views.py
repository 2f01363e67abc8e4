"""Two-step sign-in pages (set up, type a code, turn on and off) and a password reset
request that is limited per email address and per client address."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal.security import sessions, throttle, totp
from portal.security.client_ip import client_ip
from portal.security.forms import CodeForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("home")


def _code_locked(request: HttpRequest) -> int:
    return max(
        throttle.locked_for("code-account", request.user.email),
        throttle.locked_for("code-ip", client_ip(request)),
    )


def _check_code(request: HttpRequest, form: CodeForm) -> bool:
    """Validate the form's code against the user's device, counting failures."""
    if not form.is_valid():
        return False
    seconds = _code_locked(request)
    if seconds:
        wait = throttle.minutes(seconds)
        form.add_error(
            "code",
            f"Too many wrong codes. Please wait {wait} minute{'s' if wait != 1 else ''} "
            "and try again.",
        )
        return False
    if totp.totp_verify(user=request.user, code=form.cleaned_data["code"]):
        throttle.reset("code-account", request.user.email)
        return True
    throttle.record_failure("code-account", request.user.email)
    throttle.record_failure("code-ip", client_ip(request))
    form.add_error(
        "code",
        "That code is not right, or it was already used. Type the newest code from your app.",
    )
    return False


def _mark_verified(request: HttpRequest) -> None:
    # A step up in what the session may do: give it a new key, as at sign-in.
    old_key = request.session.session_key
    request.session.cycle_key()
    request.session[sessions.CODE_OK] = request.user.pk
    sessions.rekey(old_key, request.session.session_key, request.user)


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for an account with codes turned on."""
    if not totp.is_enabled(request.user):
        return redirect("security:setup")
    if request.session.get(sessions.CODE_OK) == request.user.pk:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check_code(request, form):
        _mark_verified(request)
        return redirect(_next_url(request))
    return render(request, "security/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Turn codes on: scan the QR code (or type the key), then type a first code."""
    if totp.is_enabled(request.user):
        return redirect("security:account")
    device = totp.totp_setup_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check_code(request, form):
        _mark_verified(request)
        messages.success(request, "Two-step sign-in is on. Keep your authenticator app.")
        return redirect(_next_url(request))
    program = getattr(request, "program", None)
    uri = totp.provisioning_uri(device, issuer=getattr(program, "name", "") or "Mentor Portal")
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret": totp.grouped(device.secret),
            "qr_svg": totp.qr_svg(uri),
            "required": totp.staff_must_use_codes(request.user),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Account security: two-step sign-in on or off."""
    enabled = totp.is_enabled(request.user)
    required = totp.staff_must_use_codes(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and enabled and not required and _check_code(request, form):
        totp.totp_disable(user=request.user)
        request.session.pop(sessions.CODE_OK, None)
        messages.success(request, "Two-step sign-in is off. You sign in with your password.")
        return redirect("security:account")
    return render(
        request,
        "security/account.html",
        {"form": form, "enabled": enabled, "required": required},
    )


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """At most a few reset emails per address and per client address each hour, so the
    form cannot be used to flood someone's inbox or the outbox."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        ip = client_ip(self.request)
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
