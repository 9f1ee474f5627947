"""Editions: creating one, its shift templates, and its registration window.

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

from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from common import clock
from common.errors import InvalidInput, full_clean

from ..errors import EditionClosed, EditionError, RegistrationClosed, RegistrationNotYetOpen
from ..kinds import kind_hours, kind_of, kind_required
from ..models import ActionKind, Event, Shift, ShiftTemplate, Site

log = logging.getLogger(__name__)

# --- Defaults per kind ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSpec:
    """One shift every new site of an edition starts with."""

    role: str
    starts_at: datetime.time
    ends_at: datetime.time
    capacity: int

    def as_data(self) -> dict:
        """As a kind keeps it (`ActionKind.shift_templates`)."""
        return {
            "role": self.role,
            "starts_at": self.starts_at.strftime("%H:%M"),
            "ends_at": self.ends_at.strftime("%H:%M"),
            "capacity": self.capacity,
        }

    @classmethod
    def from_data(cls, data: dict) -> "TemplateSpec":
        return cls(
            data["role"],
            datetime.time.fromisoformat(data["starts_at"]),
            datetime.time.fromisoformat(data["ends_at"]),
            int(data["capacity"]),
        )


def kind_templates(kind: "str | ActionKind | None") -> list[TemplateSpec]:
    """The shifts every site of a new edition of the kind starts with (the kind's
    default shifts), for the kind's own opening hours."""
    found = kind_of(kind)
    return [TemplateSpec.from_data(row) for row in (found.shift_templates if found else [])]


def default_templates(
    kind: "str | ActionKind | None", hours: tuple[datetime.time, datetime.time] | None = None
) -> list[TemplateSpec]:
    """The kind's usual shifts, fitted to `hours` (opening, closing) when given: an
    evening coffee action gets its shifts in the evening, not at the kind's usual 10:00."""
    pattern = kind_templates(kind)
    if hours is None or kind_of(kind) is None:
        return pattern
    return fit_to_hours(pattern, from_hours=kind_hours(kind), to_hours=hours)


def _minutes(time: datetime.time) -> int:
    return time.hour * 60 + time.minute


