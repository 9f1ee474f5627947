"""Finding sites on the map: the filters, the query, and the GeoJSON features.

One read used by the public API (`/api/v1/sites/`), the map page and its list, so that
all three show the same sites in the same places.

Privacy: a site with `show_approximate_location` is shown on a grid of about one
kilometre (latitude and longitude rounded to 0.01°; at 52°N a cell of 1.1 × 0.7 km, the
grid of the calendar feeds too: two different grids together would give a finer
position) and without its street address, except to the people who may know where
it is (`selectors.sees_exact_location`: organisers, the branch's coordinators and
volunteers with a confirmed shift there). The rounding happens in the database and the
`bbox` and `near` filters and `distance_km` use the rounded position, so asking many
small boxes or distances cannot narrow a hidden site down further than its grid cell.

Features are built from `values_list` rows rather than model instances and serializers:
a list of 5,000 sites is one query and a few milliseconds of Python per thousand sites.
"""

import datetime
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.api import InvalidParameter
from locations.geocoding import AddressNotFound, InvalidQuery, geocode
from locations.selectors import BoundingBox, bounding_box, distance_km, within_bbox

from . import calendar
from .models import Event, Site
from .selectors import sees_exact_location, site_open_spots

# The public grid for sites shown approximately (see the module docstring), the one the
# calendar feeds use.
APPROXIMATE_LAT_STEP = APPROXIMATE_LON_STEP = 10.0**-calendar.APPROXIMATE_DECIMALS

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PLACE_LENGTH = 100

_NUMBER = r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*"
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class NearPoint:
    latitude: float
    longitude: float
    radius_km: float
    name: str = ""


@dataclass(frozen=True)
class SiteFilters:
    """What a person asked for. Every field is optional; nothing set means every site."""

    event: Event | None = None
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    near: NearPoint | None = None
    open_spots: bool = False
    page: int | None = None
    page_size: int | None = None

    @property
    def paged(self) -> bool:
        return self.page is not None or self.page_size is not None


@dataclass
class SiteResults:
    features: list[dict[str, Any]]
    matched: int
    page: int | None = None
    pages: int | None = None


# --- Resolving "near a town or postcode" --------------------------------------------------


def locate_place(query: str) -> NearPoint | None:
    """The position of a Dutch town, postcode or address through the geocoding chain
    (cached), or None when it is not found.

    The only place where the map looks up a place name. When every configured provider
    fails, `GeocodingUnavailable` (a `DomainError`, 503) goes up to the caller.
    """
    try:
        found = geocode(query)
    except (AddressNotFound, InvalidQuery):
        return None
    name = found.address.city or found.label or query
    return NearPoint(found.latitude, found.longitude, DEFAULT_RADIUS_KM, name)


# --- Parsing query parameters ---------------------------------------------------------------


def _numbers(parameter: str, raw: str, count: int, shape: str) -> list[float]:
    parts = raw.split(",")
    if len(parts) != count or not all(re.fullmatch(_NUMBER, part) for part in parts):
        if count == 1:
            message = _("Give a number: %(shape)s.") % {"shape": shape}
        else:
            message = _("Give %(count)d numbers separated by commas: %(shape)s.") % {
                "count": count,
                "shape": shape,
            }
        raise InvalidParameter(parameter, message)
    values = [float(part) for part in parts]
    if not all(math.isfinite(value) for value in values):
        raise InvalidParameter(parameter, _("Give finite numbers."))
    return values


def _check_lat_lon(parameter: str, latitude: float, longitude: float) -> None:
    if not -90 <= latitude <= 90:
        raise InvalidParameter(parameter, _("Latitude must lie between -90 and 90."))
    if not -180 <= longitude <= 180:
        raise InvalidParameter(parameter, _("Longitude must lie between -180 and 180."))


def _bool(params: Mapping[str, str], name: str) -> bool:
    raw = params.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InvalidParameter(name, _("Give true or false."))


# Dates a filter accepts: wide enough for every edition, narrow enough that a day's start
# and end in Dutch time stay valid datetimes (0001-01-01 and 9999-12-31 overflow in UTC).
FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2999, 12, 31)


def parse_date(params: Mapping[str, str], name: str) -> datetime.date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(name, _("Give a date written as YYYY-MM-DD.")) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InvalidParameter(
            name,
            _("Give a date from %(first)s to %(last)s.")
            % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
        )
    return day


