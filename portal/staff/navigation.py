"""The staff workspace's navigation: its sections, and which one a page is in.

A page belongs to the section whose address its own starts with, whichever app routes
it: the support requests (portal/support/staff_urls.py) and the invitations live under
/staff/ beside the staff app's pages, and are marked like them. A new page under a
section's address needs nothing here; a new section is one line in ``SECTIONS``.
"""

from dataclasses import dataclass

from django.urls import reverse

from portal.accounts.models import User


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    administrators_only: bool = False


SECTIONS = (
    Section("Dashboard", "staff:dashboard"),
    Section("Sessions", "staff:session_list"),
    Section("Follow-ups", "staff:followup_list"),
    Section("Compliance", "staff:compliance"),
    Section("Hours", "staff:hours"),
    Section("Match reports", "staff:match_reports"),
    Section("Exports", "staff:export"),
    Section("Imports", "staff:import_start"),
    Section("Matches", "staff:match_list"),
    Section("Mentors", "staff:mentor_list"),
    Section("Readiness", "readiness:list"),
    Section("Mentees", "staff:mentee_list"),
    Section("Schools", "staff:site_list"),
    Section("Invitations", "staff:invitation_list"),
    Section("Requests", "staff:support_request_list"),
    Section("Audit history", "staff:audit_list", administrators_only=True),
    Section("Settings", "staff:program_settings", administrators_only=True),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    # The value of aria-current: "page" on the section's own page, "true" on the pages
    # under it (an entry, a form), "" elsewhere.
    current: str


def staff_links(*, path: str, user: User) -> list[Link]:
    """The navigation for the page at ``path``: none outside the workspace, and none for
    someone who is not staff (a mentor shown the 403 page of a staff address)."""
    root = reverse("staff:dashboard")
    if not path.startswith(root) or not getattr(user, "is_program_staff", False):
        return []
    links = []
    for section in SECTIONS:
        if section.administrators_only and not user.is_administrator:
            continue
        url = reverse(section.url_name)
        if path == url:
            current = "page"
        elif url != root and path.startswith(url):
            current = "true"
        else:
            current = ""
        links.append(Link(label=section.label, url=url, current=current))
    return links
