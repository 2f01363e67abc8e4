"""Pages anyone may read, signed in or not."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.mentoring import rules


def help_page(request: HttpRequest) -> HttpResponse:
    program = request.program
    now = timezone.now()
    return render(
        request,
        "support/help.html",
        {
            "deadline": rules.next_deadline(now, program.deadline_policy),
            "weekday_name": rules.WEEKDAY_NAMES[program.deadline_weekday],
            "videos": program.help_videos(),
        },
    )


def contact_page(request: HttpRequest) -> HttpResponse:
    return render(request, "support/contact.html")
