"""The map of sites (`/map/`) and its embeddable variant for partner sites (`/map/embed/`).

The page is rendered with the list of sites already in it (the same features as
`GET /api/v1/sites/` for the same filters), so the list works before and without the
script and the background tiles. `events/static/events/map.js` draws the markers from
that list, and asks the API again when a filter changes. The script gets its settings
from a `json_script` block: no inline script, so a strict Content-Security-Policy fits;
its texts, with the plural forms of the page's language, come from the JavaScript
catalogue (`common.js_catalogue`).
"""

import datetime
import math

from csp.decorators import csp_replace
from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from common import clock, published
from common.access import public
from common.api import InvalidParameter

from ..kinds import action_kinds
from ..models import Event
from ..search import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    SiteFilters,
    parse_site_filters,
    search_sites,
)
from .rows import digits

MAP_PARAMETERS = ("event", "kind", "open_spots", "place", "near", "radius_km")
RADIUS_CHOICES = (5, 10, 25, 50, 100)
# More markers than this are grouped into clusters that split up as you zoom in.
CLUSTER_FROM = 40


def _filters(request) -> tuple[SiteFilters, dict[str, str], str, str]:
    """The filters asked for, the form's values, and the parameter and message of an
    error. Without an edition the map shows the coming ones (from today)."""
    # A NUL cannot be typed and must not reach the page's HTML: drop it.
    params = {
        name: request.GET.get(name, "").replace("\x00", "").strip() for name in MAP_PARAMETERS
    }
    query = {name: value for name, value in params.items() if value}
    if not query.get("place") and not query.get("near"):
        # The form always sends its radius; it means nothing without a place.
        query.pop("radius_km", None)
    if not query.get("event"):
        query["date_from"] = clock.today().isoformat()
    try:
        return parse_site_filters(query), params, "", ""
    except InvalidParameter as error:
        message = "; ".join(str(m) for m in error.detail.get(error.parameter, []))
        fallback = {"date_from": clock.today().isoformat()}
        return parse_site_filters(fallback), params, error.parameter, message


def _radius_in_use(filters: SiteFilters, asked: str) -> float:
    """The radius the form shows: the one searched with, or, when another filter was bad
    (the page then searched without a place), the one asked for if it is a valid radius,
    so that sending the form again keeps it."""
    if filters.near is not None:
        return filters.near.radius_km
    try:
        value = float(asked)
    except ValueError:
        return DEFAULT_RADIUS_KM
    return value if math.isfinite(value) and 0 < value <= MAX_RADIUS_KM else DEFAULT_RADIUS_KM


def _km_text(km: float) -> str:
    """A radius as the form sends it back: "7", "2.5", "0.00001" (never "1e-05")."""
    return format(km, "f").rstrip("0").rstrip(".")


def _near(filters: SiteFilters) -> dict | None:
    near = filters.near
    if near is None:
        return None
    return {"coordinates": [near.longitude, near.latitude], "radius_km": near.radius_km}


def _found(count: int) -> str:
    return ngettext("%(count)s site found.", "%(count)s sites found.", count)


def _spots(count: int) -> str:
    return ngettext("%(count)s open spot", "%(count)s open spots", count)


def _list_items(features: list[dict]) -> list[dict]:
    """What each site of the list shows, as plain values: links, times and counts as
    text, the calendar link in the page's language.

    A list holds thousands of sites, and many of an edition share their hours and counts,
    so each text is made (and escaped) once, and what cannot hold markup (ids, positions)
    comes marked safe; the template then only puts values in place (see `views.rows`).
    """
    texts: dict[tuple, SafeString] = {}

    def text(key: tuple, make) -> SafeString:
        if key not in texts:
            texts[key] = escape(make())
        return texts[key]

    def position(number: float) -> SafeString:
        return SafeString(repr(float(number)))  # digits, a point, a sign

    def when(iso: str, pattern: str) -> str:
        moment = datetime.datetime.fromisoformat(iso)
        return formats.date_format(timezone.localtime(moment), pattern)

    # The calendar speaks the page's language; Dutch, its default, needs no parameter.
    language = translation.get_language()
    calendar_query = "" if language == settings.LANGUAGE_CODE else f"?lang={language}"
    items = []
    now = clock.now()
    for feature in features:
        properties = feature["properties"]
        coordinates = (feature["geometry"] or {}).get("coordinates")
        spots = properties["open_spots"]
        distance = properties.get("distance_km")
        items.append(
            {
                "id": digits(properties["id"]),
                "kind": properties["kind"],
                "name": properties["name"],
                "event_name": properties["event_name"],
                "place": properties["address"] or properties["town"],
                "approximate": properties["approximate"],
                "town_position": properties["town_position"],
                # Over: no shifts to choose, nothing to put in a calendar.
                "past": datetime.datetime.fromisoformat(properties["closes_at"]) <= now,
                "url": properties["url"],
                "calendar_url": properties["calendar_url"] + calendar_query,
                "lon": position(coordinates[0]) if coordinates else "",
                "lat": position(coordinates[1]) if coordinates else "",
                "opens_at": text(
                    ("iso", properties["opens_at"]), lambda p=properties: p["opens_at"]
                ),
                "closes_at": text(
                    ("iso", properties["closes_at"]), lambda p=properties: p["closes_at"]
                ),
                "opens_text": text(
                    ("opens", properties["opens_at"]),
                    lambda p=properties: when(p["opens_at"], "l j F Y, H:i"),
                ),
                "closes_text": text(
                    ("closes", properties["closes_at"]),
                    lambda p=properties: when(p["closes_at"], "H:i"),
                ),
                "spots_text": text(
                    ("spots", spots),
                    lambda n=spots: _spots(n) % {"count": n} if n else _("No open spots"),
                ),
                "distance_text": _("%(km)s km away") % {"km": _distance_number(distance)}
                if distance is not None
                else "",
            }
        )
    return items


