"""Geocoding: from an address, town or postcode to a position, through geopy.

Use `geocode(query) -> GeocodeResult`; it raises a `GeocodingError` (`AddressNotFound`,
`GeocodingUnavailable`, `InvalidQuery`) and never guesses. See `service.geocode` for the
contract and `providers` for the configurable chain.
"""

from .errors import (
    AddressNotFound,
    GeocodingError,
    GeocodingUnavailable,
    InvalidQuery,
    ProviderFailure,
)
from .results import AddressParts, GeocodeResult
from .service import address_query, configured_providers, geocode, normalise_query

__all__ = [
    "AddressNotFound",
    "AddressParts",
    "GeocodeResult",
    "GeocodingError",
    "GeocodingUnavailable",
    "InvalidQuery",
    "ProviderFailure",
    "address_query",
    "configured_providers",
    "geocode",
    "normalise_query",
]