def fit_to_hours(
    specs: list[TemplateSpec],
    *,
    from_hours: tuple[datetime.time, datetime.time],
    to_hours: tuple[datetime.time, datetime.time],
) -> list[TemplateSpec]:
    """Shifts planned for the opening hours `from_hours`, moved onto `to_hours`.

    A time within the hours keeps its place relative to them (stretched or shrunk with
    their length, to 5 minutes); a time before opening or after closing keeps its
    distance (set-up half an hour before opening stays half an hour before). Times stay
    within the day; a shift that would then be empty is left out."""
    (f_open, f_close), (t_open, t_close) = map(_minutes, from_hours), map(_minutes, to_hours)
    if (f_open, f_close) == (t_open, t_close) or f_close <= f_open or t_close <= t_open:
        return list(specs)

    def move(time: datetime.time) -> int:
        minute = _minutes(time)
        if minute <= f_open:
            moved = t_open - (f_open - minute)
        elif minute >= f_close:
            moved = t_close + (minute - f_close)
        else:
            moved = (
                t_open + round((minute - f_open) * (t_close - t_open) / (f_close - f_open) / 5) * 5
            )
        return min(max(moved, 0), 24 * 60 - 1)

    fitted = []
    for spec in specs:
        start, end = move(spec.starts_at), move(spec.ends_at)
        if end > start:
            fitted.append(
                TemplateSpec(
                    spec.role,
                    datetime.time(start // 60, start % 60),
                    datetime.time(end // 60, end % 60),
                    spec.capacity,
                )
            )
    return fitted


# --- Time helpers ------------------------------------------------------------------------------

at_local = clock.at_local


def _format_moment(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment, clock.local_zone()), "j b H:i")


def _format_date(date: datetime.date) -> str:
    return formats.date_format(date, "l j F Y")


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

    @property
    def can_be_opened(self) -> bool:
        """Closed (or not open yet) by the window alone: the national organisers can open
        or extend it. A past edition no one can open."""
        return isinstance(self.error, RegistrationClosed)


def effective_registration_close(event: Event) -> datetime.datetime:
    return event.registration_closes_at or at_local(event.date, datetime.time(0, 0))


def edition_is_closed(event: Event, *, today: datetime.date | None = None) -> bool:
    """The edition's day has passed."""
    return event.date < (today or clock.today())


def refuse_closed_edition(event: Event) -> None:
    """Raise `EditionClosed` once the edition's day has passed: its sites, shifts and
    sign-ups are history, and every change to them is refused with this one error."""
    if edition_is_closed(event):
        raise edition_closed_error(event)


def edition_closed_error(event: Event) -> EditionClosed:
    return EditionClosed(edition=event.name, date=_format_date(event.date))


def registration_state(event: Event, *, now: datetime.datetime | None = None) -> RegistrationState:
    """Whether coordinators may register sites for `event` now, and if not, why."""
    now = now or clock.now()
    closes = effective_registration_close(event)
    error: EditionError | None = None
    if edition_is_closed(event, today=timezone.localtime(now, clock.local_zone()).date()):
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


def registration_allows(*, event: Event, by, now: datetime.datetime | None = None) -> bool:
    """Whether `registration_check` would let `by` register a site for `event` now."""
    try:
        registration_check(event=event, by=by, now=now)
    except EditionError:
        return False
    return True


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
        full_clean(event)
    except InvalidInput as error:
        errors = error.field_errors
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
        raise InvalidInput(fields=errors)


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

    `kind` is a kind's code (`ActionKind.slug`), of a kind in use. Opening hours default
    to the kind's, templates to the kind's default shifts fitted to the edition's hours. The slug
    defaults to the name's. A new edition is not published unless `is_published=True` is
    given. Raises `InvalidInput` naming the field.
    """
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise InvalidInput(fields={name: [gettext("Unknown field.")] for name in unknown})
    found = kind_required(kind)
    hours = kind_hours(found)
    event = Event(
        name=name,
        slug=_slug_for(name, slug),
        kind=found,
        date=date,
        default_opens_at=default_opens_at or hours[0],
        default_closes_at=default_closes_at or hours[1],
        **fields,
    )
    _validate_event(event)
    event.save()
    if templates is None:
        templates = default_templates(kind, (event.default_opens_at, event.default_closes_at))
    event_templates_set(event=event, templates=templates)
    log.info("edition %s created by %s", event.slug, getattr(by, "pk", None))
    return event


@transaction.atomic
def event_update(*, event: Event, by, **changes: Any) -> Event:
    """Change an edition's settings. Sites already registered keep their own hours; the
    date cannot change once sites (not cancelled) are registered, since their shifts are
    planned on it."""
    unknown = set(changes) - EVENT_FIELDS
    if unknown:
        raise InvalidInput(fields={name: [gettext("Unknown field.")] for name in unknown})
    event = Event.objects.select_for_update().get(pk=event.pk)
    old_date, old_slug = event.date, event.slug
    old_hours = (event.default_opens_at, event.default_closes_at)
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
        raise InvalidInput(
            gettext(
                "The short name is part of links that people already use (calendar "
                "subscriptions, embedded maps); it cannot change once the edition is "
                "published or has sites."
            ),
            field="slug",
        )
    if "kind" in changes:
        kind = changes.pop("kind")
        kind = kind.slug if isinstance(kind, ActionKind) else kind
        if kind != event.kind_id:
            if event.sites.exists():
                # Their counts and shifts belong to the kind they were made for.
                raise InvalidInput(
                    gettext("The kind cannot change once sites are registered."), field="kind"
                )
            event.kind = kind_required(kind)
    for name, value in changes.items():
        setattr(event, name, value)
    if event.date != old_date:
        registered = event.sites.exclude(status=Site.Status.CANCELLED).count()
        if registered:
            raise InvalidInput(
                ngettext(
                    "The date cannot change: %(count)d site is planned on this date.",
                    "The date cannot change: %(count)d sites are planned on this date.",
                    registered,
                )
                % {"count": registered},
                field="date",
            )
    _validate_event(event, date_changed=event.date != old_date)
    event.save()
    new_hours = (event.default_opens_at, event.default_closes_at)
    if new_hours != old_hours and _same_templates(
        templates_of(event), default_templates(event.kind_id, old_hours)
    ):
        # Templates nobody changed follow the new hours; an organiser's own stay as they are.
        event_templates_set(event=event, templates=default_templates(event.kind_id, new_hours))
    log.info("edition %s changed by %s", event.slug, getattr(by, "pk", None))
    return event


@transaction.atomic
def event_templates_set(*, event: Event, templates: list[TemplateSpec]) -> list[ShiftTemplate]:
    """Replace the edition's shift templates. Sites already registered keep their shifts.

    Raises `InvalidInput` on `templates`, naming the row (1-based) and what is wrong.
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
        raise InvalidInput(fields={"templates": problems})
    ShiftTemplate.objects.filter(event=event).delete()
    return ShiftTemplate.objects.bulk_create(rows)


def _same_templates(one: list[TemplateSpec], other: list[TemplateSpec]) -> bool:
    def key(spec: TemplateSpec) -> tuple:
        return (spec.starts_at, spec.ends_at, spec.role, spec.capacity)

    return sorted(one, key=key) == sorted(other, key=key)


def templates_of(event: Event) -> list[TemplateSpec]:
    return [
        TemplateSpec(t.role, t.starts_at, t.ends_at, t.capacity)
        for t in event.shift_templates.order_by("starts_at", "role", "pk")
    ]