def _positive_int(params: Mapping[str, str], name: str, maximum: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{1,9}", raw) or not 1 <= int(raw) <= maximum:
        raise InvalidParameter(
            name, _("Give a whole number from 1 to %(maximum)d.") % {"maximum": maximum}
        )
    return int(raw)


def parse_event(raw: str) -> Event | None:
    slug = raw.strip()
    if not slug:
        return None
    # Only a slug can name an edition; anything else (a NUL character, which PostgreSQL
    # refuses in a query) is unknown without asking the database.
    is_slug = re.fullmatch(r"[-a-zA-Z0-9_]{1,100}", slug) is not None
    event = Event.objects.published().filter(slug=slug).first() if is_slug else None
    if event is None:
        raise InvalidParameter("event", _("There is no published edition called “%s”.") % slug)
    return event


def parse_kind(raw: str) -> str:
    kind = raw.strip()
    if kind and kind not in Event.Kind.values:
        raise InvalidParameter(
            "kind",
            _("Give one of: %(kinds)s.")
            % {"kinds": ", ".join(f"{value} ({label})" for value, label in Event.Kind.choices)},
        )
    return kind


def parse_near(params: Mapping[str, str]) -> NearPoint | None:
    """`near=lat,lon` or `place=town or postcode`, with an optional `radius_km`."""
    raw_near = params.get("near", "").strip()
    raw_place = params.get("place", "").strip()
    raw_radius = params.get("radius_km", "").strip()
    if raw_near and raw_place:
        raise InvalidParameter("place", _("Give either near or place, not both."))
    radius = DEFAULT_RADIUS_KM
    if raw_radius:
        if not raw_near and not raw_place:
            raise InvalidParameter("radius_km", _("radius_km needs near or place."))
        (radius,) = _numbers("radius_km", raw_radius, 1, _("a distance in kilometres"))
        if not 0 < radius <= MAX_RADIUS_KM:
            raise InvalidParameter(
                "radius_km",
                _("Give a distance above 0 and at most %(maximum)d km.")
                % {"maximum": MAX_RADIUS_KM},
            )
    if raw_near:
        latitude, longitude = _numbers("near", raw_near, 2, _("latitude,longitude"))
        _check_lat_lon("near", latitude, longitude)
        return NearPoint(latitude, longitude, radius)
    if raw_place:
        if len(raw_place) > MAX_PLACE_LENGTH:
            raise InvalidParameter("place", _("Give a shorter place name."))
        found = locate_place(raw_place)
        if found is None:
            raise InvalidParameter(
                "place", _("“%s” was not found: give a Dutch town or postcode.") % raw_place
            )
        return NearPoint(found.latitude, found.longitude, radius, found.name)
    return None


def parse_bbox(raw: str) -> tuple[float, float, float, float] | None:
    raw = raw.strip()
    if not raw:
        return None
    min_lon, min_lat, max_lon, max_lat = _numbers(
        "bbox", raw, 4, _("min longitude,min latitude,max longitude,max latitude")
    )
    _check_lat_lon("bbox", min_lat, min_lon)
    _check_lat_lon("bbox", max_lat, max_lon)
    if min_lat > max_lat:
        raise InvalidParameter("bbox", _("The minimum latitude is above the maximum."))
    # min_lon > max_lon is a box across the antimeridian (RFC 7946, 5.2): allowed.
    return (min_lon, min_lat, max_lon, max_lat)


def parse_site_filters(params: Mapping[str, str]) -> SiteFilters:
    """Read the filters from query parameters. Raises `InvalidParameter` naming the first
    parameter that is malformed (a 400 in the API, a message on the map page)."""
    kind = parse_kind(params.get("kind", ""))
    date_from = parse_date(params, "date_from")
    date_to = parse_date(params, "date_to")
    if date_from and date_to and date_to < date_from:
        raise InvalidParameter("date_to", _("date_to lies before date_from."))
    bbox = parse_bbox(params.get("bbox", ""))
    open_spots = _bool(params, "open_spots")
    page = _positive_int(params, "page", 10**9)
    page_size = _positive_int(params, "page_size", MAX_PAGE_SIZE)
    near = parse_near(params)
    # Last, as it is the one that asks the database.
    event = parse_event(params.get("event", ""))
    return SiteFilters(
        event=event,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        bbox=bbox,
        near=near,
        open_spots=open_spots,
        page=page,
        page_size=page_size,
    )


# --- The query ----------------------------------------------------------------------------

_COLUMNS = (
    "id",
    "name",
    "status",
    "event__slug",
    "event__name",
    "event__kind",
    "location__name",
    "location__city",
    "location__street",
    "location__house_number",
    "location__house_number_addition",
    "location__postcode",
    "public_latitude",
    "public_longitude",
    "approximate",
    "opens_at",
    "closes_at",
    "open_spots",
)
_LATITUDE = _COLUMNS.index("public_latitude")
_LONGITUDE = _COLUMNS.index("public_longitude")


def _grid(field: str, step: float) -> Any:
    return Round(F(field) / Value(step)) * Value(step)


def _with_public_position(sites: QuerySet[Site], user) -> QuerySet[Site]:
    sites = sites.annotate(open_spots=site_open_spots())
    exact = sees_exact_location(user)
    if exact is True:
        return sites.annotate(
            approximate=Value(False),
            public_latitude=F("location__latitude"),
            public_longitude=F("location__longitude"),
        )
    hidden = Q(show_approximate_location=True)
    if exact is not False:
        hidden &= ~exact
    return sites.annotate(
        approximate=ExpressionWrapper(hidden, output_field=BooleanField()),
        public_latitude=Case(
            When(hidden, then=_grid("location__latitude", APPROXIMATE_LAT_STEP)),
            default=F("location__latitude"),
            output_field=FloatField(),
        ),
        public_longitude=Case(
            When(hidden, then=_grid("location__longitude", APPROXIMATE_LON_STEP)),
            default=F("location__longitude"),
            output_field=FloatField(),
        ),
    )


def _in_box(sites: QuerySet[Site], box: BoundingBox) -> QuerySet[Site]:
    """Sites whose public position lies in `box`. The exact columns (indexed) narrow the
    rows first, with a margin of half a grid cell, since a rounded position lies at most
    that far from the exact one."""
    margin = BoundingBox(
        min_lat=box.min_lat - APPROXIMATE_LAT_STEP,
        min_lon=box.min_lon - APPROXIMATE_LON_STEP,
        max_lat=box.max_lat + APPROXIMATE_LAT_STEP,
        max_lon=box.max_lon + APPROXIMATE_LON_STEP,
    )
    sites = within_bbox(
        sites, margin, lat_field="location__latitude", lon_field="location__longitude"
    )
    return within_bbox(sites, box, lat_field="public_latitude", lon_field="public_longitude")


def _filtered(sites: QuerySet[Site], filters: SiteFilters, user) -> QuerySet[Site]:
    if filters.event is not None:
        sites = sites.filter(event=filters.event)
    if filters.kind:
        sites = sites.filter(event__kind=filters.kind)
    tz = ZoneInfo(settings.TIME_ZONE)
    if filters.date_from:
        start = datetime.datetime.combine(filters.date_from, datetime.time(), tzinfo=tz)
        sites = sites.filter(opens_at__gte=start)
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time(), tzinfo=tz
        )
        sites = sites.filter(opens_at__lt=end)
    sites = _with_public_position(sites, user)
    if filters.open_spots:
        sites = sites.filter(open_spots__gt=0)
    if filters.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        if min_lon <= max_lon:
            sites = _in_box(sites, BoundingBox(min_lat, min_lon, max_lat, max_lon))
        else:
            east = _in_box(sites, BoundingBox(min_lat, min_lon, max_lat, 180))
            west = _in_box(sites, BoundingBox(min_lat, -180, max_lat, max_lon))
            sites = sites.filter(Q(pk__in=east.values("pk")) | Q(pk__in=west.values("pk")))
    if filters.near is not None:
        near = filters.near
        sites = _in_box(
            sites,
            bounding_box(
                latitude=near.latitude, longitude=near.longitude, radius_km=near.radius_km
            ),
        )
    return sites


