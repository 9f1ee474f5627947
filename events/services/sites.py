"""Registering and changing sites.

Calendar feeds depend on `sequence`: it goes up whenever the time or the place of a site
or shift changes, so subscribed calendars replace their copy (RFC 5545, 3.8.7.4).
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from common import clock, published
from common.errors import InvalidInput, full_clean
from locations.models import Branch, Location

from .. import locking
from ..errors import HostConsentMissing, SiteWrongStatus
from ..hosts import has_host_consent, needs_host_consent
from ..models import Event, Shift, Site, SiteStatusChange
from .editions import fit_to_hours, refuse_closed_edition, registration_check, templates_of

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


def apply_changes(obj, changes: dict[str, Any], allowed: set[str]) -> set[str]:
    """Set the `allowed` fields named in `changes` on `obj`; returns the names of those
    whose value changed. A field that may not be changed here is `InvalidInput`."""
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
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

    Refused outside the edition's registration window (`RegistrationClosed`, with the
    reason), except for organisers, who may add a late site until the edition's day
    (`EditionClosed` after it). Raises `InvalidInput` naming the field (e.g. `location`
    when the location already has a live site in this edition, or when another branch
    looks after it; `closes_at` when it closes before it opens). The registration is the
    first entry of the site's history.
    """
    registration_check(event=event, by=by)
    _refuse_another_branchs_place(location=location, branch=branch, by=by)
    site = Site(event=event, location=location, branch=branch, created_by=by)
    site.opens_at = opens_at or clock.at_local(event.date, event.default_opens_at)
    site.closes_at = closes_at or clock.at_local(event.date, event.default_closes_at)
    apply_changes(site, fields, SITE_FIELDS - SITE_TIME_AND_PLACE)
    full_clean(site)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        # Another registration took this location between the check and the insert.
        raise InvalidInput(_location_taken_message(), field="location") from None
    SiteStatusChange.objects.create(
        site=site, from_status="", to_status=Site.Status.DRAFT, changed_by=by
    )
    if shifts_from_templates:
        Shift.objects.bulk_create(
            Shift(
                site=site,
                role=template.role,
                starts_at=clock.at_local(event.date, template.starts_at),
                ends_at=clock.at_local(event.date, template.ends_at),
                capacity=template.capacity,
            )
            for template in _templates_for(site)
        )
    return site


def _templates_for(site: Site) -> list:
    """The edition's templates, fitted to the site's own hours where they differ from the
    edition's (a site open 13:00–17:00 gets its set-up before 13:00, not before 11:00)."""
    event = site.event
    zone = clock.local_zone()
    opens, closes = site.opens_at.astimezone(zone), site.closes_at.astimezone(zone)
    templates = templates_of(event)
    if opens.date() != event.date or closes.date() != event.date:
        return templates
    return fit_to_hours(
        templates,
        from_hours=(event.default_opens_at, event.default_closes_at),
        to_hours=(opens.time(), closes.time()),
    )


def _refuse_another_branchs_place(*, location: Location, branch: Branch, by) -> None:
    """A place another branch looks after is registered by that branch: a coordinator
    cannot take another branch's azc for an edition first. Organisers may (on a branch's
    behalf), and the edition's overview then shows them the difference."""
    if location.branch_id in (None, branch.pk):
        return
    if by is None or by.has_perm("events.manage_event"):
        return
    raise InvalidInput(
        _(
            "%(branch)s looks after this place: it registers the site here. Ask them, or "
            "the national office."
        )
        % {"branch": location.branch.name},
        field="location",
    )


def _location_taken_message() -> str:
    constraint = next(c for c in Site._meta.constraints if c.name == "site_one_per_event_location")
    return str(constraint.violation_error_message)


@transaction.atomic
def site_update(*, site: Site, by, **changes: Any) -> Site:
    """Change a site's details. Time or place changes raise its calendar `sequence`, and
    a change of place raises that of its shifts too (they happen at the site).

    A cancelled site (`SiteWrongStatus`) and a site of an edition whose day has passed
    (`EditionClosed`) keep their record as it was: both are refused.
    """
    site = locking.lock_site(site.pk)
    if site.is_cancelled:
        raise SiteWrongStatus(status=site.get_status_display())
    refuse_closed_edition(site.event)
    changed = apply_changes(site, changes, SITE_FIELDS)
    if not changed:
        return site
    full_clean(site)
    if (
        "location" in changed
        and site.status in (Site.Status.SUBMITTED, Site.Status.PUBLISHED)
        and needs_host_consent(site)
        and not has_host_consent(site)
    ):
        # A reviewed site moved into an azc: the host's consent comes first, as it does
        # before submitting (events.services.workflow).
        raise HostConsentMissing()
    if changed & SITE_TIME_AND_PLACE:
        site.sequence += 1
    site.save()
    if "location" in changed:
        # `update()` skips auto_now: set updated_at too, so the feeds' DTSTAMP moves with it.
        site.shifts.update(sequence=F("sequence") + 1, updated_at=clock.now())
    return site


def sites_location_moved(*, location: Location, **_ignored: Any) -> int:
    """A location's place changed (its address or position): every site there, and
    every shift at those sites, gets a higher calendar `sequence` and a new `updated_at`, so
    subscribed calendars take the new LOCATION and GEO. Returns the number of sites.

    Connected to `locations.signals.location_moved` (the locations layer cannot call up to
    events); runs inside `location_save`'s transaction."""
    now = clock.now()
    # Sites, then their shifts: the global lock order (events/locking.py).
    site_ids = locking.lock_sites(
        Site.objects.filter(location=location).values_list("pk", flat=True)
    )
    Site.objects.filter(pk__in=site_ids).update(sequence=F("sequence") + 1, updated_at=now)
    Shift.objects.filter(site_id__in=site_ids).update(sequence=F("sequence") + 1, updated_at=now)
    published.changed(published.SITES)  # update()s: no signal
    return len(site_ids)
