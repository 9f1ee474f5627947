"""Editions: creating one, its shift templates, its registration window, and cloning.

Definitions used across the app (and shown to users):

- Registration is *open* from `registration_opens_at` (or at once, when unset) until
  `registration_closes_at` (or, when unset, until the edition's day begins, 00:00
  Europe/Amsterdam). Coordinators register sites only while it is open; organisers may
  register a late site until the day itself.
- An edition is *closed* once its day has passed (Europe/Amsterdam). Sites of a closed
  edition can no longer be registered, submitted, approved or cancelled: the day is
  history. Whether the edition is published does not matter here: sites may be approved
  before an edition goes public, and appear on the map when it does.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError

from .models import Event, Shift, ShiftTemplate, Site, SiteStatusChange

log = logging.getLogger(__name__)

# --- Defaults per kind ---------------------------------------------------------------------

KIND_DEFAULT_HOURS: dict[str, tuple[datetime.time, datetime.time]] = {
    Event.Kind.OPEN_DAY: (datetime.time(11, 0), datetime.time(16, 0)),
    Event.Kind.COFFEE: (datetime.time(10, 0), datetime.time(14, 0)),
}


@dataclass(frozen=True)
class TemplateSpec:
    """One shift every new site of an edition starts with."""

    role: str
    starts_at: datetime.time
    ends_at: datetime.time
    capacity: int


def _spec(role: str, start: str, end: str, capacity: int) -> TemplateSpec:
    return TemplateSpec(
        role, datetime.time.fromisoformat(start), datetime.time.fromisoformat(end), capacity
    )


DEFAULT_SHIFT_PATTERNS: dict[str, list[TemplateSpec]] = {
    # An azc opens 11:00–16:00: two blocks of reception, guided tours and counting at the
    # door, coffee all day.
    Event.Kind.OPEN_DAY: [
        _spec(Shift.Role.RECEPTION, "11:00", "13:30", 3),
        _spec(Shift.Role.RECEPTION, "13:30", "16:00", 3),
        _spec(Shift.Role.TOUR_GUIDE, "11:00", "13:30", 4),
        _spec(Shift.Role.TOUR_GUIDE, "13:30", "16:00", 4),
        _spec(Shift.Role.COFFEE, "11:00", "16:00", 2),
        _spec(Shift.Role.COUNTING, "11:00", "13:30", 1),
        _spec(Shift.Role.COUNTING, "13:30", "16:00", 1),
    ],
    # A coffee stand on a square, 10:00–14:00: set up first, then coffee and talk.
    Event.Kind.COFFEE: [
        _spec(Shift.Role.SETUP, "09:30", "10:00", 2),
        _spec(Shift.Role.COFFEE, "10:00", "12:00", 3),
        _spec(Shift.Role.COFFEE, "12:00", "14:00", 3),
        _spec(Shift.Role.CONVERSATION, "10:00", "14:00", 4),
    ],
}


def default_templates(kind: str) -> list[TemplateSpec]:
    return list(DEFAULT_SHIFT_PATTERNS.get(kind, []))


# --- Time helpers ------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def at_local(date: datetime.date, time: datetime.time) -> datetime.datetime:
    """A wall-clock time on a date in the app's time zone (Europe/Amsterdam)."""
    return datetime.datetime.combine(date, time, tzinfo=_zone())


