"""Rows for the pages that list every site of an edition (2,000 and more).

A template pays for each `{% translate %}`, `{% url %}`, `{% include %}`, model attribute
and localised number it meets, and in a row loop it meets them thousands of times. So
these pages hand their templates plain dicts with what a row shows, made here once per
distinct value: a link is a pattern reversed once with the id filled in, a status label
and a time are translated or formatted once for all rows that share them, and the
templates translate their column labels once, before the loop.

Values that cannot hold markup (our own links with a number in them, numbers) come
escaped once and marked safe, so that the template does not escape them thousands of
times; text that people typed (names) is escaped by the template as always.
"""

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from ..models import Site

_MARKER = 918273645


def path_for_pk(viewname: str) -> Callable[[int], SafeString]:
    """A function giving the path of `viewname` for a `pk`, reversed (and escaped) once
    with a marker id: a row only fills its id in."""
    pattern = escape(reverse(viewname, kwargs={"pk": _MARKER})).replace(str(_MARKER), "{}")

    def path(pk: int) -> SafeString:
        return SafeString(pattern.format(int(pk)))  # escaped above; a number

    return path


def digits(number: int) -> SafeString:
    """A whole number as plain digits, with nothing to escape: for ids and for numbers
    in HTML attributes, which are never localised."""
    return SafeString(f"{number:d}")


def number_texts() -> Callable[[int], SafeString]:
    """A function giving a number as the template would write it (localised: with the
    thousands separator when one is in use), each distinct number once: rows share
    their numbers. For HTML attributes (`<meter max>`) use `digits`."""
    made: dict[int, SafeString] = {}

    def text(number: int) -> SafeString:
        found = made.get(number)
        if found is None:
            found = made[number] = escape(formats.localize(number))
        return found

    return text


def status_labels() -> dict[str, SafeString]:
    """Each site status in the language of the request, as `get_status_display` gives it
    (escaped once)."""
    return {value: escape(label) for value, label in Site.Status.choices}


def moment_texts(*patterns: str) -> Callable[[datetime.datetime], tuple[SafeString, ...]]:
    """A function giving a moment as local time in each date `pattern` (as the `date`
    template filter writes it), each distinct moment formatted (and escaped) once: the
    sites of an edition share their hours."""
    made: dict[datetime.datetime, tuple[SafeString, ...]] = {}

    def texts(moment: datetime.datetime) -> tuple[SafeString, ...]:
        found = made.get(moment)
        if found is None:
            local = timezone.localtime(moment)
            found = made[moment] = tuple(
                escape(formats.date_format(local, pattern)) for pattern in patterns
            )
        return found

    return texts
