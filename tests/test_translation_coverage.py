"""Every mentor-facing template has its text marked for translation, and the Spanish
catalogue translates all of it.

The rule, so templates added later can be brought in line: a template is mentor-facing
when it is in one of MENTOR_FOLDERS (every file in it) or named in MENTOR_FILES; every
other template must be named in STAFF_ONLY (English only: staff and school site contact
pages, staff emails). A new template in neither list fails ``test_every_template_is_classified``.

In a mentor-facing template, visible text (text between tags, and the alt, title,
aria-label and placeholder attributes) must come from {% translate %} /
{% blocktranslate %} (or {% trans %} / {% blocktrans %}); whitespace, punctuation,
numbers, template variables and tags do not count. A ``default:"..."`` literal in a
variable must be ``default:_("...")``.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

from portal.lib.messages_mo import parse_po

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SPANISH_PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"

MENTOR_FOLDERS = ["mentoring", "registration", "followups", "includes", "accounts", "security"]
MENTOR_FILES = [
    "base.html",
    "400.html",
    "403.html",
    "403_csrf.html",
    "404.html",
    "500.html",
    "503.html",
    "enrollment/invitation_accept.html",
    "enrollment/invitation_problem.html",
    "support/help.html",
    "support/contact.html",
    "support/contact_sent.html",
    # Readiness as the mentor sees it: their own page, the agreement, a match on hold.
    "readiness/mine.html",
    "readiness/agreement.html",
    "readiness/held.html",
    # The texts a mentor receives.
    "texts/followup-asked.txt",
    "texts/reminder-deadline.txt",
    "texts/reminder-weekly.txt",
    # The emails a mentor (or a person invited to be one) receives.
    *(
        f"emails/{name}-{part}"
        for name in (
            "reminder-weekly",
            "reminder-deadline",
            "followup-asked",
            "invitation",
            "password-reset",
            "email-changed",
            "support-received",
            "support-reply",
            "reminder-readiness-expiring",
        )
        for part in ("subject.txt", "body.txt", "body.html")
    ),
]
# English only: staff pages and emails, school site contact pages.
STAFF_ONLY_FOLDERS = ["staff", "audit", "checkins", "lifecycle", "safeguarding"]
STAFF_ONLY = [
    "readiness/_dashboard.html",
    "readiness/item_form.html",
    "readiness/list.html",
    "readiness/record.html",
    "readiness/requirements.html",
    "readiness/training_list.html",
    "includes/email_delivery.html",  # the delivery state of an email, on staff pages
    "enrollment/invitation_form.html",
    "enrollment/invitation_import.html",
    "enrollment/invitation_list.html",
    "support/request_detail.html",
    "support/request_list.html",
    *(
        f"emails/{name}-{part}"
        for name in (
            "concern-escalated",
            "concern-moved",
            "concern-raised",
            "coordinator-digest",
            "followup-answered",
            "invitation-contact",
            "readiness-match-flagged",
        )
        for part in ("subject.txt", "body.txt", "body.html")
    ),
]

VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TAGS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
LETTER = re.compile(r"[^\W\d_]")
UNMARKED_DEFAULT = re.compile(r"""\|default:(["'])(?P<text>[^"']*)\1""")


def _all_templates() -> list[str]:
    return sorted(
        str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt")
    )


def mentor_templates() -> list[str]:
    return [
        name
        for name in _all_templates()
        if name not in STAFF_ONLY and (name in MENTOR_FILES or name.split("/")[0] in MENTOR_FOLDERS)
    ]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_data(self, data):
        if LETTER.search(data):
            self.found.append(" ".join(data.split()))

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and LETTER.search(value):
                self.found.append(f'{name}="{value}"')

    handle_startendtag = handle_starttag


def unmarked_text(source: str) -> list[str]:
    """The visible text in template ``source`` that is not marked for translation."""
    kept: list[str] = []
    problems: list[str] = []
    inside_block: str | None = None
    for token in Lexer(source).tokenize():
        if inside_block:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == inside_block:
                inside_block = None
            continue
        if token.token_type == TokenType.TEXT:
            kept.append(token.contents)
        elif token.token_type == TokenType.VAR:
            for match in UNMARKED_DEFAULT.finditer("|" + token.contents.replace(" ", "")):
                if LETTER.search(match["text"]):
                    problems.append(f"{{{{ {token.contents} }}}}")
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in BLOCK_TAGS:
                inside_block = BLOCK_TAGS[name]
    parser = _Text()
    parser.feed("".join(kept))
    parser.close()
    return problems + parser.found


def test_the_check_catches_unmarked_text():
    assert unmarked_text("<p>Log a session</p>") == ["Log a session"]
    assert unmarked_text('<img alt="A school" src="x.png">') == ['alt="A school"']
    assert unmarked_text("{% block title %}Home{% endblock %}") == ["Home"]
    assert unmarked_text("<p>Hello, {{ name }}</p>") == ["Hello,"]
    assert unmarked_text('{{ program.name|default:"Mentor Portal" }}') != []
    assert unmarked_text("Due {{ day }}.\n") == ["Due ."]


def test_the_check_accepts_marked_text():
    assert unmarked_text('<p>{% translate "Log a session" %}</p>') == []
    assert unmarked_text("{% blocktranslate %}Hello, {{ name }}{% endblocktranslate %}") == []
    assert unmarked_text('<a aria-label="{% translate "Main" %}">{{ x }}</a>') == []
    assert unmarked_text("<p> · {{ user.email }} — 3, 4 </p>") == []
    assert unmarked_text("{# a comment #}<p>{{ day|date:'j F Y' }}</p>") == []
    assert unmarked_text('{{ program.name|default:_("Mentor Portal") }}') == []


def test_every_template_is_classified():
    unclassified = [
        name
        for name in _all_templates()
        if name not in MENTOR_FILES
        and name not in STAFF_ONLY
        and name.split("/")[0] not in MENTOR_FOLDERS + STAFF_ONLY_FOLDERS
    ]
    assert unclassified == [], (
        "Say whether these templates are mentor-facing (MENTOR_FOLDERS or MENTOR_FILES, "
        "text marked for translation) or English-only (STAFF_ONLY) in "
        "tests/test_translation_coverage.py"
    )


def test_the_listed_templates_exist():
    everything = set(_all_templates())
    assert [n for n in MENTOR_FILES + STAFF_ONLY if n not in everything] == []


@pytest.mark.parametrize("name", mentor_templates())
def test_mentor_template_text_is_marked_for_translation(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert unmarked_text(source) == [], f"templates/{name}: mark this text for translation"


def _spanish_entries():
    return [e for e in parse_po(SPANISH_PO.read_text(encoding="utf-8")) if e.msgid]


def test_the_spanish_catalogue_translates_everything():
    """No empty or fuzzy Spanish string: an English sentence would show on a Spanish page."""
    entries = _spanish_entries()
    assert entries
    untranslated = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_every_mentor_template_string_is_in_the_catalogue():
    """The catalogue is up to date: every string a mentor template marks is in it."""
    known = {e.msgid for e in _spanish_entries()}
    marked = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(?P<text>.*?)\1""")
    missing = []
    for name in mentor_templates():
        for match in marked.finditer((TEMPLATES / name).read_text(encoding="utf-8")):
            if match["text"] not in known:
                missing.append((name, match["text"]))
    assert missing == [], "run `make messages` and translate the new strings"
