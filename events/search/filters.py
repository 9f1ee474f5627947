"""The filters of the map and the sites API, read from query parameters: a malformed or
unknown value is a 400 naming the parameter (`InvalidParameter`)."""

import datetime
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from common.api import InvalidParameter
from locations.geocoding import AddressNotFound, InvalidQuery, geocode

from ..kinds import kind_of, kinds_listed
from ..models import Event

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
    if kind and kind_of(kind) is None:
        raise InvalidParameter("kind", _("Give one of: %(kinds)s.") % {"kinds": kinds_listed()})
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
