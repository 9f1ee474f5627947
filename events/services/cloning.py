"""Cloning an edition: a new edition like an earlier one, its sites as drafts."""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common import clock, published
from common.errors import InvalidInput

from ..hosts import SiteHost
from ..models import Event, Shift, Site, SiteStatusChange
from .editions import default_templates, event_create, templates_of

log = logging.getLogger(__name__)


def move_by_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The same wall-clock time `days` later: 11:00 in summer stays 11:00 in winter."""
    local = timezone.localtime(moment, clock.local_zone())
    return clock.at_local(local.date() + datetime.timedelta(days=days), local.time())


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
    with its shifts and its host's name and contact person (not the host's consent and
    conditions: a new edition needs new consent). Times move to the new date keeping
    their wall-clock time (an open day at 11:00 in September stays at 11:00 in a winter
    edition). The registration window moves by the same number of days unless given.
    The new edition is not published. Raises `InvalidInput` naming the field; then
    nothing is created.
    """
    days = (date - source.date).days if date else 0

    def moved(value: Any, original: datetime.datetime | None) -> datetime.datetime | None:
        if value is not MOVE:
            return value
        return move_by_days(original, days) if original else None

    templates = templates_of(source) or default_templates(
        source.kind_id, (source.default_opens_at, source.default_closes_at)
    )
    event = event_create(
        name=name,
        slug=slug,
        kind=source.kind_id,
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
        source.sites.exclude(status=Site.Status.CANCELLED)
        .order_by("pk")
        .select_related("host")
        .prefetch_related("shifts")
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
            raise InvalidInput(gettext("The opening hours do not fit on this date."), field="date")
    Site.objects.bulk_create(copies)

    comment = gettext("Copied from %(edition)s.") % {"edition": source.name}
    SiteStatusChange.objects.bulk_create(
        SiteStatusChange(
            site=draft, from_status="", to_status=Site.Status.DRAFT, changed_by=by, comment=comment
        )
        for draft in copies
    )

    # The host and its contact person come along; their consent does not: a new edition
    # asks the host again (and an azc site cannot be submitted until it has).
    SiteHost.objects.bulk_create(
        SiteHost(
            site=draft,
            organisation=host.organisation,
            contact_name=host.contact_name,
            contact_phone=host.contact_phone,
            contact_email=host.contact_email,
            updated_by=by,
        )
        for original, draft in zip(originals, copies, strict=True)
        if (host := getattr(original, "host", None)) is not None
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
                raise InvalidInput(
                    gettext("The shift times do not fit on this date."), field="date"
                )
            shifts.append(new)
    Shift.objects.bulk_create(shifts, batch_size=500)
    published.changed(published.SITES)  # bulk_create: no signals
    log.info(
        "edition %s cloned from %s by %s: %d sites, %d shifts",
        event.slug,
        source.slug,
        getattr(by, "pk", None),
        len(copies),
        len(shifts),
    )
    return CloneResult(event=event, sites=len(copies), shifts=len(shifts))
