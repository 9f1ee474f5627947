"""Text that people type and others read: names of sites, locations and people, addresses,
descriptions and notes.

Such text ends up in pages, mails, calendar feeds, CSV files and the API. Control
characters have no place in it (a line break in a name once broke a site's public calendar
feed for every subscriber), and the Unicode bidi embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069) can make a name read differently from what it is ("Trojan
Source"). The text of a right-to-left language needs none of them: browsers and mail
programs order it by themselves.

`PlainTextValidator(label)` refuses them in one line of text (a name, an address), and
`PlainTextValidator(label, multiline=True)` in text of several lines (where line breaks and
tabs are allowed); `MaxLengthValidator(limit, label)` limits text that has no limit in the
database. Their messages name the field, also where the field is not beside the message
(the API, an import report). Forms, serializers and the location import use them; the
models do not (a validator on a model field needs a migration), so text stored before is
made safe where it leaves: `events.calendar` for feeds, `common.spreadsheets` for CSV.
"""

import re

from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# The bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI,
# PDI). The marks LRM, RLM and ALM are allowed: they change no other character's direction.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"

# A phone number as people type it: digits, spaces, brackets and dashes, perhaps a leading
# "+" (06 12345678, +31 6 12345678). The one pattern of volunteers' and hosts' phones.
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{6,20}$")
# C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_ONE_LINE = re.compile(f"[{_CONTROLS}{BIDI_CONTROLS}]")
# Several lines: tab, line feed and carriage return are allowed.
_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character `value` may not hold, or None."""
    match = (_MULTILINE if multiline else _ONE_LINE).search(value)
    return match.group() if match else None


def plain_text_problem(value: str, label, *, multiline: bool = False) -> str | None:
    """A message naming the field (`label`) when `value` holds a character it may not,
    else None."""
    character = forbidden_character(value, multiline=multiline)
    if character is None:
        return None
    return str(_message(multiline)) % _params(label, character)


def _message(multiline: bool):
    if multiline:
        return _(
            "%(field)s may not contain control characters or characters that change the "
            "direction of the text (found %(character)s)."
        )
    return _(
        "%(field)s may not contain line breaks, tabs, other control characters or "
        "characters that change the direction of the text (found %(character)s)."
    )


def _params(label, character: str) -> dict:
    return {"field": capfirst(str(label)), "character": f"U+{ord(character):04X}"}


@deconstructible
class PlainTextValidator:
    """A Django (and DRF) validator: `value` holds no control characters and no bidi
    embeddings, overrides or isolates (line breaks and tabs allowed with `multiline`)."""

    code = "control_characters"

    def __init__(self, label, *, multiline: bool = False) -> None:
        self.label = label
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        character = forbidden_character(value, multiline=self.multiline)
        if character is not None:
            raise ValidationError(
                _message(self.multiline), code=self.code, params=_params(self.label, character)
            )

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, PlainTextValidator)
            and str(self.label) == str(other.label)
            and self.multiline == other.multiline
        )


class MaxLengthValidator(validators.MaxLengthValidator):
    """Django's length limit, with a message that names the field (for text without a
    limit in the database, such as a site's public description)."""

    message = _("%(field)s may be at most %(limit_value)d characters long (it has %(show_value)d).")

    def __init__(self, limit_value: int, label) -> None:
        super().__init__(limit_value)
        self.label = label

    def __call__(self, value) -> None:
        if not isinstance(value, str) or len(value) <= self.limit_value:
            return
        raise ValidationError(
            self.message,
            code=self.code,
            params={
                "field": capfirst(str(self.label)),
                "limit_value": self.limit_value,
                "show_value": len(value),
                "value": value,
            },
        )

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, MaxLengthValidator)
            and super().__eq__(other)
            and str(self.label) == str(other.label)
        )


# Limits of text that has none in the database (a TextField).
PUBLIC_DESCRIPTION_MAX_LENGTH = 5_000
NOTES_MAX_LENGTH = 2_000
