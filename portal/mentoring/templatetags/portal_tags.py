from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from portal.mentoring import offline

register = template.Library()


@register.simple_tag
def days_left(deadline) -> int:
    """Whole days from today, in the program's time zone, to a deadline's due date."""
    return deadline.days_left(timezone.now())


@register.filter
def ago(moment) -> str:
    """'3 days ago', '5 hours ago': how long since, in its largest unit only."""
    return f"{timesince(moment, timezone.now(), depth=1)} ago".replace("\xa0", " ")


@register.inclusion_tag("includes/offline_entries.html", takes_context=True)
def offline_entries(context) -> dict:
    """The key and scope of the signed-in mentor's offline entries (portal.mentoring.offline),
    on mentor pages only; nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_mentor:
        return {"offline": None}
    return {
        "offline": {
            "key": offline.entry_key(user),
            "scope": offline.entry_scope(user),
            "send_to": reverse("mentoring:session_create"),
            "sign_in": reverse("accounts:login"),
        }
    }
