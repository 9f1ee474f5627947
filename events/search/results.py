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
from collections.abc import Iterable
from typing import Any

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

from common import clock
from common.api import InvalidParameter
from locations.models import Branch, Location
from locations.selectors import BoundingBox, bounding_box, distance_km, within_bbox

from .. import calendar
from ..disclosures import disclosures_record
from ..models import AddressDisclosure, Site
from ..selectors import sees_exact_location, shared_address_sites, site_open_spots
from .filters import DEFAULT_PAGE_SIZE, NearPoint, SiteFilters, SiteResults

# The public grid for sites shown approximately (see the module docstring), the one the
# calendar feeds use.
APPROXIMATE_LAT_STEP = APPROXIMATE_LON_STEP = 10.0**-calendar.APPROXIMATE_DECIMALS


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
    "location__position_precision",
    # Last: the exact place of a site shown approximately reaches a volunteer with whom
    # its coordinators shared it (recorded, see `_record_disclosures`); not in the feature.
    "disclosed",
)
_LATITUDE = _COLUMNS.index("public_latitude")
_LONGITUDE = _COLUMNS.index("public_longitude")
_DISCLOSED = _COLUMNS.index("disclosed")


def _grid(field: str, step: float) -> Any:
    return Round(F(field) / Value(step)) * Value(step)


def _with_public_position(sites: QuerySet[Site], user) -> QuerySet[Site]:
    sites = sites.annotate(open_spots=site_open_spots())
    exact = sees_exact_location(user)
    if exact is True:
        return sites.annotate(
            approximate=Value(False),
            disclosed=Value(False),
            public_latitude=F("location__latitude"),
            public_longitude=F("location__longitude"),
        )
    hidden = Q(show_approximate_location=True)
    disclosed = Value(False)
    if exact is not False:
        hidden &= ~exact
        coordinated = Branch.coordinators.through.objects.filter(user_id=user.pk)
        shared_only = Q(pk__in=shared_address_sites(user)) & ~Q(
            branch_id__in=coordinated.values("branch_id")
        )
        disclosed = ExpressionWrapper(
            Q(show_approximate_location=True) & shared_only, output_field=BooleanField()
        )
    return sites.annotate(
        approximate=ExpressionWrapper(hidden, output_field=BooleanField()),
        disclosed=disclosed,
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
        sites = sites.filter(event__kind_id=filters.kind)
    tz = clock.local_zone()
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


def site_ids_near(near: NearPoint, *, user) -> list[int]:
    """Published sites within `near.radius_km` of the point, nearest first, measured from
    the position the map shows `user` (the grid cell of a site shown approximately), so
    that the shift list's "near a town" finds what the map finds and tells no more."""
    sites = _filtered(Site.objects.published(), SiteFilters(near=near), user)
    origin = (near.latitude, near.longitude)
    found = []
    for pk, latitude, longitude in sites.values_list("pk", "public_latitude", "public_longitude"):
        distance = distance_km(origin, (latitude, longitude))
        if distance <= near.radius_km:
            found.append((distance, pk))
    return [pk for _distance, pk in sorted(found)]


def _record_disclosures(user, rows: Iterable[tuple]) -> None:
    """The exact place of a site shown approximately went to a volunteer with whom its
    coordinators shared it: record it (a statement more, only then)."""
    disclosed = [row[0] for row in rows if row[_DISCLOSED]]
    if disclosed:
        disclosures_record(site_ids=disclosed, user=user, channel=AddressDisclosure.Channel.MAP)


def search_sites(filters: SiteFilters, *, user, base_url: str) -> SiteResults:
    """Published sites matching `filters` as GeoJSON features, in one query (two when
    paged without `near`). `base_url` (scheme and host, no trailing slash) makes the
    links absolute. With `near`, the nearest come first and carry `distance_km`. An
    exact place that reaches a volunteer is recorded (`_record_disclosures`)."""
    results, rows = _search(filters, user=user, base_url=base_url)
    _record_disclosures(user, rows)
    return results


def _search(filters: SiteFilters, *, user, base_url: str) -> tuple[SiteResults, list]:
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
        results = SiteResults(features, matched, *((page, pages) if filters.paged else ()))
        return results, [row for _distance, row in found]

    sites = sites.order_by("event__date", "location__city", "location__name", "id")
    if not filters.paged:
        rows = list(sites.values_list(*_COLUMNS))
        features = [encoder.feature(row) for row in rows]
        return SiteResults(features, len(features)), rows
    matched = sites.count()
    pages = _check_page(filters, matched, size, page)
    rows = list(sites.values_list(*_COLUMNS)[(page - 1) * size : page * size])
    return SiteResults([encoder.feature(row) for row in rows], matched, page, pages), rows


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
    if not rows:
        return None
    _record_disclosures(user, rows)
    return _FeatureEncoder(base_url).feature(rows[0])


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
            precision,
            _disclosed,
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
            # Only the town is known: the pin stands on the town's centre, with every other
            # site of the town whose address is not known either.
            # (`Location.position_is_town`, from the row's precision.)
            "town_position": not approximate and precision == Location.Precision.TOWN,
            "opens_at": self.time(opens_at),
            "closes_at": self.time(closes_at),
            "open_spots": open_spots,
            "url": self.site_url.format(pk),
            "calendar_url": self.calendar_url.format(pk),
        }
        if distance is not None:
            properties["distance_km"] = round(distance, 1)
        return {"type": "Feature", "id": pk, "geometry": geometry, "properties": properties}
