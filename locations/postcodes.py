"""Dutch postcodes: four digits (not starting with 0) and two letters, written `1234 AB`.

The letter pairs SA, SD and SS are never issued (PostNL leaves them out for their
connotations), so they are refused as well.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE_PATTERN = r"^[1-9][0-9]{3} (?!SA|SD|SS)[A-Z]{2}$"
_LOOSE = re.compile(r"^\s*([0-9]{4})\s*([A-Za-z]{2})\s*$")
_STRICT = re.compile(POSTCODE_PATTERN)


def normalise_postcode(value: str) -> str:
    """Return `value` as `1234 AB`, or raise `ValidationError` when it is no Dutch postcode."""
    match = _LOOSE.match(value or "")
    if not match:
        raise ValidationError(
            _("Enter a Dutch postcode: four digits and two letters, like 1234 AB."),
            code="invalid_postcode",
        )
    candidate = f"{match.group(1)} {match.group(2).upper()}"
    if not _STRICT.match(candidate):
        raise ValidationError(
            _("%(postcode)s is not a valid Dutch postcode."),
            code="invalid_postcode",
            params={"postcode": candidate},
        )
    return candidate


def validate_postcode(value: str) -> None:
    if value and not _STRICT.match(value):
        raise ValidationError(
            _("Enter a Dutch postcode written like 1234 AB."), code="invalid_postcode"
        )
