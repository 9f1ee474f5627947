"""`{% load bidi %}`: text of one direction kept whole inside text of the other.

Arabic and Farsi pages run right to left. A Dutch name, an address, a time or "+1" in
them is a run of left-to-right text, and the browser attaches the brackets, full stops,
dashes and signs at its edges to the wrong side ("+1" shows as "1+", "azc Utrecht
(noord)" loses its bracket to the far end of the line). An isolate (`<bdi>`) keeps such a
value whole and leaves the sentence around it alone.

In a template's own markup write `<bdi>…</bdi>` (a name, an address: its direction comes
from its first letter) or `<bdi dir="ltr">…</bdi>` (times, postcodes, phone numbers, e-mail
addresses, "+1"). These filters are for values inside a translated sentence, where no
markup can go: `{% blocktranslate with site=site.display_name|bdi %}`. In loops over
thousands of rows write the tags: a filter costs a call per row.
"""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value) -> SafeString:
    """`value` (escaped) isolated in the direction of its own first letter."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def ltr(value) -> SafeString:
    """`value` (escaped) isolated and left to right, whatever the page's direction."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.simple_tag
def written_lang() -> SafeString:
    """` lang="nl"` for an element holding text that people typed for the public (a site's
    description, an edition's, a shift's notes): it is written in Dutch, the site's own
    language, so on a page in another language it says so (WCAG 3.1.2) and a screen reader
    reads it with a Dutch voice. Nothing on a Dutch page. Keep `dir="auto"` next to it: the
    text may still hold a line in Arabic."""
    if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return SafeString("")
    return format_html(' lang="{}"', settings.LANGUAGE_CODE)
