"""Help and Contact, which anyone may use signed in or not, and the staff's queue."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import staff_required
from portal.audit.services import events_for
from portal.lib.forms import add_domain_errors
from portal.lib.query import query_choice, query_int, query_text
from portal.mentoring import rules
from portal.notifications.selectors import emails_about
from portal.support import selectors, services
from portal.support.forms import ContactForm, ReplyForm, StatusForm
from portal.support.models import RequestStatus, SupportRequest, Topic

try:
    from portal.security.client_ip import client_ip
except ImportError:  # pragma: no cover - before the proxy-aware helper exists

    def client_ip(request: HttpRequest) -> str:
        return request.META.get("REMOTE_ADDR", "")


SENT_KEY = "contact_sent"


def help_page(request: HttpRequest) -> HttpResponse:
    program = request.program
    now = timezone.now()
    return render(
        request,
        "support/help.html",
        {
            "deadline": rules.next_deadline(now, program.deadline_policy),
            "this_month": rules.Month.of(now, program.tz).deadline(program.deadline_policy),
            "weekday_name": program.get_deadline_weekday_display(),  # in the page's language
            "videos": program.help_videos(),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_page(request: HttpRequest) -> HttpResponse:
    initial = {}
    topic = query_choice(request, "topic", Topic.values, "")
    if topic:
        initial["topic"] = topic
    if request.user.is_authenticated:
        initial.update(name=request.user.full_name, email=request.user.email)
    form = ContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            # Robots are told it worked, and nothing is stored or sent.
            return _sent(request)
        try:
            services.contact_rate_check(ip=client_ip(request), email=form.cleaned_data["email"])
            services.support_request_create(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                topic=form.cleaned_data["topic"],
                message=form.cleaned_data["message"],
            )
        except services.TooManyRequests:
            form.add_error(
                None,
                "You have sent several messages in a short time, so we could not take this "
                "one. Please wait an hour and send it again"
                + (
                    f", or email {request.program.contact_email}"
                    if request.program.contact_email
                    else ""
                )
                + ".",
            )
            status = 429
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            return _sent(request)
    return render(request, "support/contact.html", {"form": form}, status=status)


def _sent(request: HttpRequest) -> HttpResponse:
    request.session[SENT_KEY] = True
    return redirect("support:contact_sent")


def contact_sent(request: HttpRequest) -> HttpResponse:
    if not request.session.pop(SENT_KEY, False):
        return redirect("support:contact")
    return render(request, "support/contact_sent.html")


# --- The staff's queue ------------------------------------------------------------------


@staff_required
def request_list(request: HttpRequest) -> HttpResponse:
    show = query_text(request, "status", "open")
    if show != "open" and show not in RequestStatus.values:
        show = "all"
    page = Paginator(selectors.request_list(show=show), 50).get_page(query_int(request, "page"))
    return render(
        request,
        "support/request_list.html",
        {"page": page, "show": show, "statuses": RequestStatus.choices},
    )


def _detail(request: HttpRequest, item: SupportRequest, **bound_forms) -> HttpResponse:
    """The request's page; each showing of it is on the record (before the list of
    events, so this very look is in it)."""
    services.support_request_record_view(request=item, user=request.user)
    return render(
        request,
        "support/request_detail.html",
        {
            "item": item,
            "reply_form": bound_forms.get("reply_form") or ReplyForm(),
            "status_form": bound_forms.get("status_form")
            or StatusForm(initial={"status": item.status}),
            "events": events_for(item).order_by("created_at", "pk"),
            "emails": emails_about(subject_type="support_request", subject_id=item.pk),
        },
    )


@staff_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(SupportRequest, pk=pk))


def _act_on(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    form_name: str,
    act: Callable[[SupportRequest, dict], str],
) -> HttpResponse:
    """Both forms of a request's page: a valid form makes the change (``act`` returns the
    message to show) and goes back to the page; an invalid one shows the page again with
    its errors."""
    item = get_object_or_404(SupportRequest, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, item, **{form_name: form})
    messages.success(request, act(item, form.cleaned_data))
    return redirect("staff:support_request_detail", pk=item.pk)


@staff_required
@require_POST
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    def reply(item: SupportRequest, data: dict) -> str:
        services.support_request_reply(request=item, user=request.user, reply=data["reply"])
        return f"Your answer is on its way to {item.email}."

    return _act_on(request, pk, ReplyForm, "reply_form", reply)


@staff_required
@require_POST
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    def set_status(item: SupportRequest, data: dict) -> str:
        services.support_request_set_status(request=item, user=request.user, status=data["status"])
        return f"Status: {item.get_status_display()}."

    return _act_on(request, pk, StatusForm, "status_form", set_status)
