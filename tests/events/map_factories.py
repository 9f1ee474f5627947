"""Sites in real Dutch towns, for the API and map tests."""

import datetime

from accounts.models import Volunteer
from events.models import Event, Shift, Signup, Site
from locations.models import Branch, Location
from tests.conftest import EVENT_DAY, aware
from tests.factories import make_signup

# name: (latitude, longitude) of the town centre (GeoNames, as the offline gazetteer).
TOWNS = {
    "Utrecht": (52.09083, 5.12222),
    "Amersfoort": (52.155, 5.3875),
    "Zwolle": (52.5125, 6.09444),
    "Groningen": (53.21917, 6.56667),
    "Maastricht": (50.84833, 5.68889),
    "Amsterdam": (52.37403, 4.88969),
}


def make_event(slug: str, kind: str = "open_day", day: datetime.date = EVENT_DAY, **kw):
    return Event.objects.create(
        name=kw.pop("name", slug.replace("-", " ").title()),
        slug=slug,
        kind_id=kind,
        date=day,
        is_published=kw.pop("is_published", True),
        **kw,
    )


def make_site(
    event: Event,
    town: str,
    branch: Branch,
    *,
    name: str = "",
    status: str = Site.Status.PUBLISHED,
    position: tuple[float, float] | None = None,
    opens_at: datetime.datetime | None = None,
    **fields,
) -> Site:
    latitude, longitude = position or TOWNS[town]
    location = Location.objects.create(
        name=name or f"{event.kind.name} {town}",
        city=town,
        street=fields.pop("street", "Stationsplein"),
        house_number=fields.pop("house_number", 1),
        postcode=fields.pop("postcode", "3511 AB"),
        latitude=latitude,
        longitude=longitude,
        position_precision=Location.Precision.ADDRESS,
    )
    opens_at = opens_at or aware(event.date.year, event.date.month, event.date.day, 11)
    return Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=opens_at,
        closes_at=opens_at + datetime.timedelta(hours=5),
        status=status,
        **fields,
    )


def make_shift(site: Site, capacity: int = 2, **fields) -> Shift:
    start = fields.pop("starts_at", site.opens_at)
    return Shift.objects.create(
        site=site,
        role=fields.pop("role", Shift.Role.RECEPTION),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=capacity,
        **fields,
    )


def sign_up(shift: Shift, user, status: str = Signup.Status.CONFIRMED) -> Signup:
    volunteer, _ = Volunteer.objects.get_or_create(user=user)
    return make_signup(shift=shift, volunteer=volunteer, status=status)
