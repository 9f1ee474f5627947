"""Languages volunteers speak and sites need, as short codes (ISO 639).

One list for both, so that a site's needs and a volunteer's languages can be matched;
it lives here because sites (events) and volunteers (accounts) both use it.
"""

from django.conf import settings
from django.utils.translation import get_language, get_language_info
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


def language_label(code: str):
    """The language's name, translated when it is shown (lazily): for texts made now and
    rendered later in another language, such as a mail in its reader's language."""
    return _NAMES.get(code, code)


def language_names(codes) -> list[str]:
    return [language_name(code) for code in codes or []]


def interface_languages() -> list[tuple[str, str]]:
    """The languages the site is offered in (settings.LANGUAGES), each named in itself:
    a person looks for their own language's name, not for its name in Dutch."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def is_offered(code: str | None) -> bool:
    """Whether the site is offered in `code` (a code of settings.LANGUAGES, exactly)."""
    return any(code == offered for offered, _name in settings.LANGUAGES)


def interface_language_or_default(code: str | None) -> str:
    """`code` when the site is offered in it, else the site's default."""
    return code if is_offered(code) else settings.LANGUAGE_CODE


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


def fall_back_to_english() -> None:
    """Make a string missing from a catalogue show in English, its source, not in Dutch.

    Django gives every language the default language (Dutch) as its fallback, so a string
    an Arabic catalogue lacks would show in Dutch, which an Arabic reader is less likely
    to read than English. With no fallback, gettext answers the msgid: our English
    source text. Dutch itself is complete (tests/test_translations.py). Called once from
    `accounts.apps.AccountsConfig.ready`, before any translation is made; Django has no
    setting for it, so this replaces the one method that adds the fallback.
    """
    from django.utils.translation import trans_real

    def _add_fallback(self, localedirs=None):
        return None

    trans_real.DjangoTranslation._add_fallback = _add_fallback
    trans_real._translations.clear()


def in_language(texts: dict[str, str] | None, language: str | None = None) -> str:
    """One text from `texts` (language code → text, as organisers enter names of things in
    each language): the one in `language` (the active language when not given), else the
    English one, else the default language's, else any. Empty texts do not count."""
    texts = {code: text for code, text in (texts or {}).items() if text}
    if not texts:
        return ""
    wanted = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    for code in (wanted, "en", settings.LANGUAGE_CODE):
        if code in texts:
            return texts[code]
    return next(iter(texts.values()))
