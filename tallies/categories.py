"""What is counted at each kind of action day: the one place the rest of the app asks.

`categories_of(kind)` lists the categories counted at editions of a kind (by the kind's
slug, `Event.kind`), in their order: the first is the headline figure. Each has a
`slug` (what the API and the CSVs carry), a `name` and a `tap` (what one tap means) in
the active language, and whether it counts towards "people reached".
"""

from dataclasses import dataclass

from .models import TallyEntry
from .selectors import CATEGORIES_BY_KIND


@dataclass(frozen=True)
class Counted:
    slug: str
    name: str
    tap: str
    reached: bool


def categories_of(kind: str) -> list[Counted]:
    return [
        Counted(slug=value, name=category_name(kind, value), tap="", reached=True)
        for value in CATEGORIES_BY_KIND.get(kind, ())
    ]


def category_name(kind: str, slug: str) -> str:
    return str(TallyEntry.Category(slug).label)