def search_sites(filters: SiteFilters, *, user, base_url: str) -> SiteResults:
    """Published sites matching `filters` as GeoJSON features, in one query (two when
    paged without `near`). `base_url` (scheme and host, no trailing slash) makes the
    links absolute. With `near`, the nearest come first and carry `distance_km`."""
    sites = _filtered(Site.objects.published(), filters, user)
    encoder = _FeatureEncoder(base_url)
    size = filters.page_size or DEFAULT_PAGE_SIZE
    page = filters.page or 1

    if filters.near is not None:
        near = filters.near
        origin = (near.latitude, near.longitude)
        found = []
        for row in sites.values_list(*_COLUMNS):
            distance = distance_km(origin, (row[_LATITUDE], row[_LONGITUDE]))
            if distance <= near.radius_km:
                found.append((distance, row))
        found.sort(key=lambda pair: (pair[0], pair[1][0]))
        matched = len(found)
        pages = _check_page(filters, matched, size, page)
        if filters.paged:
            found = found[(page - 1) * size : page * size]
        features = [encoder.feature(row, distance) for distance, row in found]
        return SiteResults(features, matched, *((page, pages) if filters.paged else ()))

    sites = sites.order_by("event__date", "location__city", "location__name", "id")
    if not filters.paged:
        features = [encoder.feature(row) for row in sites.values_list(*_COLUMNS)]
        return SiteResults(features, len(features))
    matched = sites.count()
    pages = _check_page(filters, matched, size, page)
    rows = sites.values_list(*_COLUMNS)[(page - 1) * size : page * size]
    return SiteResults([encoder.feature(row) for row in rows], matched, page, pages)


