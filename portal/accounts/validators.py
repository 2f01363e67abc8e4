"""Password rules of our own, beside Django's (see AUTH_PASSWORD_VALIDATORS)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# Words everyone in a mentoring program would try first. Django's CommonPasswordValidator
# refuses the 20,000 most common passwords as typed; these are refused inside a password
# too ("mentoring2026!").
PROGRAM_WORDS = {"mentor", "mentoring", "mentee", "password", "passw0rd", "welcome", "letmein"}


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class ProgramNameValidator:
    """Refuse a password that contains the program's name, a word of it, or a word every
    mentor of the program would guess."""

    def validate(self, password: str, user=None) -> None:
        from portal.mentoring.models import ProgramSettings

        name = ProgramSettings.load().name
        typed = _letters(password)
        words = {_letters(word) for word in name.split()} | {_letters(name)}
        guessable = {word for word in words if len(word) >= 4} | PROGRAM_WORDS
        found = next((w for w in sorted(guessable, key=len, reverse=True) if w in typed), None)
        if found is not None:
            raise ValidationError(
                gettext(
                    "Your password cannot contain “%(word)s”: it is too easy to guess here. "
                    "Try three or four unrelated words."
                )
                % {"word": found},
                code="password_program_name",
            )

    def get_help_text(self) -> str:
        return gettext("Your password cannot contain the program's name.")
