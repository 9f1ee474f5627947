"""Organisers define kinds of action day and what is counted at them: creating a kind
with its categories, changing it, retiring it, and adding, changing, retiring or deleting
its categories. Each service runs in one transaction and checks everything before it
writes, so bad input changes nothing; it raises `InvalidInput` naming the fields.

It lives in `tallies` (not `events`) because a kind and what is counted at it are
defined together (`events.ActionKind`, `tallies.Category`), and only this layer may read
both.

Rules:

- A code (`^[a-z][a-z0-9_]{1,19}$`) is part of CSS classes, the API, the CSVs and the
  taps stored on phones: it is unique (per kind, for a category) and never changes.
- Names (and what one tap means) are kept per language (`settings.LANGUAGES`); Dutch and
  English names are required, the others fall back to English when shown.
- A marker colour has a contrast of at least 3:1 against white (WCAG 1.4.11, non-text
  contrast), so that markers stay visible on the light map.
- A kind in use (`is_active`) counts at least one category that is not retired. A retired
  kind gets no new editions; its editions keep it.
- A category with counts (`category_in_use`) is never deleted, only retired: it stays in
  the figures of the editions that counted it, and is no longer offered on the counter.

Field names in the errors: the kind's own (`slug`, `marker_colour`, `default_closes_at`,
`templates`, ...), `name_<language>` for its names, and `categories-<n>-<field>` for the
n-th category given (counted from 0), with `categories` for what is about them all.
"""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from common.errors import InvalidInput
from common.text import forbidden_character
from events.models import ActionKind, Shift
from events.services.editions import TemplateSpec
from locations.models import Location

from .categories import category_in_use
from .models import Category

log = logging.getLogger(__name__)

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-f]{6}$")
REQUIRED_LANGUAGES = ("nl", "en")
NAME_MAX_LENGTH = 80
TAP_MAX_LENGTH = 160
MINIMUM_CONTRAST = 3.0
MAX_CATEGORIES = 12
MAX_TEMPLATES = 40


def languages() -> list[str]:
    """The languages names are given in: those the site is offered in, Dutch first."""
    return [code for code, _name in settings.LANGUAGES]


@dataclass
class CategorySpec:
    """One category as an organiser gives it. `slug` names an existing category of the
    kind (which is then changed) or a new one."""

    slug: str
    names: dict[str, str]
    taps: dict[str, str] = field(default_factory=dict)
    reached: bool = True
    is_retired: bool = False


# --- Checks ---------------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of `#rrggbb` (0 black … 1 white)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def _code_problem(code: str) -> str | None:
    if not CODE_PATTERN.match(code or ""):
        return gettext(
            "Give a code of 2 to 20 characters: small letters a–z, digits and _, "
            "starting with a letter (e.g. market_stall)."
        )
    return None