def _check_page(filters: SiteFilters, matched: int, size: int, page: int) -> int:
    pages = max(1, math.ceil(matched / size))
    if filters.paged and page > pages:
        raise InvalidParameter(
            "page",
            _("There are %(pages)d pages; page %(page)d does not exist.")
            % {"pages": pages, "page": page},
        )
    return pages


def site_feature(site_id: int, *, user, sites: QuerySet[Site], base_url: str) -> dict | None:
    """One site as a GeoJSON feature, or None when it is not among `sites` (the sites
    the person may see)."""
    rows = list(_with_public_position(sites.filter(pk=site_id), user).values_list(*_COLUMNS)[:1])
    return _FeatureEncoder(base_url).feature(rows[0]) if rows else None


def feature_collection(results: SiteResults, **members: Any) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946) with the counts and any extra members."""
    collection = {
        "type": "FeatureCollection",
        "features": results.features,
        "numberMatched": results.matched,
        "numberReturned": len(results.features),
    }
    collection.update({key: value for key, value in members.items() if value is not None})
    return collection


# --- Encoding -----------------------------------------------------------------------------


def address_line(
    street: str, house_number: int | None, addition: str, postcode: str, city: str
) -> str:
    """The same text as `Location.address_line`, from the columns of a row."""
    number = f"{house_number}{addition}" if house_number else ""
    street_part = " ".join(part for part in (street, number) if part)
    town = " ".join(part for part in (postcode, city) if part)
    return ", ".join(part for part in (street_part, town) if part)


def _url_pattern(name: str) -> str:
    marker = 918273645
    return reverse(name, kwargs={"pk": marker}).replace(str(marker), "{}")


class _FeatureEncoder:
    def __init__(self, base_url: str) -> None:
        self.site_url = base_url + _url_pattern("events:site_detail")
        self.calendar_url = base_url + _url_pattern("events:site_calendar")
        self.tz = timezone.get_default_timezone()
        self._times: dict[datetime.datetime, str] = {}

    def time(self, moment: datetime.datetime) -> str:
        # Many sites of an edition share their hours: format each moment once.
        text = self._times.get(moment)
        if text is None:
            text = self._times[moment] = moment.astimezone(self.tz).isoformat()
        return text

    def feature(self, row: Iterable, distance: float | None = None) -> dict[str, Any]:
        (
            pk,
            name,
            status,
            event_slug,
            event_name,
            kind,
            location_name,
            city,
            street,
            house_number,
            addition,
            postcode,
            latitude,
            longitude,
            approximate,
            opens_at,
            closes_at,
            open_spots,
        ) = row
        geometry = None
        if latitude is not None and longitude is not None:
            geometry = {"type": "Point", "coordinates": [round(longitude, 5), round(latitude, 5)]}
        properties = {
            "id": pk,
            "name": name or location_name,
            "status": status,
            "event": event_slug,
            "event_name": event_name,
            "kind": kind,
            "location_name": location_name,
            "town": city,
            "address": None
            if approximate
            else address_line(street, house_number, addition, postcode, city),
            "approximate": bool(approximate),
            "opens_at": self.time(opens_at),
            "closes_at": self.time(closes_at),
            "open_spots": open_spots,
            "url": self.site_url.format(pk),
            "calendar_url": self.calendar_url.format(pk),
        }
        if distance is not None:
            properties["distance_km"] = round(distance, 1)
        return {"type": "Feature", "id": pk, "geometry": geometry, "properties": properties}
