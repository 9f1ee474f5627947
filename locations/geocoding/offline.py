"""An offline geopy geocoder over the gazetteer of Dutch places: no network, ever.

It understands a town (`Ter Apel`, `Den Haag`, `Hengelo (Gld)`), a postcode or postcode
area (`3511`, `9561 AA`), and a full address, of which it uses only the town and the
postcode (`Havenstraat 10, 9561 AA Ter Apel`). The answer is the town centre, so the
precision is always "town". When the written town and the postcode point at places more
than 25 km apart, it answers nothing rather than guess which one is wrong.
"""

import math
import re

from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from ..gazetteer import Place, find_place, place_for_postcode, postcode_area, written_name
from ..models import Province

_POSTCODE = re.compile(
    r"(?<![0-9])(?P<digits>[1-9][0-9]{3})\s?(?P<letters>[A-Za-z]{2})(?![A-Za-z])"
)
_POSTCODE_AREA_ONLY = re.compile(r"^\s*(?P<digits>[1-9][0-9]{3})\s*$")
_HOUSE_NUMBER_TOKEN = re.compile(r"^[0-9]{1,5}([A-Za-z]|[-/][A-Za-z0-9]{1,4})?$")
_COUNTRY = {"nederland", "netherlands", "the netherlands", "nl", "holland"}
_CONFLICT_KM = 25.0


class OfflineGazetteer(Geocoder):
    """geopy-compatible geocoder answering from `locations.gazetteer` only."""

    def __init__(self, **_ignored) -> None:
        # No adapter is ever used; the base class builds one that stays idle.
        super().__init__()

    def geocode(self, query: str, *, exactly_one: bool = True, timeout=DEFAULT_SENTINEL):
        found = self._find(str(query or ""))
        if found is None:
            return None
        place, town_text, area_code = found
        province = Province(place.province).label if place.province else ""
        label = ", ".join(part for part in [town_text or place.name, province] if part)
        raw = {
            "precision": "town",
            "place": place.name,
            "town": town_text or place.name,
            "province": str(place.province or ""),
            "postcode_area": area_code,
            "geonameid": place.geonameid,
        }
        location = Location(label, (place.latitude, place.longitude), raw)
        return location if exactly_one else [location]

    def _find(self, query: str) -> tuple[Place, str, str] | None:
        query = " ".join(query.split())
        parts = [p.strip() for p in query.split(",") if p.strip()]
        parts = [p for p in parts if p.casefold() not in _COUNTRY]
        province = ""
        original_last = parts[-1] if parts else ""
        if len(parts) > 1 and (code := _province_part(parts[-1])):
            province, parts = code, parts[:-1]

        area_code = ""
        postcode_place = None
        whole = ", ".join(parts)
        if (m := _POSTCODE.search(whole)) or (m := _POSTCODE_AREA_ONLY.match(whole)):
            area_code = m.group("digits")
        elif len(parts) > 1 and (m := re.match(r"^\s*([1-9][0-9]{3})(?:\s|$)", parts[-1])):
            area_code = m.group(1)  # "..., 3511 Utrecht"
        if area_code:
            postcode_place = place_for_postcode(area_code)

        town_place, town_text = self._find_town(parts, province)
        if town_place is None and province:
            # "Dorpsstraat 12, Groningen": the last part was the town, not its province.
            town_place, town_text = self._find_town([*parts, original_last], "")
        if town_place and postcode_place and _km(town_place, postcode_place) > _CONFLICT_KM:
            return None
        if town_place:
            return town_place, town_text, area_code
        if postcode_place:
            area = postcode_area(area_code)
            return postcode_place, (area.town if area else ""), area_code
        return None

    @staticmethod
    def _find_town(parts: list[str], province: str) -> tuple[Place | None, str]:
        for part in reversed(parts):
            text = _POSTCODE.sub(" ", part)
            text = re.sub(r"^\s*[1-9][0-9]{3}(\s|$)", " ", text)
            tokens = text.split()
            # After the last house number: "Havenstraat 10 Ter Apel" → "Ter Apel".
            numbers = [i for i, token in enumerate(tokens) if _HOUSE_NUMBER_TOKEN.match(token)]
            if numbers:
                tokens = tokens[numbers[-1] + 1 :]
            # The longest run of whole words at the end that names a place.
            for start in range(len(tokens)):
                candidate = " ".join(tokens[start:])
                place = find_place(candidate, province)
                if place is not None:
                    return place, written_name(re.sub(r"\s*\([^)]*\)\s*$", "", candidate), place)
        return None, ""


def _province_part(text: str) -> str:
    from ..addresses import province_code

    code = province_code(text)
    return code if code and len(text.strip()) > 3 else ""


def _km(a: Place, b: Place) -> float:
    north = (a.latitude - b.latitude) * 111.2
    east = (a.longitude - b.longitude) * 111.2 * math.cos(math.radians(a.latitude))
    return math.hypot(north, east)
