"""Changes to sites and shifts. Every page, API view, admin action and command calls these.

Calendar feeds depend on `sequence`: it goes up whenever the time or the place of a site
or shift changes, so subscribed calendars replace their copy (RFC 5545, 3.8.7.4).
"""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from locations.models import Branch, Location

from .models import Event, Shift, Site, SiteStatusChange

SITE_FIELDS = {
    "name",
    "location",
    "opens_at",
    "closes_at",
    "public_description",
    "languages_needed",
    "expected_visitors",
    "show_approximate_location",
}
SITE_TIME_AND_PLACE = {"location", "opens_at", "closes_at"}
SHIFT_FIELDS = {"role", "starts_at", "ends_at", "capacity", "notes"}
SHIFT_TIME = {"starts_at", "ends_at"}


def _apply(obj, changes: dict[str, Any], allowed: set[str]) -> set[str]:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            {name: ValidationError("This field cannot be changed here.") for name in unknown}
        )
    changed = set()
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    return changed


@transaction.atomic
def site_create(
    *,
    event: Event,
    location: Location,
    branch: Branch,
    by,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    shifts_from_templates: bool = True,
    **fields: Any,
) -> Site:
    """Register a new draft site; opening hours default to the edition's default hours,
    and its shifts are made from the edition's shift templates.

    Refused outside the edition's registration window (`events.editions.RegistrationClosed`,
    with the reason), except for organisers, who may add a late site until the edition's
    day (`EditionClosed` after it). Raises `ValidationError` naming the field (e.g.
    `location` when the location already has a site in this edition, `closes_at` when it
    closes before it opens). The registration is the first entry of the site's history.
    """
    from .editions import registration_check  # editions imports this module's models only

    registration_check(event=event, by=by)
    site = Site(event=event, location=location, branch=branch, created_by=by)
    if opens_at is None:
        opens_at = _at(event.date, event.default_opens_at)
    if closes_at is None:
        closes_at = _at(event.date, event.default_closes_at)
    site.opens_at, site.closes_at = opens_at, closes_at
    _apply(site, fields, SITE_FIELDS - SITE_TIME_AND_PLACE)
    site.full_clean()
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        # Another registration took this location between the check and the insert.
        raise ValidationError({"location": _location_taken_message()}) from None
    SiteStatusChange.objects.create(
        site=site, from_status="", to_status=Site.Status.DRAFT, changed_by=by
    )
    if shifts_from_templates:
        Shift.objects.bulk_create(
            Shift(
                site=site,
                role=template.role,
                starts_at=_at(event.date, template.starts_at),
                ends_at=_at(event.date, template.ends_at),
                capacity=template.capacity,
            )
            for template in event.shift_templates.order_by("starts_at", "role", "pk")
        )
    return site


def _location_taken_message() -> str:
    constraint = next(c for c in Site._meta.constraints if c.name == "site_one_per_event_location")
    return str(constraint.violation_error_message)