def move_by_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The same wall-clock time `days` later: 11:00 in summer stays 11:00 in winter."""
    local = timezone.localtime(moment, _zone())
    return at_local(local.date() + datetime.timedelta(days=days), local.time())


def _format_moment(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment, _zone()), "j F Y, H:i")


def _format_date(date: datetime.date) -> str:
    return formats.date_format(date, "j F Y")


# --- Errors ------------------------------------------------------------------------------------


class EditionError(DomainError):
    code = "edition"


class RegistrationClosed(EditionError):
    code = "registration_closed"
    default_message = _("Registration for %(edition)s closed on %(closes)s.")


class RegistrationNotYetOpen(RegistrationClosed):
    code = "registration_not_open"
    default_message = _("Registration for %(edition)s opens on %(opens)s.")


class EditionClosed(EditionError):
    code = "edition_closed"
    default_message = _("%(edition)s took place on %(date)s; its sites can no longer change.")


# --- The registration window -------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationState:
    is_open: bool
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime
    error: EditionError | None

    @property
    def reason(self) -> str:
        return self.error.detail if self.error else ""


def effective_registration_close(event: Event) -> datetime.datetime:
    return event.registration_closes_at or at_local(event.date, datetime.time(0, 0))


def edition_is_closed(event: Event, *, today: datetime.date | None = None) -> bool:
    """The edition's day has passed."""
    today = today or timezone.localdate(timezone=_zone())
    return event.date < today


def edition_closed_error(event: Event) -> EditionClosed:
    return EditionClosed(edition=event.name, date=_format_date(event.date))


def registration_state(event: Event, *, now: datetime.datetime | None = None) -> RegistrationState:
    """Whether coordinators may register sites for `event` now, and if not, why."""
    now = now or timezone.now()
    closes = effective_registration_close(event)
    error: EditionError | None = None
    if edition_is_closed(event, today=timezone.localtime(now, _zone()).date()):
        error = edition_closed_error(event)
    elif event.registration_opens_at and now < event.registration_opens_at:
        error = RegistrationNotYetOpen(
            edition=event.name, opens=_format_moment(event.registration_opens_at)
        )
    elif now >= closes:
        error = RegistrationClosed(edition=event.name, closes=_format_moment(closes))
    return RegistrationState(
        is_open=error is None, opens_at=event.registration_opens_at, closes_at=closes, error=error
    )


def registration_check(*, event: Event, by, now: datetime.datetime | None = None) -> None:
    """Raise unless `by` may register a site for `event` now.

    Organisers may register outside the window (a late site), but not for a closed
    edition. `by=None` is the system itself (an import, a command) and follows the
    organisers' rule.
    """
    state = registration_state(event, now=now)
    if state.is_open:
        return
    is_organiser = by is None or by.has_perm("events.manage_event")
    if is_organiser and not isinstance(state.error, EditionClosed):
        return
    if state.error is not None:
        raise state.error


# --- Creating and changing an edition ----------------------------------------------------------

EVENT_FIELDS = {
    "name",
    "slug",
    "kind",
    "date",
    "description",
    "is_published",
    "registration_opens_at",
    "registration_closes_at",
    "default_opens_at",
    "default_closes_at",
    "release_deadline_hours",
}


def _validate_event(event: Event, *, date_changed: bool = True) -> None:
    """Model rules plus the window: registration closes by the end of the edition's day;
    a new or moved edition lies ahead (a past day can be planned no more)."""
    errors: dict[str, list[str]] = {}
    try:
        event.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    if "slug" in errors and Event.objects.filter(slug=event.slug).exclude(pk=event.pk).exists():
        errors["slug"] = [gettext("Another edition already uses this short name.")]
    if date_changed and event.date and "date" not in errors and edition_is_closed(event):
        errors["date"] = [
            gettext(
                "This day has passed: nothing can be planned on it any more. Choose a coming date."
            )
        ]
    if event.date and event.registration_closes_at and "registration_closes_at" not in errors:
        day_ends = at_local(event.date + datetime.timedelta(days=1), datetime.time(0, 0))
        if event.registration_closes_at > day_ends:
            errors["registration_closes_at"] = [
                gettext("Registration must close before the edition's day is over.")
            ]
    if errors:
        raise ValidationError(errors)


def _slug_for(name: str, slug: str) -> str:
    return slugify(slug or name)[:100]


