"""Every URL pattern is either protected or marked public on purpose.

The test walks the whole URLconf, including patterns other apps add later. A view counts
as protected when an anonymous visitor is turned away from it: sent to a log-in page, or
answered 401, 403 or 405, for GET and for POST. Admin views are protected by the admin.
Everything else must carry `@public` (common.access), which says "open on purpose".
"""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

REFUSED = {401, 403, 405}
LOGIN_PATH = "/accounts/login/"  # settings.LOGIN_URL, resolved

# Sample values for path converters: they name objects that do not exist.
CONVERTER_SAMPLES = {
    "int": "999999",
    "slug": "no-such-thing",
    "str": "no-such-thing",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "no/such/thing",
}
REGEX_CANDIDATES = ["999999", "json", "no-such-thing", "zz-bad-key", "a", "0"]


@dataclass
class Pattern:
    route: str
    pattern: URLPattern
    namespaces: tuple[str, ...]
    parts: tuple  # the pattern objects from the root down

    @property
    def label(self) -> str:
        name = ":".join([*self.namespaces, self.pattern.name or "?"])
        return f"{self.route} ({name})"


def walk(patterns, parts=(), namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            extra = (entry.namespace,) if entry.namespace else ()
            yield from walk(entry.url_patterns, (*parts, entry.pattern), namespaces + extra)
        else:
            whole = (*parts, entry.pattern)
            yield Pattern("".join(str(p) for p in whole), entry, namespaces, whole)


def _group_end(regex: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(regex)


def _sample_regex(regex: str) -> str:
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    out = []
    i = 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end = _group_end(regex, i)
            inner = regex[regex.index(">", i) + 1 : end]
            value = next((c for c in REGEX_CANDIDATES if re.fullmatch(inner, c)), None)
            if value is None:
                raise ValueError(f"no sample for group {inner!r}")
            out.append(value)
            i = end + 1
        elif regex.startswith("/?", i):
            out.append("/")
            i += 2
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _sample_part(part) -> str:
    if isinstance(part, RoutePattern):
        route = str(part)
        for name, converter in part.converters.items():
            kind = next(
                (k for k, v in CONVERTER_SAMPLES.items() if type(converter).__name__.lower() == k),
                None,
            )
            sample = CONVERTER_SAMPLES.get(kind) if kind else None
            if sample is None:
                sample = next(
                    (c for c in REGEX_CANDIDATES if re.fullmatch(converter.regex, c)), None
                )
            if sample is None:
                raise ValueError(f"no sample for converter {name!r}")
            route = re.sub(rf"<(?:\w+:)?{name}>", sample, route)
        return route
    if isinstance(part, RegexPattern):
        return _sample_regex(str(part))
    return str(part)


def sample_url(item: Pattern) -> str:
    url = "/" + "".join(_sample_part(part) for part in item.parts)
    match = resolve(url)
    assert match.func is item.pattern.callback, f"cannot build a URL for {item.label}: {url}"
    return url


def turned_away(response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302:
        return response["Location"].startswith((LOGIN_PATH, "/admin/login/"))
    return False


def is_public(item: Pattern) -> bool:
    return bool(getattr(item.pattern.callback, "is_public", False))


def unprotected(patterns) -> list[str]:
    """The patterns whose view lets an anonymous visitor in without being marked public."""
    client = Client()
    found = []
    for item in patterns:
        if is_public(item) or "admin" in item.namespaces:
            continue
        url = sample_url(item)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not turned_away(response):
                found.append(f"{item.label}: anonymous {method.upper()} got {response.status_code}")
    return found


ALL = list(walk(get_resolver().url_patterns))


def test_the_login_path_is_the_login_url():
    from django.urls import reverse

    assert reverse(settings.LOGIN_URL) == LOGIN_PATH


def test_the_walk_sees_the_whole_site():
    routes = {item.route for item in ALL}
    assert len(ALL) > 40
    assert {"my/shifts/", "api/v1/me/", "accounts/login/", "api/schema/"} <= routes
    assert any(item.namespaces[:1] == ("admin",) for item in ALL)


@pytest.mark.django_db
def test_every_view_is_protected_or_public_on_purpose():
    assert unprotected(ALL) == []


def _forgotten(request, pk):
    return HttpResponse("open to all")


def _refusing(request, pk):
    return HttpResponse(status=403)


# A small URLconf for the test below: one view nobody protected, one that refuses.
urlpatterns = [
    path("forgotten/<int:pk>/", _forgotten, name="forgotten"),
    path("refusing/<int:pk>/", _refusing, name="refusing"),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_check_catches_an_open_view():
    found = unprotected(list(walk(get_resolver().url_patterns)))
    assert found == [
        "forgotten/<int:pk>/ (forgotten): anonymous GET got 200",
        "forgotten/<int:pk>/ (forgotten): anonymous POST got 200",
    ]
