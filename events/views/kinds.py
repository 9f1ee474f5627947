"""The colours and shapes of the kinds of action day, as a stylesheet: markers on the map,
the edge of a site in the list, the edge of an edition's card. Made from the kinds'
data (organisers choose them), served under a name that changes with them, so browsers
keep it for good and fetch the new one after a change. A stylesheet and not style
attributes: the Content-Security-Policy allows our own stylesheets only."""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from common import published
from common.access import public

from ..kinds import action_kinds
from ..models import ActionKind

# The dot's outline for each shape (map.css draws the dot itself).
SHAPES = {
    ActionKind.Shape.PIN: "border-radius: 50% 50% 50% 0; transform: rotate(-45deg);",
    ActionKind.Shape.SQUARE: "border-radius: 4px; transform: none;",
    ActionKind.Shape.DIAMOND: "border-radius: 3px; transform: rotate(45deg) scale(.85);",
    ActionKind.Shape.CIRCLE: "border-radius: 50%; transform: none;",
}


def _stylesheet() -> str:
    rules = []
    for slug, kind in action_kinds().items():
        colour, shape = kind.marker_colour, SHAPES.get(kind.marker_shape, "")
        rules.append(
            f".map-marker--{slug} .map-marker__dot {{ background: {colour}; {shape} }}\n"
            f".map-site--{slug}, .event-card.event-{slug} "
            f"{{ border-inline-start-color: {colour}; }}\n"
        )
    return "".join(rules)


def _stored() -> tuple[str, str]:
    """The stylesheet and its version, made once per change of the kinds (every page
    links it: not made again per page)."""

    def build() -> tuple[str, str]:
        css = _stylesheet()
        return css, hashlib.sha256(css.encode()).hexdigest()[:12]

    return published.stored_value("kinds-stylesheet", [], [published.KINDS], build)


def kinds_stylesheet() -> str:
    return _stored()[0]


def kinds_stylesheet_version() -> str:
    return _stored()[1]


@public
@require_safe
def kinds_css(request: HttpRequest, version: str) -> HttpResponse:
    css, current = _stored()
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if version == current:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=60"
    return response
