"""Database constraints the models share (the length limit is ``text.at_most``)."""

from django.db.models import CheckConstraint, Q


def one_of(field: str, choices, *, name: str) -> CheckConstraint:
    """A database constraint: ``field`` holds one of the values of ``choices`` (a
    TextChoices), so a value written around the forms is refused too."""
    return CheckConstraint(condition=Q(**{f"{field}__in": list(choices.values)}), name=name)
