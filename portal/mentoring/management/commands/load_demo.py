"""Load the demo program of SPEC section 7 (portal/mentoring/demo/). Running it again adds
nothing; it refuses a database that holds real people (portal/lifecycle/throwaway.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.accounts.models import User
from portal.lifecycle.throwaway import NotThrowaway, ensure_throwaway
from portal.mentoring.demo import (
    Demo,
    caseloads,
    checkins,
    followups,
    people,
    readiness,
    records,
    sessions,
    texts,
)
from portal.mentoring.models import Match, SessionLog
from portal.security.demo import prepare_demo_codes


class Command(BaseCommand):
    help = "Load the demo program (idempotent): demo accounts, schools, matches, sessions."

    def handle(self, *args, **options):
        try:
            ensure_throwaway("load_demo")
        except NotThrowaway as error:
            raise CommandError(str(error)) from error
        demo = Demo.start()
        with transaction.atomic():
            people.configure_program(demo)
            sites = people.create_sites(demo)
            people.configure_spanish(demo)
            plans = people.create_matches(demo, sites)
            created = sessions.create_all_sessions(demo, plans)
            records.create_concerns(demo, sites[0])
            records.create_needs(demo)
            prepare_demo_codes()
            records.create_invitations(demo)
            records.create_support_requests(demo)
            caseloads.create_caseloads(demo)
            checkins.create_checkins(demo)
            followups.create_followups(demo)
            readiness.create_readiness(demo)
            # After the follow-ups: their questions are dated back, not texted again now.
            texts.create_text_optins(demo)
        self.stdout.write(
            f"Demo program ready: {User.objects.count()} accounts, "
            f"{Match.objects.count()} matches, {SessionLog.objects.count()} sessions "
            f"({created} new)."
        )
