"""Editions relative to today, so the tests of issue 8 do not age with the calendar."""

import datetime

from django.utils import timezone

from common.clock import at_local
from events.models import Event, Shift, Site, SiteHost
from events.services.editions import event_create
from locations.models import Location, Province
from tests.conftest import EVENT_DAY

# The same weekday a year after `EVENT_DAY` (52 weeks on): a coming edition that is not
# the one of the shared fixtures.
NEXT_EVENT_DAY = EVENT_DAY + datetime.timedelta(weeks=52)


def upcoming_edition(
    *,
    days_ahead: int = 60,
    kind: str = "open_day",
    slug: str = "open-azc-dag-test",
    published: bool = True,
    window: str = "open",
    **fields,
) -> Event:
    """An edition `days_ahead` days from today with the default shift templates.

    `window`: "open" (opened ten days ago, closes a week before the day), "future"
    (opens in ten days), "closed" (closed yesterday) or "none" (no window set).
    """
    today = timezone.localdate()
    date = today + datetime.timedelta(days=days_ahead)
    now = timezone.now()
    windows = {
        "open": (
            now - datetime.timedelta(days=10),
            at_local(date, datetime.time(0, 0)) - datetime.timedelta(days=7),
        ),
        "future": (now + datetime.timedelta(days=10), now + datetime.timedelta(days=20)),
        "closed": (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)),
        "none": (None, None),
    }
    opens, closes = windows[window]
    return event_create(
        name=fields.pop("name", f"Editie {slug}"),
        slug=slug,
        kind=kind,
        date=date,
        by=None,
        is_published=published,
        registration_opens_at=opens,
        registration_closes_at=closes,
        **fields,
    )


def past_edition(*, slug: str = "open-azc-dag-vorig-jaar", days_ago: int = 30) -> Event:
    date = timezone.localdate() - datetime.timedelta(days=days_ago)
    return Event.objects.create(
        name="Open azc dag vorig jaar",
        slug=slug,
        kind_id="open_day",
        date=date,
        is_published=True,
    )


def place(name: str = "azc Zeist", city: str = "Zeist", *, position: bool = True) -> Location:
    return Location.objects.create(
        name=name,
        kind=Location.Kind.AZC,
        city=city,
        province=Province.UTRECHT,
        latitude=52.089 if position else None,
        longitude=5.231 if position else None,
        position_precision=Location.Precision.TOWN if position else "",
        position_source="test" if position else "",
    )


def host_consent(site: Site, **fields) -> SiteHost:
    """The host of `site` with its consent recorded, straight in the database."""
    return SiteHost.objects.create(
        site=site,
        organisation=fields.pop("organisation", "COA"),
        consent_given_by_name=fields.pop("consent_given_by_name", "Anna de Vries"),
        consent_given_by_role=fields.pop("consent_given_by_role", "locatiemanager"),
        consent_given_on=fields.pop("consent_given_on", timezone.localdate()),
        **fields,
    )


def draft_site(event: Event, location: Location, branch, **fields) -> Site:
    """A site straight in the database (no service), with one shift unless `shifts=0`;
    at an azc with its host's consent recorded unless `host=False`."""
    shifts = fields.pop("shifts", 1)
    with_host = fields.pop("host", True)
    site = Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=at_local(event.date, datetime.time(11)),
        closes_at=at_local(event.date, datetime.time(16)),
        status=fields.pop("status", Site.Status.DRAFT),
        public_description=fields.pop("public_description", "Welkom op het azc."),
        **fields,
    )
    for number in range(shifts):
        Shift.objects.create(
            site=site,
            role=Shift.Role.RECEPTION,
            starts_at=at_local(event.date, datetime.time(11 + number)),
            ends_at=at_local(event.date, datetime.time(12 + number)),
            capacity=2,
        )
    if with_host and location.kind == Location.Kind.AZC:
        host_consent(site)
    return site
