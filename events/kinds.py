"""Kinds of action day as data (`ActionKind`): the one place the rest of the app asks
which kinds there are, what they are called in the active language, how their sites look
on the map, and what a new edition of a kind starts with.

Kinds are read on nearly every page (the map's filter, the edition pages, the counter)
and change a few times a year, so all of them are kept with the stored public answers
(`common.published`, shared by every process) under the scope `KINDS`, which a change to
a kind marks as changed when it commits (and the sites' answers with it: they show the
kinds' names).
Code that only needs an event's kind by code reads `event.kind_id` and asks `kind_of`,
which costs no query once the cache holds the kinds.
"""

import datetime

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext

from common import published
from common.errors import InvalidInput

from .models import ActionKind


def action_kinds() -> dict[str, ActionKind]:
    """Every kind, retired ones too, by code, in the organisers' order."""
    return published.stored_value(
        "action-kinds",
        [],
        [published.KINDS],
        lambda: {kind.slug: kind for kind in ActionKind.objects.order_by("position", "slug")},
    )


def kinds_changed(**kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    published.changed(published.KINDS, published.SITES, published.TALLIES)


def kind_of(value: "str | ActionKind | None") -> ActionKind | None:
    """The kind with code `value` (or `value` itself when it is a kind)."""
    if isinstance(value, ActionKind):
        return value
    return action_kinds().get(value or "")


def kind_name(value: "str | ActionKind | None") -> str:
    kind = kind_of(value)
    return kind.name if kind else str(value or "")


def kind_choices(*, keep: str = "") -> list[tuple[str, str]]:
    """The kinds a new edition may have (those in use), as (code, name); `keep` adds a
    retired kind an existing edition already has, so that its form still shows it."""
    return [
        (slug, kind.name) for slug, kind in action_kinds().items() if kind.is_active or slug == keep
    ]


def kind_required(value: str, *, field: str = "kind", active: bool = True) -> ActionKind:
    """The kind with code `value`, or `InvalidInput` on `field` naming the kinds there are."""
    kind = kind_of(value)
    if kind is None or (active and not kind.is_active):
        raise InvalidInput(
            gettext("Give one of: %(kinds)s.") % {"kinds": kinds_listed(active=active)},
            field=field,
        )
    return kind


def kinds_listed(*, active: bool = False) -> str:
    return ", ".join(
        f"{slug} ({kind.name})"
        for slug, kind in action_kinds().items()
        if kind.is_active or not active
    )


def kind_hours(value: "str | ActionKind | None") -> tuple[datetime.time, datetime.time]:
    """The opening hours a new edition of the kind starts with."""
    kind = kind_of(value)
    if kind is None:
        return datetime.time(10, 0), datetime.time(16, 0)
    return kind.default_opens_at, kind.default_closes_at


def connect() -> None:
    post_save.connect(kinds_changed, sender=ActionKind, dispatch_uid="events.kinds.saved")
    post_delete.connect(kinds_changed, sender=ActionKind, dispatch_uid="events.kinds.deleted")
