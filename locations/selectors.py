"""Radius and box search over anything with a latitude and longitude.

The database narrows the rows with an indexed bounding box; the exact geodesic distance
(WGS 84, geopy) then decides and sorts. The box is a little larger than the circle, so
the prefilter never drops a row the exact distance would keep.
"""

import math
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from geopy.distance import geodesic

# Mean Earth radius (IUGG). The box uses a sphere; a 1% margin covers the ellipsoid.
EARTH_RADIUS_KM = 6371.0088
_BOX_MARGIN = 1.01

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


def validate_point(latitude: float, longitude: float) -> None:
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise ValueError("latitude must lie between -90 and 90")
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise ValueError("longitude must lie between -180 and 180")


def bounding_box(*, latitude: float, longitude: float, radius_km: float) -> BoundingBox:
    """A box that holds every point within `radius_km` of the given point."""
    validate_point(latitude, longitude)
    if not (math.isfinite(radius_km) and radius_km > 0):
        raise ValueError("radius_km must be a positive number")
    angular = radius_km * _BOX_MARGIN / EARTH_RADIUS_KM
    delta_lat = math.degrees(angular)
    min_lat, max_lat = latitude - delta_lat, latitude + delta_lat
    # Lines of longitude draw together towards the poles: use the widest part of the box.
    widest = max(abs(min_lat), abs(max_lat))
    if widest >= 89.9 or angular >= math.pi / 2:
        return BoundingBox(max(min_lat, -90), -180, min(max_lat, 90), 180)
    delta_lon = math.degrees(angular / math.cos(math.radians(widest)))
    # A box that crosses the antimeridian is widened to all longitudes (never needed in
    # the Netherlands, but never wrong).
    if longitude - delta_lon < -180 or longitude + delta_lon > 180:
        return BoundingBox(min_lat, -180, max_lat, 180)
    return BoundingBox(min_lat, longitude - delta_lon, max_lat, longitude + delta_lon)


def within_bbox(
    queryset: QuerySet[M],
    box: BoundingBox,
    *,
    lat_field: str = "latitude",
    lon_field: str = "longitude",
) -> QuerySet[M]:
    """Rows whose position lies inside `box` (edges included)."""
    return queryset.filter(
        **{
            f"{lat_field}__gte": box.min_lat,
            f"{lat_field}__lte": box.max_lat,
            f"{lon_field}__gte": box.min_lon,
            f"{lon_field}__lte": box.max_lon,
        }
    )


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance between two (latitude, longitude) points on WGS 84."""
    return geodesic(a, b).kilometers


def within_radius(
    queryset: QuerySet[M],
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    lat_field: str = "latitude",
    lon_field: str = "longitude",
) -> list[tuple[M, float]]:
    """Rows within `radius_km` of the point, nearest first, each with its distance in km.

    `lat_field`/`lon_field` may follow relations (`"location__latitude"` for sites); the
    values are read through the same path on each row.
    """
    box = bounding_box(latitude=latitude, longitude=longitude, radius_km=radius_km)
    candidates = within_bbox(queryset, box, lat_field=lat_field, lon_field=lon_field)
    lat_path, lon_path = lat_field.split("__"), lon_field.split("__")
    found = []
    for row in candidates:
        point = (_follow(row, lat_path), _follow(row, lon_path))
        distance = distance_km((latitude, longitude), point)
        if distance <= radius_km:
            found.append((row, distance))
    found.sort(key=lambda pair: (pair[1], pair[0].pk))
    return found


def _follow(obj, path: list[str]):
    for name in path:
        obj = getattr(obj, name)
    return obj


def within_radius_of_place(
    queryset: QuerySet[M],
    *,
    place: str,
    radius_km: float,
    lat_field: str = "latitude",
    lon_field: str = "longitude",
):
    """Rows within `radius_km` of a place name, postcode or address ("Utrecht", "3511"),
    nearest first: `(GeocodeResult, [(row, km), ...])`.

    The place is looked up through the geocoding chain (cached), so this raises the same
    `GeocodingError`s as `locations.geocoding.geocode`.
    """
    from .geocoding import geocode

    centre = geocode(place)
    found = within_radius(
        queryset,
        latitude=centre.latitude,
        longitude=centre.longitude,
        radius_km=radius_km,
        lat_field=lat_field,
        lon_field=lon_field,
    )
    return centre, found


def locations_for(user) -> QuerySet:
    """The locations `user` may look for: every one for organisers (and for the system,
    `user=None`); for a coordinator the places their branches look after and those no
    branch looks after (which any branch may register). Another branch's places are not
    theirs to see: their addresses can be those of azc's that are not public."""
    from .models import Location

    locations = Location.objects.all()
    if user is None or _is_organiser(user):
        return locations
    return locations.filter(
        Q(branch_id__in=user.coordinated_branches.values("id")) | Q(branch__isnull=True)
    )


def location_is_editable(user, location) -> bool:
    """`locations.edit_location` without asking the rule-book for every row of a list."""
    if _is_organiser(user):
        return True
    return location.branch_id is not None and location.branch_id in _branch_ids(user)


def _is_organiser(user) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_organiser", False) or getattr(user, "is_superuser", False))
    )


def _branch_ids(user) -> set[int]:
    cached = getattr(user, "_location_branch_ids", None)
    if cached is None:
        cached = user._location_branch_ids = set(
            user.coordinated_branches.values_list("id", flat=True)
        )
    return cached


def locations_search(*, text: str = "", province: str = "", user=None) -> QuerySet:
    """Locations whose name, town, street, postcode, municipality or reference contains
    `text` (any case), optionally in one province; for the coordinators' list. With
    `user`, only the locations they may look for (`locations_for`), and the address fields
    only of those they look after (a street must not point out another branch's azc)."""
    locations = locations_for(user)
    own = Q() if user is None or _is_organiser(user) else Q(branch_id__in=_branch_ids(user))
    for word in text.split():
        by_address = (
            Q(street__icontains=word)
            | Q(postcode__icontains=word)
            | Q(municipality__icontains=word)
            | Q(reference__icontains=word)
        )
        locations = locations.filter(
            Q(name__icontains=word) | Q(city__icontains=word) | (by_address & own)
        )
    if province:
        locations = locations.filter(province=province)
    return locations.select_related("branch").order_by("city", "name", "pk")
