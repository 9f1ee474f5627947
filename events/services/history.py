"""Editions that took place before they were entered here: recorded as history.

A day that has passed can no longer be planned (`event_create` refuses it, and no site
can be registered for it). The organisation's earlier editions are written as they were
instead: published, with their sites published, each site's history saying it was
recorded afterwards. Their counts are then stored with the tally service like any others
(a tap is accepted however late it arrives), so the dashboard compares with them and the
impact report shows them.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common import clock
from common.errors import InvalidInput, full_clean
from locations.models import Branch, Location

from ..kinds import kind_hours, kind_required
from ..models import Event, Site, SiteStatusChange


@dataclass(frozen=True)
class PastSite:
    """A site as it took place."""

    location: Location
    branch: Branch
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    public_description: str = ""
    name: str = ""


@transaction.atomic
def edition_history_record(
    *,
    name: str,
    kind: str,
    date: datetime.date,
    sites: Sequence[PastSite],
    by,
    slug: str = "",
    description: str = "",
) -> Event:
    """Record an edition whose day has passed, with its sites, in one transaction.

    Raises `InvalidInput` naming the field, and then records nothing: a day that has not
    passed (`date`: plan it instead), a slug in use, a site whose hours are not on the
    edition's day or a location with two sites (`sites`, naming the site)."""
    if date >= clock.today():
        raise InvalidInput(
            _("Only an edition whose day has passed is recorded as history; plan this one."),
            field="date",
        )
    found = kind_required(kind, active=False)
    opens, closes = kind_hours(found)
    event = Event(
        name=name,
        slug=slugify(slug or name)[:100],
        kind=found,
        date=date,
        description=description,
        is_published=True,
        default_opens_at=opens,
        default_closes_at=closes,
    )
    full_clean(event)
    event.save()
    past_sites_add(event=event, sites=sites, by=by)
    return event


@transaction.atomic
def past_sites_add(*, event: Event, sites: Sequence[PastSite], by) -> list[Site]:
    """Add `sites` to an edition recorded as history, published as they took place, each
    with a status change saying it was recorded afterwards; returns them.

    Raises `InvalidInput` on `sites` naming the site, and then adds nothing: hours not on
    the edition's day, or a location that has a site in the edition already."""
    recorded = []
    for past in sites:
        site = Site(
            event=event,
            location=past.location,
            branch=past.branch,
            name=past.name,
            opens_at=past.opens_at,
            closes_at=past.closes_at,
            status=Site.Status.PUBLISHED,
            public_description=past.public_description,
            created_by=by,
        )
        label = past.name or past.location.name
        if timezone.localtime(past.opens_at, clock.local_zone()).date() != event.date:
            raise InvalidInput(
                _("%(site)s: its hours are not on the edition's day.") % {"site": label},
                field="sites",
            )
        try:
            full_clean(site)
        except InvalidInput as error:
            raise InvalidInput(f"{label}: {error.detail}", field="sites") from None
        site.save()
        recorded.append(site)
    comment = _("Recorded afterwards: this edition took place before it was entered here.")
    SiteStatusChange.objects.bulk_create(
        SiteStatusChange(
            site=site,
            from_status="",
            to_status=Site.Status.PUBLISHED,
            changed_by=by,
            comment=comment,
        )
        for site in recorded
    )
    return recorded
