"""The providers of the chain: a geopy geocoder each, plus how to read its answer.

Configured by name in `settings.GEOCODING_PROVIDERS` (in order):

- `pdok`: PDOK Locatieserver (BAG addresses; precision address, street, postcode or town);
- `nominatim`: OpenStreetMap's Nominatim with `settings.GEOCODING_USER_AGENT`, limited to
  one request per second across all processes (its usage policy);
- `offline`: the gazetteer of Dutch places (town centres; never uses the network);
- any other name geopy knows (`photon`, `arcgis`, ...), built with the options given for it
  in `settings.GEOCODING_OPTIONS`; its answers count as precision "town" unless its
  options say `"precision": "address"` (geopy does not tell how exact they are).

Options per provider (`GEOCODING_OPTIONS = {"nominatim": {"domain": ..., "min_interval": 1}}`):
`min_interval` (seconds between requests, across processes), `timeout`, `domain`, and for
other geopy geocoders any keyword their class takes.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from geopy.exc import GeocoderTimedOut, GeopyError
from geopy.geocoders import Nominatim, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location as GeopyLocation

from ..addresses import parse_house_number, province_code
from ..borders import is_in_netherlands
from ..postcodes import normalise_postcode
from .errors import ProviderError
from .offline import OfflineGazetteer
from .pdok import PdokLocatieserver
from .results import AddressParts, Precision
from .throttle import wait_for_slot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    latitude: float
    longitude: float
    precision: str
    label: str
    address: AddressParts


class Provider:
    """One link of the chain. `lookup()` answers, returns None for "not found", or raises
    `ProviderError` when the provider failed (the chain then asks the next one)."""

    name = "provider"
    default_min_interval = 0.0

    def __init__(
        self,
        geocoder: Geocoder,
        *,
        name: str | None = None,
        min_interval: float | None = None,
        max_wait: float = 10.0,
    ) -> None:
        self.geocoder = geocoder
        if name:
            self.name = name
        self.min_interval = self.default_min_interval if min_interval is None else min_interval
        self.max_wait = max_wait

    def lookup(self, query: str) -> Answer | None:
        if self.min_interval > 0:
            wait_for_slot(provider=self.name, interval=self.min_interval, max_wait=self.max_wait)
        try:
            location = self.ask(query)
        except GeocoderTimedOut as error:
            raise ProviderError(f"timed out ({error})") from error
        except GeopyError as error:
            raise ProviderError(f"{type(error).__name__}: {error}") from error
        except (OSError, ValueError) as error:
            raise ProviderError(f"failed: {error}") from error
        if location is None:
            return None
        try:
            answer = self.read(location)
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderError(f"unexpected answer: {error!r}") from error
        if not is_in_netherlands(answer.latitude, answer.longitude):
            logger.info("%s placed %r outside the Netherlands; ignored", self.name, query)
            return None
        return answer

    def ask(self, query: str) -> GeopyLocation | None:
        return self.geocoder.geocode(query, exactly_one=True)

    def read(self, location: GeopyLocation) -> Answer:
        return Answer(
            latitude=float(location.latitude),
            longitude=float(location.longitude),
            precision=Precision.TOWN,
            label=str(location.address or ""),
            address=AddressParts(),
        )


class OfflineProvider(Provider):
    name = "offline"

    def __init__(self, geocoder: Geocoder | None = None, **kwargs) -> None:
        super().__init__(geocoder or OfflineGazetteer(), **kwargs)

    def read(self, location: GeopyLocation) -> Answer:
        raw = location.raw
        return Answer(
            latitude=float(location.latitude),
            longitude=float(location.longitude),
            precision=Precision.TOWN,
            label=str(location.address),
            address=AddressParts(city=raw.get("town", ""), province=raw.get("province", "")),
        )


_PDOK_PRECISION = {
    "adres": Precision.ADDRESS,
    "weg": Precision.STREET,
    "postcode": Precision.POSTCODE,
    "woonplaats": Precision.TOWN,
    "gemeente": Precision.TOWN,
}


class PdokProvider(Provider):
    name = "pdok"

    def read(self, location: GeopyLocation) -> Answer:
        doc = location.raw
        precision = _PDOK_PRECISION.get(doc.get("type", ""))
        if precision is None:
            raise ValueError(f"unknown Locatieserver type {doc.get('type')!r}")
        number, addition = None, ""
        if doc.get("huisnummer"):
            house = parse_house_number(
                f"{doc['huisnummer']}{doc.get('huisletter') or ''}",
                doc.get("huisnummertoevoeging") or "",
            )
            number, addition = house.number, house.suffix
        return Answer(
            latitude=float(location.latitude),
            longitude=float(location.longitude),
            precision=precision,
            label=doc.get("weergavenaam", ""),
            address=AddressParts(
                street=doc.get("straatnaam", "") or "",
                house_number=number,
                house_number_addition=addition,
                postcode=_postcode(doc.get("postcode", "")),
                city=doc.get("woonplaatsnaam", "") or "",
                municipality=doc.get("gemeentenaam", "") or "",
                province=province_code(doc.get("provincienaam", "") or ""),
            ),
        )


_NOMINATIM_STREET = {
    "road",
    "street",
    "pedestrian",
    "footway",
    "cycleway",
    "path",
    "square",
    "residential",
    "living_street",
    "service",
    "highway",
}
_NOMINATIM_TOWN = {
    "city",
    "town",
    "village",
    "hamlet",
    "municipality",
    "suburb",
    "quarter",
    "neighbourhood",
    "city_district",
    "borough",
    "isolated_dwelling",
    "administrative",
    "county",
}


class NominatimProvider(Provider):
    """OpenStreetMap's Nominatim, restricted to the Netherlands, answers in Dutch."""

    name = "nominatim"
    default_min_interval = 1.0

    def ask(self, query: str) -> GeopyLocation | None:
        return self.geocoder.geocode(
            query, exactly_one=True, addressdetails=True, country_codes="nl", language="nl"
        )

    def read(self, location: GeopyLocation) -> Answer:
        raw = location.raw
        details = raw.get("address") or {}
        category = raw.get("class") or raw.get("category") or ""
        kinds = {raw.get("addresstype") or "", raw.get("type") or ""}
        if details.get("house_number"):
            precision = Precision.ADDRESS
        elif "postcode" in kinds:
            precision = Precision.POSTCODE
        elif category == "highway" or kinds & _NOMINATIM_STREET:
            precision = Precision.STREET
        elif category in {"place", "boundary"} or kinds & _NOMINATIM_TOWN:
            precision = Precision.TOWN
        else:
            # A building, amenity or other object found by its name: one spot.
            precision = Precision.ADDRESS
        number, addition = None, ""
        if details.get("house_number"):
            try:
                house = parse_house_number(details["house_number"])
                number, addition = house.number, house.suffix
            except ValidationError:
                pass  # "12-14" and such: keep the position, leave the number to the person
        town = next(
            (details[k] for k in ("city", "town", "village", "hamlet") if details.get(k)), ""
        )
        return Answer(
            latitude=float(location.latitude),
            longitude=float(location.longitude),
            precision=precision,
            label=str(location.address or ""),
            address=AddressParts(
                street=next(
                    (
                        details[k]
                        for k in ("road", "pedestrian", "footway", "square")
                        if details.get(k)
                    ),
                    "",
                ),
                house_number=number,
                house_number_addition=addition,
                postcode=_postcode(details.get("postcode", "")),
                city=town,
                municipality=details.get("municipality", "") or "",
                province=province_code(details.get("state", "") or ""),
            ),
        )


