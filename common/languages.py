"""Languages volunteers speak and sites need, as short codes (ISO 639).

One list for both, so that a site's needs and a volunteer's languages can be matched;
it lives here because the site forms (events) and the volunteer forms use it.
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