@transaction.atomic
def event_create(
    *,
    name: str,
    kind: str,
    date: datetime.date,
    by,
    slug: str = "",
    templates: list[TemplateSpec] | None = None,
    default_opens_at: datetime.time | None = None,
    default_closes_at: datetime.time | None = None,
    **fields: Any,
) -> Event:
    """A new edition with its shift templates.

    Opening hours and templates default to the kind's (see `KIND_DEFAULT_HOURS` and
    `DEFAULT_SHIFT_PATTERNS`). The slug defaults to the name's. A new edition is not
    published unless `is_published=True` is given. Raises `ValidationError` naming the
    field.
    """
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in unknown})
    hours = KIND_DEFAULT_HOURS.get(kind, (datetime.time(10, 0), datetime.time(16, 0)))
    event = Event(
        name=name,
        slug=_slug_for(name, slug),
        kind=kind,
        date=date,
        default_opens_at=default_opens_at or hours[0],
        default_closes_at=default_closes_at or hours[1],
        **fields,
    )
    _validate_event(event)
    event.save()
    event_templates_set(
        event=event, templates=default_templates(kind) if templates is None else templates
    )
    log.info("edition %s created by %s", event.slug, getattr(by, "pk", None))
    return event


@transaction.atomic
def event_update(*, event: Event, by, **changes: Any) -> Event:
    """Change an edition's settings. Sites already registered keep their own hours; the
    date cannot change once sites (not cancelled) are registered, since their shifts are
    planned on it."""
    unknown = set(changes) - EVENT_FIELDS
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in unknown})
    event = Event.objects.select_for_update().get(pk=event.pk)
    old_date, old_slug = event.date, event.slug
    if "slug" in changes:
        # The settings form always sends the slug: the one stored (whatever its case, e.g.
        # from the admin) is no change; a new one is written in lower case.
        if changes["slug"] in ("", old_slug):
            del changes["slug"]
        else:
            changes["slug"] = _slug_for(event.name, changes["slug"])
    if changes.get("slug", old_slug) != old_slug and (event.is_published or event.sites.exists()):
        # Calendars subscribed to /calendar/events/<slug>.ics, partners' embedded maps and
        # shared links all carry it.
        raise ValidationError(
            {
                "slug": gettext(
                    "The short name is part of links that people already use (calendar "
                    "subscriptions, embedded maps); it cannot change once the edition is "
                    "published or has sites."
                )
            }
        )
    for name, value in changes.items():
        setattr(event, name, value)
    if event.date != old_date:
        registered = event.sites.exclude(status=Site.Status.CANCELLED).count()
        if registered:
            raise ValidationError(
                {
                    "date": ngettext(
                        "The date cannot change: %(count)d site is planned on this date.",
                        "The date cannot change: %(count)d sites are planned on this date.",
                        registered,
                    )
                    % {"count": registered}
                }
            )
    _validate_event(event, date_changed=event.date != old_date)
    event.save()
    log.info("edition %s changed by %s", event.slug, getattr(by, "pk", None))
    return event


@transaction.atomic
def event_templates_set(*, event: Event, templates: list[TemplateSpec]) -> list[ShiftTemplate]:
    """Replace the edition's shift templates. Sites already registered keep their shifts.

    Raises `ValidationError` with `templates` naming the row (1-based) and what is wrong.
    """
    rows = [
        ShiftTemplate(
            event=event,
            role=spec.role,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            capacity=spec.capacity,
        )
        for spec in templates
    ]
    roles = set(Shift.Role.values)
    problems = []
    for number, row in enumerate(rows, start=1):
        if row.role not in roles:
            problems.append(gettext("Row %(row)d: unknown role.") % {"row": number})
        if row.ends_at <= row.starts_at:
            problems.append(
                gettext("Row %(row)d: a shift must end after it starts.") % {"row": number}
            )
        if row.capacity < 0:
            problems.append(gettext("Row %(row)d: places cannot be negative.") % {"row": number})
    if problems:
        raise ValidationError({"templates": problems})
    ShiftTemplate.objects.filter(event=event).delete()
    return ShiftTemplate.objects.bulk_create(rows)


