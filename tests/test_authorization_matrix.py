"""Who may open which page: every named URL of the URL configuration, for every persona.

The records belong to mentor_a at school A (tests/security_world.py), so mentor_b and
site_contact_b are the outsiders: they must get 404 for those records, never the record.

HOW TO ADD A ROW. When you add a URL, this test fails and prints its name. Add one dict
to MATRIX under that name:

    "app:name": {
        "obj": "session",            # what fills <pk>: session, concern, need, program,
                                     # mentor_a_user, match, mentee, site; or a dict of kwargs
        "GET": (LOGIN, 200, 404, 403, 403, 403, 403),
        "POST": (LOGIN, 302, 404, 403, 403, 403, 403),   # only if the view accepts POST
        "data": {...},               # optional: what a real form posts (CSRF tests use it)
    },

The seven answers are for the personas, in this order (the column header below):

    anonymous, mentor_a, mentor_b, staff_user, site_contact_a, site_contact_b, admin_user

The matrix posts an empty form, so a form page that accepts the persona answers 200
with its errors. An answer is a status code, LOGIN (a redirect to a sign-in page) or
REDIRECT (any other redirect). Django admin internals are skipped except the
representative URLs listed. Static and media handlers (not named URLs in production)
are skipped too.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.mentoring.models import Choice
from tests.security_world import PERSONAS, build_world

LOGIN = "sign-in"
REDIRECT = "redirect"
SET_PASSWORD = {"uidb64": "MQ", "token": "set-password"}

#  persona order:   anon    mentor_a  mentor_b  staff   site_a  site_b  admin
ALL_200 = (200,) * 7
SIGNED_IN_200 = (LOGIN, 200, 200, 200, 200, 200, 200)
MENTORS = (LOGIN, 200, 200, 403, 403, 403, 403)
STAFF = (LOGIN, 403, 403, 200, 403, 403, 200)
CONCERN_READERS = (LOGIN, 403, 403, 200, 200, 200, 200)

MATRIX: dict[str, dict] = {
    # --- everyone ------------------------------------------------------------------
    "home": {"GET": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)},
    "support:help": {"GET": ALL_200},
    "support:contact": {
        "GET": ALL_200,
        "POST": ALL_200,  # an empty form comes back with its errors
        "data": {"name": "Ann Lee", "email": "ann@example.org", "topic": "other", "message": "Hi"},
    },
    "support:contact_sent": {"GET": (REDIRECT,) * 7},  # only right after sending
    # --- enrollment, reminders, no session this month -------------------------------
    "enrollment:accept": {
        "obj": {"token": "not-a-real-token"},
        "GET": (404,) * 7,
        "POST": (404,) * 7,
        "data": {"password1": "x", "password2": "x", "agree": "on"},
    },
    "staff:invitation_list": {"GET": STAFF},
    "staff:invitation_create": {
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {"full_name": "New Mentor", "email": "new-mentor@example.org"},
    },
    "staff:invitation_import": {"GET": STAFF, "POST": STAFF},
    "staff:invitation_resend": {
        "obj": {"pk": 999999},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 404, 403, 403, 404),
    },
    "mentoring:no_session_month": {
        "GET": (LOGIN, 405, 405, 403, 403, 403, 403),
        "POST": (LOGIN, 400, 400, 403, 403, 403, 403),  # empty: the form's errors
        "data": {"month": "2026-10", "reason": "school_break"},
    },
    "mentoring:weekly_reminders": {
        "obj": {"signed": "1:forged"},
        "GET": (404,) * 7,
        "POST": (404,) * 7,
        "data": {"weekly": "off"},
    },
    "staff:support_request_list": {"GET": STAFF},
    "staff:support_request_detail": {
        "obj": {"pk": 999999},
        "GET": (LOGIN, 403, 403, 404, 403, 403, 404),
    },
    "staff:support_request_reply": {
        "obj": {"pk": 999999},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 404, 403, 403, 404),
        "data": {"reply": "Here is a new link."},
    },
    "staff:support_request_status": {
        "obj": {"pk": 999999},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 404, 403, 403, 404),
        "data": {"status": "closed"},
    },
    # --- signing in and passwords --------------------------------------------------
    "accounts:login": {
        "GET": (200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": (200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "data": {"username": "mentor-a@example.org", "password": "wrong"},
    },
    "accounts:logout": {"GET": (405,) * 7, "POST": (LOGIN,) * 7},
    "accounts:password_change": {
        "GET": SIGNED_IN_200,
        "POST": SIGNED_IN_200,  # an empty form comes back with its errors
        "data": {"old_password": "x", "new_password1": "y", "new_password2": "y"},
    },
    "accounts:password_change_done": {"GET": SIGNED_IN_200},
    "accounts:password_reset": {
        "GET": ALL_200,
        "POST": ALL_200,  # an empty form comes back with its errors
        "data": {"email": ""},
    },
    "accounts:password_reset_done": {"GET": ALL_200},
    "accounts:password_reset_confirm": {"obj": SET_PASSWORD, "GET": ALL_200, "POST": ALL_200},
    "accounts:password_reset_complete": {"GET": ALL_200},
    # Each person changes their own sign-in email; school contacts are told to ask staff.
    "accounts:email_change": {
        "GET": SIGNED_IN_200,
        "POST": SIGNED_IN_200,  # an empty form comes back with its errors
        "data": {"email": ""},
    },
    "accounts:staff_home": {"GET": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT)},
    # --- two-step sign-in (TOTP; required for staff only with REQUIRE_STAFF_TOTP) ----
    "security:account": {"GET": SIGNED_IN_200, "POST": SIGNED_IN_200},
    # The pending secret lives in the session; the device is written by a good code only.
    "security:setup": {"GET": SIGNED_IN_200, "POST": SIGNED_IN_200},
    # Only with two-step sign-in on (no persona here has it): the others are sent to
    # Sign-in security. tests/test_totp.py covers the page with codes on.
    "security:recovery_codes": {
        "GET": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "data": {"code": "123456"},
    },
    # Force-logged-in personas have no pending code: the code page sends them on.
    "security:verify": {
        "GET": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "data": {"code": "123456"},
    },
    # The one confirm page of security changes (password or passkey, then back).
    "security:confirm": {"GET": SIGNED_IN_200, "POST": SIGNED_IN_200, "data": {"password": "x"}},
    # Passkeys: each person manages their own; the personas have none, and passkeys are
    # off on the tests' IP-address site, so the options are refused (tests/test_passkeys).
    "security:passkeys": {"GET": SIGNED_IN_200},
    "security:passkey_register_options": {"POST": (LOGIN, 403, 403, 403, 403, 403, 403)},
    "security:passkey_add": {
        "POST": SIGNED_IN_200,  # the refused answer comes back on the page
        "data": {"name": "Laptop", "passkey": "{}"},
    },
    "security:passkey_remove": {
        "obj": {"pk": 999999},
        "POST": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    },
    "security:passkey_check_options": {"POST": (LOGIN, 403, 403, 403, 403, 403, 403)},
    # --- the mentor's pages --------------------------------------------------------
    "mentoring:home": {"GET": MENTORS},
    "mentoring:session_list": {"GET": MENTORS},
    "mentoring:hours_download": {"GET": MENTORS},  # each mentor gets their own hours
    "mentoring:email_preferences": {
        "GET": MENTORS,
        "POST": (LOGIN, REDIRECT, REDIRECT, 403, 403, 403, 403),  # each changes their own
        "data": {"weekly": "off"},
    },
    # Text messages (issue 16): each mentor turns their own on or off (POST; GET goes back).
    "texts:preferences": {
        "GET": (LOGIN, REDIRECT, REDIRECT, 403, 403, 403, 403),  # to the preferences page
        "POST": (LOGIN, 400, 400, 403, 403, 403, 403),  # empty: the form's errors
        "data": {"texts": "on", "phone": "312 555 0123", "consent": "on"},
    },
    # Twilio's webhook: no sign-in, no CSRF token; only a valid X-Twilio-Signature is
    # heard, so every persona's request (unsigned) is refused.
    "texts:inbound": {
        "GET": (405,) * 7,
        "POST": (403,) * 7,
        "data": {"From": "+13125550123", "Body": "STOP"},
    },
    # An empty post shows the preferences page with its error; each changes their own.
    "mentoring:language": {"POST": MENTORS},
    "mentoring:session_create": {
        "GET": MENTORS,
        "POST": MENTORS,  # an empty form comes back with its errors
        "data": "session_form",
    },
    "mentoring:session_detail": {"obj": "session", "GET": (LOGIN, 200, 404, 403, 403, 403, 403)},
    "mentoring:session_edit": {
        "obj": "session",
        "GET": (LOGIN, 200, 404, 403, 403, 403, 403),
        "POST": (LOGIN, 200, 404, 403, 403, 403, 403),
        "data": "session_form",
    },
    "mentoring:session_delete": {
        "obj": "session",
        "GET": (LOGIN, 200, 404, 403, 403, 403, 403),
        "POST": (LOGIN, 200, 404, 403, 403, 403, 403),
        "data": {"confirm": "yes"},
    },
    "mentoring:session_add_flags": {
        "obj": "session",
        "GET": (LOGIN, 405, 405, 403, 403, 403, 403),
        "POST": (LOGIN, REDIRECT, 404, 403, 403, 403, 403),
        "data": {"need": ["clothing"]},
    },
    # --- concerns and needs --------------------------------------------------------
    "safeguarding:site_home": {"GET": (LOGIN, 403, 403, 403, 200, 200, 403)},
    "safeguarding:concern_list": {"GET": CONCERN_READERS},
    "safeguarding:concern_raise": {
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {"match": "", "description": "Raised by hand."},
    },
    "safeguarding:concern_detail": {
        "obj": "concern",
        "GET": (LOGIN, 403, 403, 200, 200, 404, 200),
    },
    "safeguarding:concern_acknowledge": {
        "obj": "concern",
        "GET": (LOGIN, 403, 403, 405, 405, 405, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, REDIRECT, 404, REDIRECT),
        "data": {"note": "Called the family."},
    },
    "safeguarding:concern_add_note": {
        "obj": "concern",
        "GET": (LOGIN, 403, 403, 405, 405, 405, 405),
        "POST": (LOGIN, 403, 403, 200, 200, 404, 200),  # empty: the form's error
        "data": {"text": "Spoke to the counselor."},
    },
    "safeguarding:concern_close": {
        "obj": "concern",
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 200, 403, 403, 200),  # empty: the form's error
        "data": {"outcome": "Family supported by the school."},
    },
    "safeguarding:need_list": {"GET": STAFF},
    "safeguarding:need_detail": {
        "obj": "need",
        "GET": STAFF,
        "POST": (LOGIN, 403, 403, 200, 403, 403, 200),  # empty: the form's error
        "data": {"status": "referred", "note": "Referred to the food bank."},
    },
    "safeguarding:support_list": {"GET": STAFF},
    # --- data lifecycle ------------------------------------------------------------
    "lifecycle:mentee_erase": {
        "obj": "mentee",
        "GET": (LOGIN, 403, 403, 403, 403, 403, 200),
        "POST": (LOGIN, 403, 403, 403, 403, 403, 200),  # empty: the form's errors
        "data": {"reason": "The school asked.", "confirm": "on"},
    },
    # --- the staff workspace (portal/staff) --------------------------------------------
    "staff:dashboard": {"GET": STAFF},
    "staff:session_list": {"GET": STAFF},
    "staff:session_review_bulk": {
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
        "data": {"sessions": ["1"]},
    },
    "staff:session_detail": {"obj": "session", "GET": STAFF},
    # --- follow-ups on an entry: staff ask and resolve; only the entry's mentor answers --
    "staff:followup_list": {"GET": STAFF},
    "staff:digest_preference": {
        "GET": STAFF,
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
    },
    "staff:followup_ask": {
        "obj": "session",
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 400, 403, 403, 400),  # empty: the form's errors
        "data": {"question": "Can you tell me more about the washing machine?"},
    },
    "staff:followup_resolve": {
        "obj": "followup",
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 400, 403, 403, 400),  # open: a note is needed
        "data": {"resolution_note": "We talked on the phone."},
    },
    "followups:answer": {
        "obj": "followup",
        "GET": (LOGIN, 200, 404, 403, 403, 403, 403),
        "POST": (LOGIN, 400, 404, 403, 403, 403, 403),  # empty: the form's errors
        "data": {"answer": "It broke last month."},
    },
    "staff:session_correct": {
        "obj": "session",
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {"reason": "Mentor called."},
    },
    "staff:session_review": {
        "obj": "session",
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
    },
    "staff:compliance": {"GET": STAFF},
    "staff:hours": {"GET": STAFF},
    "staff:match_reports": {"GET": STAFF},  # and its downloads: tests/staff/test_match_reports
    "staff:export": {"GET": STAFF},
    "staff:import_start": {"GET": STAFF},
    # Background exports and imports: staff_user's job. Only its requester and the
    # administrators see it; anyone else, other roles too, gets 404 (tests/test_background_*).
    "staff:export_job": {"obj": "export_job", "GET": (LOGIN, 404, 404, 200, 404, 404, 200)},
    "staff:export_job_download": {
        "obj": "export_job",
        "GET": (LOGIN, 404, 404, REDIRECT, 404, 404, REDIRECT),  # not ready: to its page
    },
    "staff:import_job": {"obj": "import_job", "GET": (LOGIN, 404, 404, 200, 404, 404, 200)},
    "staff:import_upload": {"obj": {"kind": "mentors"}, "GET": STAFF, "POST": STAFF},
    "staff:import_template": {"obj": {"kind": "mentors"}, "GET": STAFF},
    "staff:import_save": {
        "obj": {"kind": "mentors"},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),  # no checked file: back
    },
    "staff:site_list": {"GET": STAFF},
    "staff:site_create": {"GET": STAFF, "POST": STAFF, "data": {"name": "Hayes High"}},
    "staff:site_detail": {"obj": "site", "GET": STAFF},
    "staff:site_edit": {"obj": "site", "GET": STAFF, "POST": STAFF, "data": {"name": "X"}},
    "staff:contact_create": {
        "obj": {"site_pk": "site"},
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {"name": "Kim", "email": "kim@example.org", "phone": "555", "position": "0"},
    },
    "staff:contact_edit": {
        "obj": {"site_pk": "site", "pk": "contact"},
        "GET": STAFF,
        "POST": STAFF,
        "data": {"name": "Kim", "email": "kim@example.org", "phone": "555", "position": "0"},
    },
    "staff:contact_invite": {
        "obj": {"site_pk": "site", "pk": "contact"},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        # site_contact_a can sign in already: staff are told so, back on the school page
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
    },
    "staff:contact_remove": {
        "obj": {"site_pk": "site", "pk": "contact"},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
    },
    "staff:mentor_list": {"GET": STAFF},
    "staff:mentor_create": {
        "GET": STAFF,
        "POST": STAFF,
        "data": {"full_name": "Pat Lee", "email": "pat@example.org", "status": "invited"},
    },
    "staff:mentor_detail": {
        "obj": "mentor",
        "GET": STAFF,
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),  # deactivates the mentor
        "data": {"reason": "Moved away"},
    },
    "staff:mentor_edit": {"obj": "mentor", "GET": STAFF, "POST": STAFF},
    "staff:mentee_list": {"GET": STAFF},
    "staff:mentee_create": {"GET": STAFF, "POST": STAFF},
    "staff:mentee_edit": {"obj": "mentee", "GET": STAFF, "POST": STAFF},
    "staff:match_list": {"GET": STAFF},
    "staff:match_create": {"GET": STAFF, "POST": STAFF},
    "staff:match_detail": {"obj": "match", "GET": STAFF},
    "staff:match_edit": {"obj": "match", "GET": STAFF, "POST": STAFF},
    "staff:match_close": {
        "obj": "match",
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {"end_date": "2026-06-12", "closed_by_whom": "family", "notes": "Moved"},
    },
    # Assigning answers with a redirect to the list or the match, with a message.
    "staff:match_assign_bulk": {
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
        "data": {"scope": "filter"},
    },
    "staff:match_assign": {
        "obj": "match",
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, REDIRECT, 403, 403, REDIRECT),
        "data": {"coordinator": ""},
    },
    "staff:match_reopen": {  # administrators only
        "obj": "match",
        "GET": (LOGIN, 403, 403, 403, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 403, 403, 403, REDIRECT),
    },
    "staff:audit_list": {"GET": (LOGIN, 403, 403, 403, 403, 403, 200)},  # administrators only
    "staff:program_settings": {
        "GET": (LOGIN, 403, 403, 403, 403, 403, 200),
        "POST": (LOGIN, 403, 403, 403, 403, 403, 200),  # empty: the form's errors
    },
    "staff:choice_add": {
        "GET": (LOGIN, 403, 403, 403, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 403, 403, 403, 400),  # empty: the form's errors
        "data": {"choice-list": "interaction", "choice-label": "Text message"},
    },
    "staff:choice_change": {
        "obj": "choice",
        "GET": (LOGIN, 403, 403, 403, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 403, 403, 403, REDIRECT),
        "data": {"action": "retire"},
    },
    # --- support check-ins: staff only; mentors and site contacts never see one ------
    "checkins:overdue": {"GET": STAFF},
    "checkins:record": {
        "obj": "match",
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {
            "with_whom": "guardian",
            "how": "call",
            "on_date": "2026-01-05",
            "safety_concern": "no",
        },
    },
    "checkins:cadence": {
        "GET": (LOGIN, 403, 403, 403, 403, 403, 200),
        # every box may be empty (no regular check-in), so an empty form saves
        "POST": (LOGIN, 403, 403, 403, 403, 403, REDIRECT),
        "data": {"mentor": "1", "guardian": "3"},
    },
    # --- volunteer readiness: staff record, administrators set the requirements, each
    # mentor sees only their own readiness and training (tests/test_readiness_views.py) --
    "readiness:list": {"GET": STAFF},
    "readiness:record": {
        "obj": "mentor",
        "GET": STAFF,
        "POST": STAFF,  # an empty form comes back with its errors
        "data": {"done_on": "2026-01-05", "note": "File 12"},
    },
    "readiness:record_remove": {
        "obj": {"pk": 999999},
        "GET": (LOGIN, 403, 403, 405, 403, 403, 405),
        "POST": (LOGIN, 403, 403, 404, 403, 403, 404),
        "data": {"reason": "Entered for the wrong mentor"},
    },
    "readiness:training_list": {"GET": STAFF},
    "readiness:requirements": {
        "GET": (LOGIN, 403, 403, 403, 403, 403, 200),
        "POST": (LOGIN, 403, 403, 403, 403, 403, 200),  # empty: the form's errors
        "data": {"not_ready_matches": "warn"},
    },
    "readiness:item_create": {
        "GET": (LOGIN, 403, 403, 403, 403, 403, 200),
        "POST": (LOGIN, 403, 403, 403, 403, 403, 200),
        "data": {"name": "Interview", "required": "yes", "who_records": "staff"},
    },
    "readiness:item_edit": {
        "obj": {"pk": 999999},
        "GET": (LOGIN, 403, 403, 403, 403, 403, 404),
        "POST": (LOGIN, 403, 403, 403, 403, 403, 404),
    },
    # Each mentor their own: the page takes no record number.
    "readiness:mine": {
        "GET": MENTORS,
        "POST": MENTORS,  # an empty form comes back with its errors
        "data": {"on_date": "2026-01-05", "hours": "1.00", "topic": "Orientation"},
    },
    # Nothing to accept (no new version): the mentor is sent on.
    "readiness:agreement": {
        "GET": (LOGIN, REDIRECT, REDIRECT, 403, 403, 403, 403),
        "POST": (LOGIN, REDIRECT, REDIRECT, 403, 403, 403, 403),
        "data": {"version": "1", "agree": "on"},
    },
    # --- health checks and what every site answers: no sign-in, nothing private -----
    "health:live": {"GET": ALL_200},
    "health:ready": {"GET": ALL_200},
    "health:security_txt": {"GET": ALL_200},
    "health:favicon": {"GET": (REDIRECT,) * 7},
    # --- Django admin: representative pages only ------------------------------------
    "admin:index": {"GET": (LOGIN, LOGIN, LOGIN, 200, LOGIN, LOGIN, 200)},
    "admin:login": {"GET": (200, 200, 200, REDIRECT, 200, 200, REDIRECT)},
    "admin:mentoring_sessionlog_changelist": {"GET": (LOGIN, LOGIN, LOGIN, 200, LOGIN, LOGIN, 200)},
    "admin:mentoring_sessionlog_change": {
        "obj": "session",
        "GET": (LOGIN, LOGIN, LOGIN, 200, LOGIN, LOGIN, 200),
    },
    "admin:mentoring_programsettings_change": {
        "obj": "program",
        "GET": (LOGIN, LOGIN, LOGIN, 403, LOGIN, LOGIN, 200),
    },
    "admin:accounts_user_changelist": {"GET": (LOGIN, LOGIN, LOGIN, 200, LOGIN, LOGIN, 200)},
}


def url_names(patterns=None, namespace: str = "") -> dict[str, URLPattern]:
    """Every named URL pattern, with its namespace ("mentoring:session_detail")."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(url_names(pattern.url_patterns, inner))
        elif pattern.name:
            found[namespace + pattern.name] = pattern
    return found


