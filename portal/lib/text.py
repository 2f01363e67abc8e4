"""Text that people type or upload, made safe to store, show, export and log.

One home for two rules every text field and query parameter follows:

- **No control characters.** Tab, line feed and carriage return are text; the other
  control characters (NUL, vertical tab, form feed, escape, DEL, C1) are not. A word
  processor's manual line break (vertical tab), page break (form feed) and the Unicode
  line and paragraph separators become an ordinary line break; every other control
  character is removed. PostgreSQL refuses NUL outright, Excel files cannot hold most of
  them, and in a log line a raw line feed forges a new line.
  The invisible characters that reorder or hide text are removed too: the bidirectional
  embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) make "txt.exe" show
  as "exe.txt" in a list or a spreadsheet, and a zero-width space or byte order mark
  (U+200B, U+FEFF) makes two names that look the same differ. Joiners (U+200C, U+200D)
  and the left-to-right and right-to-left marks stay: emoji and some scripts need them.
- **Every free-text value has a length limit**, with a message that says the limit.

Forms get both through ``TextInputMixin`` (``portal.lib.forms``); imports, query
parameters, exports and logs call the functions here.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.deconstruct import deconstructible

# Limits shared by forms, services and database constraints.
SHORT_TEXT_MAX = 200  # a name, a title, a search
NOTE_TEXT_MAX = 2000  # a staff note, an acknowledgement, a reason
LONG_TEXT_MAX = 5000  # session notes, a concern's or a need's details, a message
QUERY_TEXT_MAX = 200  # one query parameter's value

# Characters that end a line, written by word processors and some phones.
_LINE_BREAKS = re.compile("\r\n|[\x0b\x0c\x85\u2028\u2029]")
# Control characters that are never text: C0 except tab, LF and CR; DEL; C1; the
# invisible characters that reorder or hide text (see the module's docstring).
_HIDDEN = "\u200b\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_HIDDEN}]")
_ANY_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_HIDDEN}]")


def has_control_characters(value: str) -> bool:
    """Whether ``value`` holds a character other than text, tab and line breaks."""
    return bool(_CONTROL.search(value))


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` as text that can be stored and shown anywhere.

    Line breaks of every kind become ``\\n`` (or a space when ``multiline`` is false);
    every other control character is removed.
    """
    value = _LINE_BREAKS.sub("\n", value).replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    return value


def printable(value: object) -> str:
    """``value`` for a log line or a file format that holds no control characters:
    each control character, line breaks included, written as an escape (``\\x0b``)."""
    text = value if isinstance(value, str) else str(value)
    return _ANY_CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode(), text)


def without_control_characters(value: str) -> str:
    """``value`` with every control character but tab and line breaks removed (exports)."""
    return _CONTROL.sub("", value)


def length_problem(value: str, *, max_length: int, label: str = "This") -> str | None:
    """The message for a value longer than ``max_length``, or None."""
    if len(value) <= max_length:
        return None
    return (
        f"{label} can be at most {max_length:,} characters; it has {len(value):,}. "
        "Shorten it and try again."
    )


def check_lengths(**values: tuple[str, int]) -> None:
    """For services: raise one ValidationError naming each field whose text is over its
    limit, e.g. ``check_lengths(outcome=(outcome, NOTE_TEXT_MAX))``."""
    problems = {
        name: problem
        for name, (value, limit) in values.items()
        if (problem := length_problem(value or "", max_length=limit))
    }
    if problems:
        raise ValidationError(problems)


def at_most(field: str, limit: int, *, name: str) -> CheckConstraint:
    """A database constraint: ``field`` holds at most ``limit`` characters (SQLite does
    not enforce a CharField's length, and a TextField has none)."""
    return CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


@deconstructible
class NoControlCharactersValidator:
    """Refuse control characters (for values that arrive without ``clean_text``)."""

    message = (
        "This has special characters that cannot be saved (often pasted from another "
        "program). Type it again or paste it as plain text."
    )
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator)
