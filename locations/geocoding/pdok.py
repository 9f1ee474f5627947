"""PDOK Locatieserver as a geopy geocoder: the Dutch government's free geocoder of BAG addresses.

geopy has no class for it, so this is a small `Geocoder` subclass that uses geopy's
adapters (timeouts, proxies, HTTP errors as geopy exceptions) like every other geocoder.
It asks the `free` search of Locatieserver v3.1 for addresses, streets, postcodes, towns
and municipalities, and returns geopy `Location`s whose `raw` is the Locatieserver
document (`type`, `weergavenaam`, `straatnaam`, `huisnummer`, `postcode`, ...).
"""

import re
from functools import partial
from urllib.parse import urlencode

from geopy.exc import GeocoderParseError
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

DEFAULT_DOMAIN = "api.pdok.nl"
SEARCH_PATH = "/bzk/locatieserver/search/v3_1/free"

# Objects worth placing a site at; parcels, hectometre posts and provinces are left out.
SEARCH_TYPES = ("adres", "weg", "postcode", "woonplaats", "gemeente")
FIELDS = (
    "id type weergavenaam straatnaam huisnummer huisletter huisnummertoevoeging postcode "
    "woonplaatsnaam gemeentenaam provincienaam centroide_ll score"
)
_POINT = re.compile(r"^POINT\(\s*(?P<lon>-?[0-9.]+)\s+(?P<lat>-?[0-9.]+)\s*\)$")


class PdokLocatieserver(Geocoder):
    """Geocoder for https://api.pdok.nl/bzk/locatieserver/search/v3_1/free."""

    def __init__(
        self,
        *,
        domain: str = DEFAULT_DOMAIN,
        scheme: str | None = None,
        timeout=DEFAULT_SENTINEL,
        proxies=DEFAULT_SENTINEL,
        user_agent: str | None = None,
        ssl_context=DEFAULT_SENTINEL,
        adapter_factory=None,
    ) -> None:
        super().__init__(
            scheme=scheme,
            timeout=timeout,
            proxies=proxies,
            user_agent=user_agent,
            ssl_context=ssl_context,
            adapter_factory=adapter_factory,
        )
        self.domain = domain.strip("/")
        self.api = f"{self.scheme}://{self.domain}{SEARCH_PATH}"

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout=DEFAULT_SENTINEL,
        types: tuple[str, ...] = SEARCH_TYPES,
    ):
        """The best match for `query` (or up to ten with `exactly_one=False`), or None."""
        params = {
            "q": query,
            "fq": "type:(" + " OR ".join(types) + ")",
            "fl": FIELDS,
            "rows": 1 if exactly_one else 10,
        }
        url = f"{self.api}?{urlencode(params)}"
        callback = partial(self._parse_json, exactly_one=exactly_one)
        return self._call_geocoder(url, callback, timeout=timeout)

    def _parse_json(self, document, exactly_one: bool):
        try:
            docs = document["response"]["docs"]
        except (KeyError, TypeError) as error:
            raise GeocoderParseError(f"unexpected Locatieserver answer: {error!r}") from error
        locations = [self._parse_doc(doc) for doc in docs]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    @staticmethod
    def _parse_doc(doc: dict) -> Location:
        match = _POINT.match(str(doc.get("centroide_ll", "")).strip())
        if not match:
            raise GeocoderParseError(f"Locatieserver document without a position: {doc.get('id')}")
        point = (float(match.group("lat")), float(match.group("lon")))
        return Location(doc.get("weergavenaam", ""), point, doc)