def templates_of(event: Event) -> list[TemplateSpec]:
    return [
        TemplateSpec(t.role, t.starts_at, t.ends_at, t.capacity)
        for t in event.shift_templates.order_by("starts_at", "role", "pk")
    ]


# --- Cloning -----------------------------------------------------------------------------------

MOVE = object()  # "move the source's value by the same number of days"


@dataclass(frozen=True)
class CloneResult:
    event: Event
    sites: int
    shifts: int


@transaction.atomic
def event_clone(
    *,
    source: Event,
    name: str,
    slug: str,
    date: datetime.date,
    by,
    registration_opens_at: Any = MOVE,
    registration_closes_at: Any = MOVE,
) -> CloneResult:
    """A new edition like `source` on `date`, in one transaction.

    Copies the kind, description, opening hours, release deadline and shift templates;
    every site that was not cancelled becomes a draft for the same branch and location,
    with its shifts. Times move to the new date keeping their wall-clock time (an open
    day at 11:00 in September stays at 11:00 in a winter edition). The registration
    window moves by the same number of days unless given. The new edition is not
    published. Raises `ValidationError` naming the field; then nothing is created.
    """
    days = (date - source.date).days if date else 0

    def moved(value: Any, original: datetime.datetime | None) -> datetime.datetime | None:
        if value is not MOVE:
            return value
        return move_by_days(original, days) if original else None

    templates = templates_of(source) or default_templates(source.kind)
    event = event_create(
        name=name,
        slug=slug,
        kind=source.kind,
        date=date,
        by=by,
        templates=templates,
        default_opens_at=source.default_opens_at,
        default_closes_at=source.default_closes_at,
        description=source.description,
        release_deadline_hours=source.release_deadline_hours,
        registration_opens_at=moved(registration_opens_at, source.registration_opens_at),
        registration_closes_at=moved(registration_closes_at, source.registration_closes_at),
    )

    originals = list(
        source.sites.exclude(status=Site.Status.CANCELLED).order_by("pk").prefetch_related("shifts")
    )
    copies = [
        Site(
            event=event,
            location_id=original.location_id,
            branch_id=original.branch_id,
            name=original.name,
            opens_at=move_by_days(original.opens_at, days),
            closes_at=move_by_days(original.closes_at, days),
            status=Site.Status.DRAFT,
            public_description=original.public_description,
            languages_needed=list(original.languages_needed or []),
            expected_visitors=original.expected_visitors,
            show_approximate_location=original.show_approximate_location,
            created_by=by,
        )
        for original in originals
    ]
    for draft in copies:
        if draft.closes_at <= draft.opens_at:  # only a daylight-saving jump could cause this
            raise ValidationError({"date": gettext("The opening hours do not fit on this date.")})
    Site.objects.bulk_create(copies)

    comment = gettext("Copied from %(edition)s.") % {"edition": source.name}
    SiteStatusChange.objects.bulk_create(
        SiteStatusChange(
            site=draft, from_status="", to_status=Site.Status.DRAFT, changed_by=by, comment=comment
        )
        for draft in copies
    )

    shifts = []
    for original, draft in zip(originals, copies, strict=True):
        for shift in original.shifts.all():
            if shift.is_cancelled:
                continue
            new = Shift(
                site=draft,
                role=shift.role,
                starts_at=move_by_days(shift.starts_at, days),
                ends_at=move_by_days(shift.ends_at, days),
                capacity=shift.capacity,
                notes=shift.notes,
            )
            if new.ends_at <= new.starts_at:
                raise ValidationError({"date": gettext("The shift times do not fit on this date.")})
            shifts.append(new)
    Shift.objects.bulk_create(shifts, batch_size=500)
    log.info(
        "edition %s cloned from %s by %s: %d sites, %d shifts",
        event.slug,
        source.slug,
        getattr(by, "pk", None),
        len(copies),
        len(shifts),
    )
    return CloneResult(event=event, sites=len(copies), shifts=len(shifts))