class GenericProvider(Provider):
    """Any other geopy geocoder. geopy does not say how exact an answer is, so it counts as
    "town" unless the operator states otherwise in the provider's options."""

    def __init__(self, geocoder: Geocoder, *, precision: str = Precision.TOWN, **kwargs) -> None:
        super().__init__(geocoder, **kwargs)
        self.precision = Precision(precision)

    def read(self, location: GeopyLocation) -> Answer:
        answer = super().read(location)
        return Answer(
            latitude=answer.latitude,
            longitude=answer.longitude,
            precision=self.precision,
            label=answer.label,
            address=answer.address,
        )


def _postcode(value: str) -> str:
    try:
        return normalise_postcode(value) if value else ""
    except ValidationError:
        return ""


def build_provider(
    name: str,
    *,
    user_agent: str,
    timeout: float,
    max_wait: float,
    options: dict[str, Any] | None = None,
    adapter_factory=None,
) -> Provider:
    """A provider by its configured name, with its options. Raises `ValueError` for a name
    neither we nor geopy know."""
    options = dict(options or {})
    min_interval = options.pop("min_interval", None)
    timeout = options.pop("timeout", timeout)
    common = {"min_interval": min_interval, "max_wait": max_wait}
    if name == "offline":
        return OfflineProvider(**common)
    if name == "pdok":
        geocoder = PdokLocatieserver(
            user_agent=user_agent, timeout=timeout, adapter_factory=adapter_factory, **options
        )
        return PdokProvider(geocoder, **common)
    if name == "nominatim":
        geocoder = Nominatim(
            user_agent=user_agent, timeout=timeout, adapter_factory=adapter_factory, **options
        )
        return NominatimProvider(geocoder, **common)
    try:
        geocoder_class = get_geocoder_for_service(name)
    except GeopyError as error:
        raise ValueError(f"unknown geocoding provider {name!r}") from error
    precision = options.pop("precision", Precision.TOWN)
    geocoder = geocoder_class(
        user_agent=user_agent, timeout=timeout, adapter_factory=adapter_factory, **options
    )
    return GenericProvider(geocoder, name=name, precision=precision, **common)