def _sites_list(request, filters: SiteFilters, params: dict, *, common: bool):
    """The list of sites (its HTML) and how many there are. The common questions of
    anonymous readers (an edition, a kind, the coming sites) are answered from what is
    stored for them (`common.published`): built once per change, as the map API's."""
    base_url = request.build_absolute_uri("/").rstrip("/")

    def build() -> tuple[bytes, int]:
        results = search_sites(filters, user=request.user, base_url=base_url)
        html = render_to_string("events/_map_sites.html", {"items": _list_items(results.features)})
        return html.encode(), results.matched

    if not common:
        html, count = build()
        return SafeString(html.decode()), count
    question = (get_language(), base_url, params["event"], params["kind"], clock.today())
    stored = published.stored_answer("map-list", question, [published.SITES], build)
    return SafeString(stored.body.decode()), stored.value


def _render_map(request, *, embed: bool):
    filters, params, error_parameter, error_message = _filters(request)
    common = (
        not request.user.is_authenticated
        and not error_message
        and not any(params[name] for name in ("open_spots", "place", "near"))
    )
    sites_list, count = _sites_list(request, filters, params, common=common)
    events = list(Event.objects.published().order_by("-date", "name"))
    today = clock.today()
    config = {
        "api": reverse("events_api:site_list"),
        "today": today.isoformat(),
        "embed": embed,
        "clusterFrom": CLUSTER_FROM,
        "center": [52.2, 5.3],
        "zoom": 7,
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "maxZoom": settings.MAP_TILE_MAX_ZOOM,
        },
        "near": _near(filters),
    }
    found_text = (
        _found(count) % {"count": count} if count else _("No sites found. Try other filters.")
    )
    if error_message:
        # The list below the error holds the coming sites, not what was asked for.
        found_text = _("Meanwhile, all coming sites: %(found)s") % {"found": found_text}
    radius = _radius_in_use(filters, params["radius_km"])
    radius_choices = list(RADIUS_CHOICES)
    if radius not in radius_choices:
        # A link with its own radius (`radius_km=7`): show that it is the one in use.
        radius_choices = sorted({*radius_choices, radius})
    context = {
        "embed": embed,
        "events": events,
        "today": today,
        "sites_list": sites_list,
        "count": count,
        "found_text": found_text,
        "params": params,
        "open_spots_checked": filters.open_spots,
        "kinds": [(slug, kind.name) for slug, kind in action_kinds().items()],
        "radius_choices": [_km_text(km) for km in radius_choices],
        "radius_value": _km_text(radius),
        "error_parameter": error_parameter,
        "error_message": error_message,
        "map_config": config,
    }
    template = "events/map_embed.html" if embed else "events/map.html"
    return render(request, template, context, status=400 if error_message else 200)


@public
@require_safe
def map_page(request):
    """The map with filters and a list of the same sites beside it."""
    return _render_map(request, embed=False)


@public
@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def map_embed(request):
    """The map for partner sites to show in an iframe, e.g. `/map/embed/?event=<slug>`.

    The only page that may be framed by other sites (no X-Frame-Options header). It
    shows public data only: browsers do not send our session cookie (SameSite=Lax) to
    a page framed by another site.
    """
    return _render_map(request, embed=True)


def _distance_number(km: float) -> str:
    """A distance as the map's script writes it (Intl, at most one decimal): "0", "2,5",
    "12"; not "0,0" from the server and "0" once the script has redrawn the list."""
    rounded = round(km, 1)
    return formats.localize(int(rounded) if rounded == int(rounded) else rounded)
