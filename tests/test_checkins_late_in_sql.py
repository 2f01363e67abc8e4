"""Late check-ins are decided by the database exactly as the month rule says (rules.py):
on the days around every edge (due yesterday, due today, a start on the 31st), the list
holds what the rule gives, and the dashboard's count, read without a row, is its length."""

import datetime as dt
import random

from django.utils import timezone

from portal.checkins import rules, selectors
from portal.checkins.models import CheckIn
from portal.mentoring.models import Match
from tests.conftest import make_match

TODAY = dt.date(2026, 3, 29)  # a month after 28, 29, 30 and 31 January is 28 February


def by_the_rule(matches: list[Match], today: dt.date) -> set[tuple[int, str, dt.date]]:
    late = set()
    for match in matches:
        for kind, months in selectors.cadences().items():
            last = (
                CheckIn.objects.filter(match=match, with_whom=kind)
                .order_by("-on_date")
                .values_list("on_date", flat=True)
                .first()
            )
            due = rules.next_due(
                started=match.start_date, last=last, cadence_months=months, closed=False
            )
            if rules.is_overdue(due, today):
                late.add((match.pk, kind, due))
    return late


def test_the_database_keeps_exactly_the_late_ones(program, school_a, staff_user):
    chooser = random.Random(17)  # noqa: S311  (test data)
    edges = []
    for months in (1, 3):
        first = selectors.first_day_not_overdue(TODAY, months)
        edges += [first - dt.timedelta(days=d) for d in (-2, -1, 0, 1, 2)]
    edges += [dt.date(2026, 1, d) for d in (28, 29, 30, 31)]
    matches = []
    for number in range(40):
        match = make_match(f"m{number}@example.org", school_a, f"Kid{number}", TODAY)
        Match.objects.filter(pk=match.pk).update(
            start_date=chooser.choice(edges), coordinator=staff_user
        )
        match.refresh_from_db()
        for kind in ("mentor", "guardian"):
            if chooser.random() < 0.6:
                CheckIn.objects.create(
                    match=match, recorded_by=staff_user, recorded_at=timezone.now(),
                    with_whom=kind, how="call", on_date=chooser.choice(edges),
                )  # fmt: skip
        matches.append(match)
    rows = selectors.overdue_checkins(today=TODAY)
    expected = by_the_rule(matches, TODAY)
    assert {(row.match.pk, row.kind, row.due) for row in rows} == expected
    assert 0 < len(expected) < 80  # the edges put some on each side
    assert [(row.due, row.match.pk, row.kind) for row in rows] == sorted(
        (due, pk, kind) for pk, kind, due in expected
    )
    assert all(row.days_overdue == (TODAY - row.due).days > 0 for row in rows)
    assert selectors.late_checkin_count(today=TODAY) == len(rows)
    assert selectors.late_checkin_count(today=TODAY, kind="guardian") == len(
        [row for row in rows if row.kind == "guardian"]
    )


def test_the_first_day_not_overdue_is_the_edge(db):
    for months in (1, 3, 12):
        first = selectors.first_day_not_overdue(TODAY, months)
        assert not rules.is_overdue(rules.add_months(first, months), TODAY)
        assert rules.is_overdue(rules.add_months(first - dt.timedelta(days=1), months), TODAY)
