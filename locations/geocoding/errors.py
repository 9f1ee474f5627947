"""What a caller of `geocode()` can catch. Every one is a `DomainError` with a stable code."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


@dataclass(frozen=True)
class ProviderFailure:
    """One provider that could not answer (timed out, refused, rate limit wait too long)."""

    provider: str
    reason: str

    def __str__(self) -> str:
        return f"{self.provider}: {self.reason}"


class GeocodingError(DomainError):
    code = "geocoding_failed"
    status_code = 502
    default_message = _("The address could not be looked up.")

    def __init__(self, message=None, *, failures: tuple[ProviderFailure, ...] = (), **params):
        self.failures = tuple(failures)
        super().__init__(message, **params)


class InvalidQuery(GeocodingError):
    """An empty or overlong query: nothing was asked of any provider."""

    code = "invalid_query"
    status_code = 400
    default_message = _("Enter an address, a town or a postcode to look up.")


class AddressNotFound(GeocodingError):
    """No provider knows the address. Never answered with a guess such as (0, 0)."""

    code = "address_not_found"
    status_code = 400
    default_message = _(
        "This address was not found. Check it, or place the pin on the map by hand."
    )


class GeocodingUnavailable(GeocodingError):
    """Every provider in the chain failed (timeouts, refusals); none said "not found"."""

    code = "geocoding_unavailable"
    status_code = 503
    default_message = _(
        "No address service answered. Try again later, or place the pin on the map by hand."
    )


class ProviderError(Exception):
    """Raised inside the chain when one provider fails; the chain moves on to the next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
