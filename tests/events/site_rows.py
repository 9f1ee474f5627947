"""The rows of the pages that list every site of an edition (2,000 and more): what they
say, and what they cost.

`per_request` counts what a page does per row: it must not reverse a URL, translate a
label, include a template or localise a number or a time once per site. Like a pinned
query count, the counts of a page with few sites and with many must be the same.
`rows` gives a list's items as their HTML, without the white space of the layout.
"""

import cProfile
import pstats
import re
from collections.abc import Callable

from django.db.models import Model
from django.template.loader_tags import IncludeNode
from django.templatetags.i18n import TranslateNode
from django.urls import base as urls
from django.utils import formats

WATCHED = {
    "reverse()": urls.reverse,
    "{% translate %}": TranslateNode.render,
    "{% include %}": IncludeNode.render,
    "number localisation": formats.number_format,
    "date formatting": formats.date_format,
    "time formatting": formats.time_format,
    "get_…_display()": Model._get_FIELD_display,
}


def per_request(request: Callable[[], object]) -> dict[str, int]:
    """How often each watched function ran while `request()` did."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        request()
    finally:
        profile.disable()
    calls = {
        (filename, line, name): stats[1]
        for (filename, line, name), stats in pstats.Stats(profile).stats.items()
    }
    counts = {}
    for label, function in WATCHED.items():
        code = function.__code__
        counts[label] = calls.get((code.co_filename, code.co_firstlineno, code.co_name), 0)
    return counts


def rows(html: str, start: str, end: str, item: str = "tr") -> list[str]:
    """The `<item>` elements between the first `start` and the `end` after it (header
    rows left out), each with its runs of white space one space, and none between two
    tags (the template's layout)."""
    begin = html.index(start)
    body = html[begin : html.index(end, begin)]
    found = re.findall(rf"<{item}[ >].*?</{item}>", body, re.S)
    return [re.sub(r"\s+", " ", row).replace("> <", "><") for row in found if "<th" not in row]
