"""Answers built once per change and then served as stored bytes: the map API's public
answers, the public calendar feeds and the dashboard's figures.

Each stored answer is filed under the current *versions* of what it shows. A version is a
random token in the cache (Redis in production, see `REDIS_URL`, so that every process
shares it; a file cache as the embedded default, `config/settings.py`). Every service that
changes what such an answer shows calls `changed(...)` inside its transaction; the new
token is written when that transaction commits (`transaction.on_commit`), before the
service's own request answers. From then on no process finds the old answers, so no
reader sees a stale answer after a change has been acknowledged. A reader that read the
old version just before the commit may file what it built under the old version, where
nobody looks any more.

Scopes:

- `SITES`: anything the map, the public feeds and the dashboard's list of sites show:
  editions, sites and their status, shifts, places (claims, releases, promotions),
  locations and branches.
- `TALLIES`: counted visitors (taps, batches, corrections).

When the cache cannot be reached, answers are built afresh on every request, and a bump
that failed is logged; stored answers also expire after `PUBLISHED_CACHE_SECONDS`, so a
bump lost to a cache outage heals by itself.
"""

import gzip
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

logger = logging.getLogger(__name__)

SITES = "sites"
TALLIES = "tallies"
# The kinds of action day and what is counted at them (data that organisers change).
KINDS = "kinds"
SCOPES = (SITES, TALLIES, KINDS)

CACHE_ALIAS = "published"


def _cache():
    return caches[CACHE_ALIAS]


def _seconds() -> int:
    return getattr(settings, "PUBLISHED_CACHE_SECONDS", 600)


def _version_key(scope: str) -> str:
    return f"published:version:{scope}"


def changed(*scopes: str) -> None:
    """Mark what the current transaction changes as changed, for every process, once it
    commits. Call it in the same transaction as the change, from the service that makes
    it."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Unknown scopes: {sorted(unknown) or scopes!r}")
    # Now as well: a reader inside this transaction (the rest of the same request) then
    # builds afresh too. The bump on commit is the one that counts for everyone else: what
    # others stored meanwhile was built from the rows as they were before the commit.
    bump(*scopes)
    transaction.on_commit(lambda: bump(*scopes))


def bump(*scopes: str) -> None:
    """Give `scopes` new versions now (`changed` does this on commit)."""
    try:
        _cache().set_many({_version_key(scope): secrets.token_hex(8) for scope in scopes}, None)
    except Exception:  # a cache outage must not undo a change that has committed
        logger.exception("Could not mark %s as changed in the cache", ", ".join(scopes))


def versions(*scopes: str) -> str:
    """The current versions of `scopes`, joined: part of every stored answer's key. A
    version that is missing (a new cache, or evicted) is made: answers filed under an
    older one are then never found again, which is safe."""
    cache = _cache()
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), None)
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer as it is served: its body, the same compressed with gzip (made once, not
    per request), and an ETag that changes only when the body does (so a client polling
    with it gets 304 across changes that did not touch it)."""

    body: bytes
    etag: str
    gzipped: bytes = b""
    value: Any = None


def _key(name: str, parts: Iterable[Any], scope_versions: str) -> str:
    digest = hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:32]
    return f"published:{name}:{scope_versions}:{digest}"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def stored_answer(
    name: str,
    parts: Iterable[Any],
    scopes: Iterable[str],
    build: Callable[[], bytes],
    *,
    seconds: int | None = None,
) -> Stored:
    """The answer `name` for `parts` (what else it depends on: the edition, the language,
    the filters) as stored for the current versions of `scopes`, built with `build()`
    and stored when there is none. `build` may also return `(body, value)`: the value is
    kept beside the body (`Stored.value`), for what a reader must do on every request.
    `seconds` keeps it shorter than `PUBLISHED_CACHE_SECONDS`: an answer allowed to lag
    that long behind changes that bump no scope it names (live figures)."""

    def made() -> Stored:
        built = build()
        if isinstance(built, tuple):
            return _as_stored(*built)
        return _as_stored(built)

    return _stored(name, parts, scopes, made, seconds=seconds)


def stored_value(name: str, parts: Iterable[Any], scopes: Iterable[str], build: Callable[[], Any]):
    """Like `stored_answer`, for a value that is not yet bytes (figures that a view turns
    into an answer per viewer): kept as the cache pickles it."""
    return _stored(name, parts, scopes, lambda: Stored(b"", "", value=build())).value


def _as_stored(body: bytes, value: Any = None) -> Stored:
    return Stored(body, etag_of(body), gzip.compress(body, compresslevel=6, mtime=0), value)


def _stored(name, parts, scopes, build: Callable[[], Stored], *, seconds=None) -> Stored:
    try:
        key = _key(name, parts, versions(*scopes))
        found = _cache().get(key)
    except Exception:
        logger.exception("The cache of published answers cannot be read; building afresh")
        return build()
    if found is not None:
        return found
    made = build()
    try:
        _cache().set(key, made, _seconds() if seconds is None else seconds)
    except Exception:
        logger.exception("The cache of published answers cannot be written")
    return made


def _accepts_gzip(request: HttpRequest) -> bool:
    accepted = request.headers.get("Accept-Encoding", "")
    return any(part.split(";")[0].strip() == "gzip" for part in accepted.split(","))


def answer(
    request: HttpRequest,
    stored: Stored,
    *,
    content_type: str,
    public: bool,
    vary=(),
    private_cache: str = "no-store",
) -> HttpResponse:
    """The stored answer as a response: 304 when the client's `If-None-Match` names its
    ETag, gzip when the client takes it. `public` answers (the same for every anonymous
    reader) may be kept by a shared cache for `PUBLIC_SHARED_CACHE_SECONDS`; browsers ask
    again every time. Others are for the reader alone (`private_cache`: never stored, or
    `no-cache` for a client that asks again with the ETag each time)."""
    if stored.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    elif stored.gzipped and _accepts_gzip(request):
        response = HttpResponse(stored.gzipped, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(stored.body, content_type=content_type)
    response["ETag"] = stored.etag
    if public:
        shared = getattr(settings, "PUBLIC_SHARED_CACHE_SECONDS", 0)
        response["Cache-Control"] = f"public, max-age=0, s-maxage={shared}"
    else:
        response["Cache-Control"] = f"private, {private_cache}"
    patch_vary_headers(response, ["Accept-Encoding", *vary])
    return response