def _texts(
    texts: Mapping[str, str] | None,
    *,
    prefix: str,
    required: tuple[str, ...],
    max_length: int,
    errors: dict[str, list[str]],
    key: str = "",
) -> dict[str, str]:
    """The texts per language, stripped and without empty ones; problems go into `errors`
    under `<key><prefix>_<language>`."""
    kept: dict[str, str] = {}
    for code in languages():
        text = str((texts or {}).get(code) or "").strip()
        name = f"{key}{prefix}_{code}"
        if not text:
            if code in required:
                errors.setdefault(name, []).append(
                    gettext("Give it in %(language)s.") % {"language": _language_name(code)}
                )
            continue
        if len(text) > max_length:
            errors.setdefault(name, []).append(
                gettext("Keep it to %(max)d characters.") % {"max": max_length}
            )
        elif forbidden_character(text) is not None:
            errors.setdefault(name, []).append(
                gettext("Use one line of plain text, without control characters.")
            )
        kept[code] = text
    unknown = set(texts or {}) - set(languages())
    if unknown:
        errors.setdefault(f"{key}{prefix}", []).append(
            gettext("Unknown language: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    return kept


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _templates(templates: list[TemplateSpec], errors: dict[str, list[str]]) -> list[dict]:
    roles = set(Shift.Role.values)
    problems = []
    if len(templates) > MAX_TEMPLATES:
        problems.append(gettext("At most %(max)d default shifts.") % {"max": MAX_TEMPLATES})
    for number, spec in enumerate(templates, start=1):
        if spec.role not in roles:
            problems.append(gettext("Row %(row)d: unknown role.") % {"row": number})
        if spec.starts_at is None or spec.ends_at is None or spec.ends_at <= spec.starts_at:
            problems.append(
                gettext("Row %(row)d: a shift must end after it starts.") % {"row": number}
            )
        if spec.capacity is None or spec.capacity < 0:
            problems.append(gettext("Row %(row)d: places cannot be negative.") % {"row": number})
    if problems:
        errors["templates"] = problems
        return []
    return [spec.as_data() for spec in templates]


def _check_kind(kind: ActionKind, errors: dict[str, list[str]]) -> None:
    colour = (kind.marker_colour or "").lower()
    kind.marker_colour = colour
    if not COLOUR_PATTERN.match(colour):
        errors["marker_colour"] = [gettext("Give a colour as #rrggbb, e.g. #6b2c91.")]
    elif (ratio := contrast_with_white(colour)) < MINIMUM_CONTRAST:
        errors["marker_colour"] = [
            gettext(
                "This colour is too light to see on the map: its contrast with white is "
                "%(ratio).1f:1, and markers need at least 3:1. Choose a darker colour."
            )
            % {"ratio": ratio}
        ]
    if kind.marker_shape not in ActionKind.Shape.values:
        errors["marker_shape"] = [gettext("Choose one of the shapes.")]
    if kind.location_kind not in Location.Kind.values:
        errors["location_kind"] = [gettext("Choose one of the kinds of location.")]
    opens, closes = kind.default_opens_at, kind.default_closes_at
    if opens is None:
        errors["default_opens_at"] = [gettext("Give the usual opening time.")]
    if closes is None:
        errors["default_closes_at"] = [gettext("Give the usual closing time.")]
    elif opens is not None and closes <= opens:
        errors["default_closes_at"] = [gettext("The closing time must be after the opening time.")]
    if kind.position is None or kind.position < 0 or kind.position > 32767:
        errors["position"] = [gettext("Give a position from 0 to 32767.")]


def _check_categories(
    kind: ActionKind,
    specs: list[CategorySpec],
    existing: dict[str, Category],
    errors: dict[str, list[str]],
) -> list[Category]:
    """The categories as they will be saved (existing ones changed in memory)."""
    if len(specs) > MAX_CATEGORIES:
        errors.setdefault("categories", []).append(
            gettext("At most %(max)d categories.") % {"max": MAX_CATEGORIES}
        )
    seen: set[str] = set()
    rows = []
    for index, spec in enumerate(specs):
        key = f"categories-{index}-"
        slug = (spec.slug or "").strip()
        problem = _code_problem(slug)
        if problem:
            errors.setdefault(f"{key}slug", []).append(problem)
        elif slug in seen:
            errors.setdefault(f"{key}slug", []).append(
                gettext("Two categories have the code %(code)s.") % {"code": slug}
            )
        seen.add(slug)
        names = _texts(
            spec.names,
            prefix="name",
            required=REQUIRED_LANGUAGES,
            max_length=NAME_MAX_LENGTH,
            errors=errors,
            key=key,
        )
        taps = _texts(
            spec.taps, prefix="tap", required=(), max_length=TAP_MAX_LENGTH, errors=errors, key=key
        )
        category = existing.get(slug) or Category(kind=kind, slug=slug)
        category.names, category.taps = names, taps
        category.reached, category.is_retired = bool(spec.reached), bool(spec.is_retired)
        category.position = index
        rows.append(category)
    return rows


def _needs_a_category(kind: ActionKind, categories: list[Category], errors) -> None:
    if kind.is_active and not any(not c.is_retired for c in categories):
        errors.setdefault("categories", []).append(
            gettext(
                "A kind in use needs at least one category that is counted (not retired). "
                "Add one, or retire the kind."
            )
        )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(fields=errors)


# --- Kinds ----------------------------------------------------------------------------------

KIND_FIELDS = {
    "marker_colour",
    "marker_shape",
    "location_kind",
    "default_opens_at",
    "default_closes_at",
    "same_weekday",
    "position",
    "is_active",
}


@transaction.atomic
def kind_create(
    *,
    by,
    slug: str,
    names: Mapping[str, str],
    categories: list[CategorySpec],
    templates: list[TemplateSpec] | None = None,
    **fields: Any,
) -> ActionKind:
    """A new kind of action day with what is counted at it (headline first). `fields`:
    `marker_colour`, `marker_shape`, `location_kind`, `default_opens_at`,
    `default_closes_at`, `same_weekday`, `position` (default: after the others),
    `is_active`."""
    errors: dict[str, list[str]] = {}
    unknown = set(fields) - KIND_FIELDS
    if unknown:
        raise InvalidInput(fields={name: [gettext("Unknown field.")] for name in unknown})
    slug = (slug or "").strip()
    problem = _code_problem(slug)
    if problem:
        errors["slug"] = [problem]
    elif ActionKind.objects.filter(slug=slug).exists():
        errors["slug"] = [gettext("Another kind already has the code %(code)s.") % {"code": slug}]
    if "position" not in fields or fields["position"] is None:
        last = ActionKind.objects.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = last + 1 if last is not None else 0
    kind = ActionKind(slug=slug, **fields)
    kind.names = _texts(
        names, prefix="name", required=REQUIRED_LANGUAGES, max_length=NAME_MAX_LENGTH, errors=errors
    )
    kind.shift_templates = _templates(templates or [], errors)
    _check_kind(kind, errors)
    rows = _check_categories(kind, categories, {}, errors)
    _needs_a_category(kind, rows, errors)
    _raise(errors)
    try:
        with transaction.atomic():
            kind.save()
    except IntegrityError:
        # Another organiser made a kind with this code since the check above.
        raise InvalidInput(
            gettext("Another kind already has the code %(code)s.") % {"code": slug}, field="slug"
        ) from None
    for category in rows:
        category.kind = kind
        category.save()
    log.info("kind %s created by %s", kind.slug, getattr(by, "pk", None))
    return kind


@transaction.atomic
def kind_update(
    *,
    kind: ActionKind,
    by,
    names: Mapping[str, str] | None = None,
    categories: list[CategorySpec] | None = None,
    templates: list[TemplateSpec] | None = None,
    **changes: Any,
) -> ActionKind:
    """Change a kind, and (when `categories` is given) its categories: one named by an
    existing code is changed, a new code adds one; categories not named stay as they are
    (they are deleted with `category_delete`). The code never changes; retiring a kind
    is `is_active=False`."""
    if "slug" in changes and changes.pop("slug") not in ("", None, kind.slug):
        raise InvalidInput(
            gettext("The code of a kind cannot change: links, the map and the API carry it."),
            field="slug",
        )
    unknown = set(changes) - KIND_FIELDS
    if unknown:
        raise InvalidInput(fields={name: [gettext("Unknown field.")] for name in unknown})
    kind = ActionKind.objects.select_for_update().get(pk=kind.pk)
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        setattr(kind, name, value)
    if names is not None:
        kind.names = _texts(
            names,
            prefix="name",
            required=REQUIRED_LANGUAGES,
            max_length=NAME_MAX_LENGTH,
            errors=errors,
        )
    if templates is not None:
        kind.shift_templates = _templates(templates, errors)
    _check_kind(kind, errors)
    existing = {c.slug: c for c in Category.objects.filter(kind=kind).order_by("position", "slug")}
    rows: list[Category] = list(existing.values())
    if categories is not None:
        given = _check_categories(kind, categories, existing, errors)
        named = {c.slug for c in given}
        # Those not named keep their place after the ones given.
        rest = [c for slug, c in existing.items() if slug not in named]
        for offset, category in enumerate(rest, start=len(given)):
            category.position = offset
        rows = given + rest
    _needs_a_category(kind, rows, errors)
    _raise(errors)
    kind.save()
    if categories is not None:
        for category in rows:
            category.save()
    log.info("kind %s changed by %s", kind.slug, getattr(by, "pk", None))
    return kind


# --- Categories -----------------------------------------------------------------------------


@transaction.atomic
def category_add(*, kind: ActionKind, spec: CategorySpec, by) -> Category:
    """A new category counted at `kind`, after its others."""
    kind = ActionKind.objects.select_for_update().get(pk=kind.pk)
    existing = list(Category.objects.filter(kind=kind).order_by("position", "slug"))
    errors: dict[str, list[str]] = {}
    if any(c.slug == spec.slug for c in existing):
        raise InvalidInput(
            gettext("This kind already counts a category with the code %(code)s.")
            % {"code": spec.slug},
            field="slug",
        )
    if len(existing) >= MAX_CATEGORIES:
        raise InvalidInput(gettext("At most %(max)d categories.") % {"max": MAX_CATEGORIES})
    (category,) = _check_categories(kind, [spec], {}, errors)
    _raise({name.removeprefix("categories-0-"): messages for name, messages in errors.items()})
    category.position = max((c.position for c in existing), default=-1) + 1
    category.save()
    log.info("category %s/%s added by %s", kind.slug, category.slug, getattr(by, "pk", None))
    return category


@transaction.atomic
def category_retire(*, category: Category, by, retired: bool = True) -> Category:
    """Retire a category (no new counts; old figures keep it), or take it back into use
    (`retired=False`). The last category in use of a kind in use cannot be retired."""
    kind = ActionKind.objects.select_for_update().get(slug=category.kind_id)
    category = Category.objects.get(pk=category.pk)
    category.is_retired = retired
    others = Category.objects.filter(kind=kind, is_retired=False).exclude(pk=category.pk)
    if retired and kind.is_active and not others.exists():
        raise InvalidInput(
            gettext(
                "%(category)s is the last category counted at %(kind)s: add another one "
                "first, or retire the kind."
            )
            % {"category": category.name, "kind": kind.name},
            field="is_retired",
        )
    category.save()
    log.info(
        "category %s/%s %s by %s",
        kind.slug,
        category.slug,
        "retired" if retired else "back in use",
        getattr(by, "pk", None),
    )
    return category


@transaction.atomic
def category_delete(*, category: Category, by) -> None:
    """Delete a category that has no counts (a mistake, say); one with counts is retired
    instead, so that the figures it is part of stay whole."""
    kind = ActionKind.objects.select_for_update().get(slug=category.kind_id)
    category = Category.objects.get(pk=category.pk)
    if category_in_use(category):
        raise InvalidInput(
            gettext("%(category)s has counts: retire it instead.") % {"category": category.name},
            field="delete",
        )
    others = Category.objects.filter(kind=kind, is_retired=False).exclude(pk=category.pk)
    if kind.is_active and not category.is_retired and not others.exists():
        raise InvalidInput(
            gettext(
                "%(category)s is the last category counted at %(kind)s: add another one "
                "first, or retire the kind."
            )
            % {"category": category.name, "kind": kind.name},
            field="delete",
        )
    category.delete()
    log.info("category %s/%s deleted by %s", kind.slug, category.slug, getattr(by, "pk", None))