def _at(date: datetime.date, time: datetime.time) -> datetime.datetime:
    """A wall-clock time on a date in the app's time zone (Europe/Amsterdam)."""
    return datetime.datetime.combine(date, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def site_update(*, site: Site, by, **changes: Any) -> Site:
    """Change a site's details. Time or place changes raise its calendar `sequence`, and
    a change of place raises that of its shifts too (they happen at the site).

    A cancelled site (`SiteWrongStatus`) and a site of an edition whose day has passed
    (`EditionClosed`) keep their record as it was: both are refused.
    """
    from .editions import edition_closed_error, edition_is_closed
    from .site_status import SiteWrongStatus

    site = Site.objects.select_for_update(of=("self",)).select_related("event").get(pk=site.pk)
    if site.status == Site.Status.CANCELLED:
        raise SiteWrongStatus(status=site.get_status_display())
    if edition_is_closed(site.event):
        raise edition_closed_error(site.event)
    changed = _apply(site, changes, SITE_FIELDS)
    if not changed:
        return site
    site.full_clean()
    if changed & SITE_TIME_AND_PLACE:
        site.sequence += 1
    site.save()
    if "location" in changed:
        # `update()` skips auto_now: set updated_at too, so the feeds' DTSTAMP moves with it.
        site.shifts.update(sequence=F("sequence") + 1, updated_at=timezone.now())
    return site


@transaction.atomic
def site_cancel(*, site: Site, by, comment: str = "") -> Site:
    """Cancel a site: it stays in the calendar feeds as cancelled (`STATUS:CANCELLED`) with
    a higher `sequence`, and so do its shifts, so subscribed calendars drop them.

    The status change is kept in the site's history. Cancelling a cancelled site changes
    nothing. Telling volunteers and freeing their places belongs to the sign-up rules:
    pages call `volunteers.cancellation.site_cancel`, which does that and then this.
    """
    site = Site.objects.select_for_update().get(pk=site.pk)
    if site.status == Site.Status.CANCELLED:
        return site
    SiteStatusChange.objects.create(
        site=site,
        from_status=site.status,
        to_status=Site.Status.CANCELLED,
        changed_by=by,
        comment=comment,
    )
    site.status = Site.Status.CANCELLED
    site.sequence += 1
    site.save()
    site.shifts.update(sequence=F("sequence") + 1, updated_at=timezone.now())
    return site


def sites_location_moved(*, location: Location, **_ignored: Any) -> int:
    """A location's place changed (its address or position): every site there, and
    every shift at those sites, gets a higher calendar `sequence` and a new `updated_at`, so
    subscribed calendars take the new LOCATION and GEO. Returns the number of sites.

    Connected to `locations.signals.location_moved` (the locations layer cannot call up to
    events); runs inside `location_save`'s transaction."""
    now = timezone.now()
    # Sites first (by primary key), then their shifts: the order site_cancel and
    # site_update lock in, so that the two never wait for each other.
    site_ids = list(
        Site.objects.select_for_update()
        .filter(location=location)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Site.objects.filter(pk__in=site_ids).update(sequence=F("sequence") + 1, updated_at=now)
    Shift.objects.filter(site_id__in=site_ids).update(sequence=F("sequence") + 1, updated_at=now)
    return len(site_ids)


@transaction.atomic
def shift_create(
    *,
    site: Site,
    role: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    notes: str = "",
) -> Shift:
    """Plan a new shift at `site`. Raises `ValidationError` naming the field; on `site`
    when the site is cancelled (its shifts are cancelled with it, and a new one there
    would be a live shift nobody can claim) or its edition's day has passed; on
    `starts_at` when the site has this shift already."""
    from .site_status import SiteWrongStatus

    # Locked, so that the same shift sent twice at once (a double tap) is made once.
    site = Site.objects.select_for_update(of=("self",)).select_related("event").get(pk=site.pk)
    if site.status == Site.Status.CANCELLED:
        raise ValidationError({"site": SiteWrongStatus(status=Site.Status.CANCELLED.label).detail})
    refuse_closed_edition(site.event, field="site")
    if site.shifts.filter(
        role=role, starts_at=starts_at, ends_at=ends_at, is_cancelled=False
    ).exists():
        raise ValidationError(
            {
                "starts_at": _(
                    "This site already has this shift (the same role and times). To make "
                    "room for more volunteers, give that shift more places."
                )
            }
        )
    shift = Shift(
        site=site, role=role, starts_at=starts_at, ends_at=ends_at, capacity=capacity, notes=notes
    )
    shift.full_clean()
    _check_near_site_day(shift)
    shift.save()
    return shift


def refuse_closed_edition(event: Event, *, field: str | None = None) -> None:
    """Shifts of an edition whose day has passed are history: planning them is refused
    (`ValidationError`, on `field` when given), as changing its sites is."""
    from .editions import edition_closed_error, edition_is_closed

    if edition_is_closed(event):
        message = edition_closed_error(event).detail
        raise ValidationError({field: message} if field else message)


# Set-up the evening before or clearing up the morning after is fine; a shift weeks or
# years away from its site's day is a mistyped date.
SHIFT_DAYS_AROUND_SITE = 1


def _check_near_site_day(shift: Shift) -> None:
    """A shift lies on its site's day, or at most a day before or after. Raises a
    `ValidationError` on `starts_at`."""
    site = shift.site
    tz = ZoneInfo(settings.TIME_ZONE)
    margin = datetime.timedelta(days=SHIFT_DAYS_AROUND_SITE)
    first = timezone.localtime(site.opens_at, tz).date() - margin
    last = timezone.localtime(site.closes_at, tz).date() + margin
    start = timezone.localtime(shift.starts_at, tz).date()
    # A shift ending at midnight ends on the day it started.
    end = timezone.localtime(shift.ends_at - datetime.timedelta(microseconds=1), tz).date()
    if not (first <= start and end <= last):
        raise ValidationError(
            {
                "starts_at": ValidationError(
                    _(
                        "A shift takes place on its site's day (%(day)s), or at most a day "
                        "before or after it."
                    ),
                    code="shift_not_on_site_day",
                    params={"day": formats.date_format(timezone.localtime(site.opens_at, tz))},
                )
            }
        )


@transaction.atomic
def shift_update(*, shift: Shift, **changes: Any) -> Shift:
    """Change a shift. Time changes raise its calendar `sequence`.

    This checks the shift's own rules only; lowering the capacity below the number of
    confirmed volunteers is decided by the sign-up rules (see volunteers.services).
    """
    # Only the shift row: its site and edition are read, not locked (site_cancel locks the
    # site and then its shifts; locking the site here too could deadlock with it).
    shift = (
        Shift.objects.select_for_update(of=("self",)).select_related("site__event").get(pk=shift.pk)
    )
    refuse_closed_edition(shift.site.event)
    changed = _apply(shift, changes, SHIFT_FIELDS)
    if not changed:
        return shift
    shift.full_clean()
    if changed & SHIFT_TIME:
        _check_near_site_day(shift)
        shift.sequence += 1
    shift.save()
    return shift
