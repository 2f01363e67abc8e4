from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def days_left(deadline) -> int:
    """Whole days from today, in the program's time zone, to a deadline's due date."""
    return deadline.days_left(timezone.now())
