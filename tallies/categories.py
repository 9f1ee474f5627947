"""What is counted at each kind of action day (`Category`, data that organisers define
with the kind): the one place the rest of the app asks.

`categories_of(kind)` lists the categories counted at editions of a kind (by the kind's
code, `Event.kind_id`, or the kind itself), in their order: the first is the headline
figure. Each has a `slug` (what the API and the CSVs carry), a `name` and a `tap` (what
one tap means) in the active language, and `reached`: whether it counts towards "people
reached". Retired categories are left out unless asked for: no new counts go to them,
but the figures of editions that counted them still show them (`counted_at`).

The categories are kept with the stored public answers like the kinds (`events.kinds`),
under the same scope `KINDS`.
"""

from django.db.models.signals import post_delete, post_save

from common import published
from events.kinds import kinds_changed
from events.models import ActionKind, Event

from .models import Category, TallyHour


def _by_kind() -> dict[str, list[Category]]:
    def build() -> dict[str, list[Category]]:
        found: dict[str, list[Category]] = {}
        for category in Category.objects.order_by("kind_id", "position", "slug"):
            found.setdefault(category.kind_id, []).append(category)
        return found

    return published.stored_value("tally-categories", [], [published.KINDS], build)


def _slug(kind: "str | ActionKind | None") -> str:
    return kind.slug if isinstance(kind, ActionKind) else (kind or "")


def categories_of(kind: "str | ActionKind | None", *, retired: bool = False) -> list[Category]:
    """The categories counted at the kind, headline first; `retired=True` adds those no
    longer counted."""
    return [c for c in _by_kind().get(_slug(kind), []) if retired or not c.is_retired]


def category_slugs(kind: "str | ActionKind | None") -> tuple[str, ...]:
    """The codes of the categories counted now at the kind: what a tap may carry."""
    return tuple(category.slug for category in categories_of(kind))


def category_of(kind: "str | ActionKind | None", slug: str) -> Category | None:
    return next((c for c in categories_of(kind, retired=True) if c.slug == slug), None)


def category_name(kind: "str | ActionKind | None", slug: str) -> str:
    """The category's name in the active language (its code when there is no such one)."""
    category = category_of(kind, slug)
    return category.name if category else slug


def known_slugs() -> frozenset[str]:
    """Every category's code at any kind: a tap naming none of these is malformed."""
    return frozenset(c.slug for categories in _by_kind().values() for c in categories)


def counted_at(event: Event) -> list[Category]:
    """The categories an edition's figures show: those counted at its kind now, and a
    retired one only when the edition has counts in it (one query, and only then)."""
    every = categories_of(event.kind_id, retired=True)
    retired = [c.slug for c in every if c.is_retired]
    kept: set[str] = set()
    if retired:
        kept = set(
            TallyHour.objects.filter(site__event=event, category__in=retired)
            .values_list("category", flat=True)
            .distinct()
        )
    return [c for c in every if not c.is_retired or c.slug in kept]


def category_in_use(category: Category) -> bool:
    """Whether counts were stored in the category (at any edition of its kind): then it
    is retired instead of deleted."""
    return TallyHour.objects.filter(
        category=category.slug, site__event__kind_id=category.kind_id
    ).exists()


def connect() -> None:
    post_save.connect(kinds_changed, sender=Category, dispatch_uid="tallies.categories.saved")
    post_delete.connect(kinds_changed, sender=Category, dispatch_uid="tallies.categories.deleted")
