"""Languages volunteers speak and sites need, as short codes (ISO 639).

One list for both, so that a site's needs and a volunteer's languages can be matched;
it lives here because sites (events) and volunteers (accounts) both use it.
"""

from django.utils.translation import gettext_lazy as _

# The languages most asked for at azc's and coffee spots, Dutch first.
LANGUAGE_CHOICES = [
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("ti", _("Tigrinya")),
    ("am", _("Amharic")),
    ("fa", _("Persian (Farsi)")),
    ("prs", _("Dari")),
    ("ps", _("Pashto")),
    ("ku", _("Kurdish")),
    ("tr", _("Turkish")),
    ("so", _("Somali")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("ur", _("Urdu")),
]

_NAMES = dict(LANGUAGE_CHOICES)


def language_name(code: str) -> str:
    """The language's name in the current language; an unknown code as it is."""
    return str(_NAMES.get(code, code))


def language_names(codes) -> list[str]:
    return [language_name(code) for code in codes or []]


def language_match(spoken: list[str] | None, needed: list[str] | None) -> dict:
    """How a volunteer's languages fit a site's needs.

    `needed` and `matched` are lists of names; `level` is "none" (the site asks for no
    language), "match" (the volunteer speaks at least one needed language) or "no_match".
    """
    needed_codes = [code for code in (needed or []) if code]
    matched_codes = [code for code in needed_codes if code in set(spoken or [])]
    if not needed_codes:
        level = "none"
    elif matched_codes:
        level = "match"
    else:
        level = "no_match"
    return {
        "needed": [language_name(code) for code in needed_codes],
        "matched": [language_name(code) for code in matched_codes],
        "level": level,
    }
