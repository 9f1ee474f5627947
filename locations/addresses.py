"""Dutch address parts: house numbers with additions, provinces by name, one-line addresses.

A Dutch house number (BAG) is a whole number from 1 to 99999, optionally followed by a
house letter (`10A`) and/or an addition of up to four letters or digits (`10-2`, `10 hs`,
`10A-1`). We keep the number in `Location.house_number` and the rest in
`Location.house_number_addition`, written the way a letter would carry it after the
number: the letter straight after (`A`), an addition after a hyphen (`-2`, `-HS`),
both together as `A-1`. `format_house_number()` turns the two back into one string.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .gazetteer import fold
from .models import Province

MAX_HOUSE_NUMBER = 99999

# number, then an optional single letter, then an optional addition of 1-4 letters/digits,
# with any of space, hyphen or slash between the parts.
_HOUSE_NUMBER = re.compile(
    r"""^\s*
    (?P<number>[0-9]{1,5})(?![0-9])
    (?:\s*(?P<letter>[A-Za-z])(?![A-Za-z]))?
    (?:\s*[-/ ]?\s*(?P<addition>[A-Za-z0-9]{1,4}))?
    \s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class HouseNumber:
    number: int
    letter: str = ""
    addition: str = ""

    @property
    def suffix(self) -> str:
        """What `Location.house_number_addition` stores: `A`, `-2`, `A-2` or ``."""
        return self.letter + (f"-{self.addition}" if self.addition else "")

    def __str__(self) -> str:
        return f"{self.number}{self.suffix}"


def parse_house_number(value: str | int, addition: str = "") -> HouseNumber:
    """Read `10`, `10A`, `10 a`, `10-2`, `10A-2`, `10 hs` (and an addition given apart).

    Raises `ValidationError` (code `invalid_house_number`) with a message a person can act
    on: a number of 0, above 99999, or an addition longer than four letters or digits.
    """
    text = f"{value}".strip()
    extra = (addition or "").strip().lstrip("-/ ").strip()
    if extra:
        text = f"{text}-{extra}" if re.fullmatch(r"[0-9]+[A-Za-z]?", text) else f"{text}{extra}"
    match = _HOUSE_NUMBER.match(text)
    if not match:
        raise ValidationError(
            _(
                "“%(value)s” is not a Dutch house number: write a number, optionally with a "
                "letter or an addition of up to four characters, like 10, 10A or 10-2."
            ),
            code="invalid_house_number",
            params={"value": text},
        )
    number = int(match.group("number"))
    if not 1 <= number <= MAX_HOUSE_NUMBER:
        raise ValidationError(
            _("A house number lies between 1 and 99999."), code="invalid_house_number"
        )
    letter = (match.group("letter") or "").upper()
    rest = (match.group("addition") or "").upper()
    # "10 A" without anything after it: a house letter, not an addition.
    if not letter and len(rest) == 1 and rest.isalpha():
        letter, rest = rest, ""
    return HouseNumber(number=number, letter=letter, addition=rest)


def format_house_number(number: int | None, addition: str = "") -> str:
    """`10` + `A` → `10A`; `10` + `-2` → `10-2`; an addition stored without a hyphen
    (older rows: `2`, `bis`) gets one unless it is a single letter."""
    if not number:
        return ""
    addition = (addition or "").strip()
    if not addition:
        return str(number)
    if addition[0] in "-/" or (
        addition[0].isalpha() and (len(addition) == 1 or addition[1] == "-")
    ):
        return f"{number}{addition}"
    return f"{number}-{addition}"


_STREET_AND_NUMBER = re.compile(
    r"^\s*(?P<street>.*\S)\s+"
    r"(?P<number>[0-9]{1,5}(?:\s*[A-Za-z](?![A-Za-z]))?(?:\s*[-/]\s*[A-Za-z0-9]{1,4}|\s+[A-Za-z]{1,4})?)"
    r"\s*$"
)


def split_street_and_number(text: str) -> tuple[str, str]:
    """`Havenstraat 10A` → (`Havenstraat`, `10A`); `Plein 1944 12` → (`Plein 1944`, `12`).

    Without a trailing number the whole text is the street and the number is empty.
    """
    match = _STREET_AND_NUMBER.match(text or "")
    if not match:
        return (text or "").strip(), ""
    return match.group("street").strip(), match.group("number").strip()


# --- Provinces ---------------------------------------------------------------------------

_PROVINCE_NAMES: dict[str, str] = {}
for _province in Province:
    _PROVINCE_NAMES[fold(_province.value)] = _province.value
    _PROVINCE_NAMES[fold(_province.label)] = _province.value
_PROVINCE_NAMES.update(
    {
        "friesland": Province.FRIESLAND,
        "fryslan": Province.FRIESLAND,
        "north holland": Province.NOORD_HOLLAND,
        "south holland": Province.ZUID_HOLLAND,
        "north brabant": Province.NOORD_BRABANT,
        "brabant": Province.NOORD_BRABANT,
        "zealand": Province.ZEELAND,
        # Abbreviations written after a town name: "Hengelo (Gld)", "Rijswijk (ZH)".
        "gld": Province.GELDERLAND,
        "gl": Province.GELDERLAND,
        "ov": Province.OVERIJSSEL,
        "ovl": Province.OVERIJSSEL,
        "gr": Province.GRONINGEN,
        "gn": Province.GRONINGEN,
        "dr": Province.DRENTHE,
        "d": Province.DRENTHE,
        "fl": Province.FLEVOLAND,
        "fr": Province.FRIESLAND,
        "ut": Province.UTRECHT,
        "u": Province.UTRECHT,
        "nh": Province.NOORD_HOLLAND,
        "zh": Province.ZUID_HOLLAND,
        "ze": Province.ZEELAND,
        "z": Province.ZEELAND,
        "zl": Province.ZEELAND,
        "nb": Province.NOORD_BRABANT,
        "li": Province.LIMBURG,
        "l": Province.LIMBURG,
        "lb": Province.LIMBURG,
    }
)


def province_code(name: str) -> str:
    """The two-letter code of a province given by code, Dutch, Frisian or English name;
    `""` when `name` is empty or no province."""
    return str(_PROVINCE_NAMES.get(fold(name or ""), "")) if name else ""
