"""What a staff page's address asks for, read once for the page and its download: the
sessions list and the sessions export share one reading, the hours page and its export
another, the match reports and their downloads a third."""

from django.http import HttpRequest
from django.utils import timezone

from portal.lib.query import query_int, query_text
from portal.mentoring import caseloads, rules
from portal.mentoring.models import MatchStatus, ProgramSettings
from portal.staff import forms, list_selectors, match_reports, selectors

EVERYONE = "all"  # the matches list's "every coordinator" (the default is one's own)


def session_filters(
    request: HttpRequest, program: ProgramSettings
) -> tuple[forms.SessionFilterForm, selectors.SessionFilters]:
    form = forms.SessionFilterForm(request.GET or None)
    filters = selectors.SessionFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.SessionFilters(
            month=rules.Month.parse_or_none(data["month"]),
            site=data["site"].pk if data["site"] else None,
            mentor=data["mentor"].strip(),
            attendance=data["attendance"],
            late=data["late"],
            flagged=data["flagged"],
            reviewed=data["reviewed"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, filters


def hours_filters(request: HttpRequest, program: ProgramSettings) -> selectors.HoursFilters:
    end = rules.Month.parse_or_none(query_text(request, "end")) or selectors.current_month(program)
    start = rules.Month.parse_or_none(query_text(request, "start"))
    if start is None:
        start = end
        for _ in range(11):
            start = start.previous()
    if (start.year, start.month) > (end.year, end.month):
        start, end = end, start

    return selectors.HoursFilters(
        start=start,
        end=end,
        site=query_int(request, "site"),
        type_of_mentoring=query_int(request, "type"),
        interaction=query_int(request, "interaction"),
    )


def match_filters(request: HttpRequest) -> list_selectors.MatchFilters:
    """The matches list's filters. A coordinator with a caseload starts on their own matches
    ("My matches"); ``coordinator=all`` shows everyone's, ``coordinator=none`` nobody's."""
    asked = query_text(request, "coordinator")
    if asked == list_selectors.UNASSIGNED:
        coordinator = asked
    elif asked == EVERYONE:
        coordinator = ""
    elif (number := query_int(request, "coordinator")) is not None:
        coordinator = str(number)
    elif caseloads.has_caseload(request.user):
        coordinator = str(request.user.pk)
    else:
        coordinator = ""
    return list_selectors.MatchFilters(
        q=query_text(request, "q"),
        status=query_text(request, "status", MatchStatus.ACTIVE),
        site=query_int(request, "site"),
        coordinator=coordinator,
    )


def match_report_filters(
    request: HttpRequest, program: ProgramSettings
) -> match_reports.ReportFilters:
    """The match reports' period (from and to months, all time when both are empty) and
    whose matches the strength section shows. A value that cannot be read is left out and
    named in ``problems``, for the page to say so."""
    problems = []
    months = {}
    for name, words in (("start", "From month"), ("end", "To month")):
        text = query_text(request, name)
        months[name] = rules.Month.parse_or_none(text)
        if text and months[name] is None:
            problems.append(f"{words}: {rules.MONTH_HELP} It is left out.")
    start, end = months["start"], months["end"]
    if start and end and start > end:
        start, end = end, start
    asked = query_text(request, "coordinator")
    strength_of, label = "", "all coordinators"
    if asked == match_reports.UNASSIGNED:
        strength_of, label = asked, "matches without a coordinator"
    elif asked:
        number = query_int(request, "coordinator")
        found = caseloads.coordinators().filter(pk=number).first() if number else None
        if found is None:
            problems.append("Coordinator: choose one from the list. All coordinators are shown.")
        else:
            strength_of, label = str(found.pk), found.full_name or found.email
    return match_reports.ReportFilters(
        period=match_reports.Period(start=start, end=end),
        today=timezone.localdate(timezone.now(), program.tz),
        strength_of=strength_of,
        strength_of_label=label,
        problems=tuple(problems),
    )
