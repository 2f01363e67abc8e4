from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.simple_tag
def days_left(deadline) -> int:
    """Whole days from today, in the program's time zone, to a deadline's due date."""
    return deadline.days_left(timezone.now())


@register.filter
def ago(moment) -> str:
    """'3 days ago', '5 hours ago': how long since, in its largest unit only."""
    return f"{timesince(moment, timezone.now(), depth=1)} ago".replace("\xa0", " ")