def needs_a_row(name: str, pattern: URLPattern) -> bool:
    if name.startswith("admin:"):
        return False  # the admin's own pages: representative rows only
    callback = getattr(pattern.callback, "__module__", "")
    return not callback.startswith(("django.views.static", "django.contrib.staticfiles"))


def test_every_url_has_a_row():
    missing = sorted(
        name
        for name, pattern in url_names().items()
        if needs_a_row(name, pattern)
        if name not in MATRIX
    )
    assert not missing, "URLs without a row in MATRIX (see the top of this file): " + ", ".join(
        missing
    )


def test_every_row_names_a_url():
    gone = sorted(set(MATRIX) - set(url_names()))
    assert not gone, "MATRIX rows for URLs that no longer exist: " + ", ".join(gone)


def test_every_row_answers_for_every_persona():
    for name, row in MATRIX.items():
        for method in ("GET", "POST"):
            if method in row:
                assert len(row[method]) == len(PERSONAS), f"{name} {method}"


def followup_of(world):
    """Staff's open question about mentor_a's session (asked the first time it is needed)."""
    from portal.followups.models import FollowUp
    from portal.followups.services import followup_ask

    found = FollowUp.objects.filter(session=world.session).first()
    return found or followup_ask(
        session=world.session, user=world.users["staff_user"], question="Tell me more?"
    )


