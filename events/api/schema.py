"""Pieces of the OpenAPI description shared by the API views: the GeoJSON renderer, the
error answers, and the date and kind parameters."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer

from common.api import ErrorSerializer

from ..models import Event


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
    "kind", OpenApiTypes.STR, enum=Event.Kind.values, description="The kind of action day."
)


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")
