"""The geocoding chain: the cache, then each configured provider in turn."""

import datetime
import functools
import json
import logging
import re
import unicodedata
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from common import clock

from ..addresses import format_house_number
from ..gazetteer import fold
from ..models import GeocodeCacheEntry
from .errors import (
    AddressNotFound,
    GeocodingUnavailable,
    InvalidQuery,
    ProviderError,
    ProviderFailure,
)
from .providers import Answer, Provider, build_provider
from .results import AddressParts, GeocodeResult

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200


def normalise_query(query: str) -> str:
    """The cache key of a query: case, accents, hyphens and spacing do not matter, and a
    postcode is written `1234 ab`. Raises `InvalidQuery` for an empty or overlong query."""
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not text or "\x00" in text:
        # A NUL character cannot be stored (PostgreSQL refuses it): no place has one.
        raise InvalidQuery()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidQuery(
            _("An address to look up is at most %(max)d characters long."), max=MAX_QUERY_LENGTH
        )
    key = fold(text)
    key = re.sub(r"\s*,\s*", ", ", key).strip(", ")
    key = re.sub(r"(?<![0-9])([1-9][0-9]{3})\s*([a-z]{2})(?![a-z])", r"\1 \2", key)
    return key


def address_query(
    *,
    street: str = "",
    house_number: int | None = None,
    house_number_addition: str = "",
    postcode: str = "",
    city: str = "",
) -> str:
    """One line to geocode, Dutch style: `Havenstraat 10A, 9561 AA Ter Apel`."""
    number = format_house_number(house_number, house_number_addition)
    first = " ".join(part for part in [street.strip(), number] if part)
    second = " ".join(part for part in [postcode.strip(), city.strip()] if part)
    return ", ".join(part for part in [first, second] if part)


def geocode(
    query: str,
    *,
    providers: Sequence[Provider] | None = None,
    use_cache: bool = True,
) -> GeocodeResult:
    """Look up `query` (an address, a town or a postcode, Dutch) and return its position.

    The contract, kept stable for every caller (location pages, import, map search):

    - returns a `GeocodeResult` with `latitude`, `longitude`, `precision` ("address",
      "street", "postcode" or "town"), `source` (the provider's name), `label`, the
      normalised `address` parts, `cached`, and `failures` (providers that failed first);
    - a second call with the same query (up to case, accents and spacing) is answered from
      the database cache without asking any provider;
    - otherwise the providers of `settings.GEOCODING_PROVIDERS` are asked in order; one
      that fails (timeout, refusal, rate limit wait too long) or does not know the address
      passes the question on to the next;
    - raises `AddressNotFound` when no provider knows the address, `GeocodingUnavailable`
      when every provider failed, and `InvalidQuery` for an empty or overlong query. All
      three are `GeocodingError`s, which are `common.errors.DomainError`s. Never answers a
      guess such as (0, 0) or the middle of the country, and never a point outside the
      Netherlands.

    Calls the network (unless only the offline provider is configured), so never call it
    inside a database transaction.
    """
    key = normalise_query(query)
    chain = list(providers) if providers is not None else configured_providers()
    names = [provider.name for provider in chain]
    signature = ",".join(names)
    if use_cache:
        cached = _cache_get(key, names, signature)
        if cached is not None:
            return cached
    text = " ".join(unicodedata.normalize("NFKC", query).split())
    failures: list[ProviderFailure] = []
    not_found = False
    for provider in chain:
        try:
            answer = provider.lookup(text)
        except ProviderError as error:
            logger.warning("geocoding provider %s failed for %r: %s", provider.name, key, error)
            failures.append(ProviderFailure(provider.name, error.reason))
            continue
        if answer is None:
            not_found = True
            continue
        result = _result(key, provider.name, answer, failures=tuple(failures))
        if use_cache:
            # An answer that came only because a better provider failed is kept briefly.
            _cache_put(key, result, seconds=_retry_seconds() if failures else _keep_seconds())
        return result
    if not_found:
        if use_cache and not failures:
            _cache_put_not_found(key, signature, seconds=_retry_seconds())
        raise AddressNotFound(failures=tuple(failures))
    raise GeocodingUnavailable(failures=tuple(failures))


def _result(key: str, source: str, answer: Answer, *, failures=()) -> GeocodeResult:
    return GeocodeResult(
        query=key,
        latitude=answer.latitude,
        longitude=answer.longitude,
        precision=str(answer.precision),
        source=source,
        label=answer.label,
        address=answer.address,
        failures=failures,
    )


# --- Configuration ------------------------------------------------------------------------


def configured_providers() -> list[Provider]:
    """The chain of `settings.GEOCODING_PROVIDERS`, built once per configuration."""
    return list(
        _build_chain(
            tuple(settings.GEOCODING_PROVIDERS),
            settings.GEOCODING_USER_AGENT,
            float(settings.GEOCODING_TIMEOUT),
            float(settings.GEOCODING_RATE_LIMIT_WAIT),
            json.dumps(settings.GEOCODING_OPTIONS, sort_keys=True),
        )
    )


@functools.lru_cache(maxsize=8)
def _build_chain(names, user_agent, timeout, max_wait, options_json) -> tuple[Provider, ...]:
    options = json.loads(options_json)
    return tuple(
        build_provider(
            name,
            user_agent=user_agent,
            timeout=timeout,
            max_wait=max_wait,
            options=options.get(name),
        )
        for name in names
    )


def _keep_seconds() -> float:
    return settings.GEOCODING_CACHE_DAYS * 86400


def _retry_seconds() -> float:
    return settings.GEOCODING_RETRY_MINUTES * 60


# --- Cache -----------------------------------------------------------------------------------


def _cache_get(key: str, names: list[str], signature: str) -> GeocodeResult | None:
    entry = GeocodeCacheEntry.objects.filter(query=key, expires_at__gt=clock.now()).first()
    if entry is None:
        return None
    if not entry.found:
        # A "not found" holds only for the chain that said it.
        if entry.provider == signature:
            raise AddressNotFound()
        return None
    if entry.provider not in names:
        return None
    return GeocodeResult(
        query=key,
        latitude=entry.latitude,
        longitude=entry.longitude,
        precision=entry.precision,
        source=entry.provider,
        label=entry.label,
        address=AddressParts(**entry.address),
        cached=True,
    )


def _store(key: str, fields: dict) -> None:
    # Two processes may store the same query at once; the later one wins, neither fails.
    try:
        with transaction.atomic():
            GeocodeCacheEntry.objects.update_or_create(query=key, defaults=fields)
    except IntegrityError:
        with transaction.atomic():
            GeocodeCacheEntry.objects.filter(query=key).update(**fields)


def _cache_put(key: str, result: GeocodeResult, *, seconds: float) -> None:
    now = clock.now()
    _store(
        key,
        {
            "found": True,
            "latitude": result.latitude,
            "longitude": result.longitude,
            "precision": result.precision,
            "provider": result.source,
            "label": result.label[:300],
            "address": result.address.as_dict(),
            "created_at": now,
            "expires_at": now + datetime.timedelta(seconds=seconds),
        },
    )


def _cache_put_not_found(key: str, signature: str, *, seconds: float) -> None:
    now = clock.now()
    _store(
        key,
        {
            "found": False,
            "latitude": None,
            "longitude": None,
            "precision": "",
            "provider": signature[:200],
            "label": "",
            "address": {},
            "created_at": now,
            "expires_at": now + datetime.timedelta(seconds=seconds),
        },
    )