def file_job_of(world, kind: str):
    """staff_user's queued background export or import (made the first time it is needed)."""
    from portal.filejobs.models import FileJob

    found = FileJob.objects.filter(kind=kind).first()
    return found or FileJob.objects.create(
        kind=kind, requester=world.users["staff_user"], report="sessions", file_format="xlsx"
    )


def url_for(name: str, world) -> str:
    obj = MATRIX[name].get("obj")
    if obj is None:
        return reverse(name)
    if obj == "followup":
        return reverse(name, args=[followup_of(world).pk])
    if obj in ("export_job", "import_job"):
        return reverse(name, args=[file_job_of(world, obj.split("_")[0]).pk])
    pks = {
        "session": world.session.pk,
        "concern": world.concern.pk,
        "need": world.need.pk,
        "program": 1,
        "mentee": world.session.match.mentee_id,
        "match": world.session.match_id,
        "mentor": world.session.match.mentor_id,
        "site": world.session.match.site_id,
        "contact": world.session.match.site.contacts.values_list("pk", flat=True).first(),
        "choice": Choice.objects.filter(is_default=False).values_list("pk", flat=True).first(),
    }
    if isinstance(obj, dict):
        # A value naming a record ("site") stands for its pk; anything else is literal.
        kwargs = {k: pks.get(v, v) if isinstance(v, str) else v for k, v in obj.items()}
        return reverse(name, kwargs=kwargs)
    return reverse(name, args=[pks[obj]])


def outcome(response) -> int | str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if "/sign-in/" in location or "/admin/login/" in location:
            return LOGIN
        return REDIRECT
    return response.status_code


CASES = [
    (name, method) for name, row in MATRIX.items() for method in ("GET", "POST") if method in row
]


@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{n} {m}" for n, m in CASES])
def test_each_persona_gets_the_expected_answer(db, request, name, method):
    world = build_world(request)
    url = url_for(name, world)
    wrong = []
    for persona, expected in zip(PERSONAS, MATRIX[name][method], strict=True):
        client = world.client(persona)
        # Each persona starts from the same records: undo what the request changed.
        savepoint = transaction.savepoint()
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.savepoint_rollback(savepoint)
        got = outcome(response)
        if got != expected:
            wrong.append(f"{persona}: expected {expected}, got {got}")
    assert not wrong, f"{method} {url} ({name}): " + "; ".join(wrong)
