"""Pieces of the OpenAPI description shared by the API views: the GeoJSON renderer, the
error answers, and the date and kind parameters."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer

from common.api import ErrorSerializer

from ..kinds import action_kinds


class GeoJSONRenderer(JSONRenderer):
    """GeoJSON's registered media type (RFC 7946, section 12); `?format=geojson`."""

    media_type = "application/geo+json"
    format = "geojson"


GEOJSON_RENDERERS = [GeoJSONRenderer, JSONRenderer]

ERROR_400 = OpenApiResponse(ErrorSerializer, description="A malformed parameter or body.")
ERROR_403 = OpenApiResponse(ErrorSerializer, description="Not signed in, or not allowed.")
ERROR_404 = OpenApiResponse(ErrorSerializer, description="No such object (or not visible).")
ERROR_409 = OpenApiResponse(ErrorSerializer, description="Refused by a business rule.")

DATE_PARAMETERS = [
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description="Only on or after this day (YYYY-MM-DD, Dutch time).",
    ),
    OpenApiParameter(
        "date_to", OpenApiTypes.DATE, description="Only on or before this day (YYYY-MM-DD)."
    ),
]
KIND_PARAMETER = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    description="The kind of action day, by code (e.g. `open_day`, `coffee`): one of the "
    "kinds the organisers defined.",
)


def kinds_in_schema(result, generator, request, public):
    """A drf-spectacular hook: every `kind` parameter and property lists the kinds there
    are now (`ActionKind`, data that organisers change), so that the schema follows them.
    Without a database (`manage.py check` on a build machine) the lists are left out."""
    try:
        kinds = sorted(action_kinds())
    except Exception:  # no database here (a build machine's check, a test's collection)
        return result
    if not kinds:
        return result
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("name") == "kind":
                    parameter["schema"]["enum"] = kinds
    for component in result.get("components", {}).get("schemas", {}).values():
        kind = component.get("properties", {}).get("kind")
        if kind is not None and kind.get("type") == "string":
            kind["enum"] = kinds
    return result


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")
