"""`/api/v1/sites/`: published sites as GeoJSON for everyone; registering and changing
sites for the coordinators of the branch and organisers."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from common import published

from .. import services
from ..models import Site
from ..search import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_RADIUS_KM,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    SiteFilters,
    feature_collection,
    parse_site_filters,
    search_sites,
    site_feature,
)
from ..selectors import site_for, sites_visible_to
from .permissions import SITE_PERMISSIONS
from .schema import (
    DATE_PARAMETERS,
    ERROR_400,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    GEOJSON_RENDERERS,
    KIND_PARAMETER,
    GeoJSONRenderer,
    base_url,
)
from .serializers import (
    SiteCreateSerializer,
    SiteFeatureCollectionSerializer,
    SiteFeatureSerializer,
    SiteUpdateSerializer,
)

SITE_PARAMETERS = [
    OpenApiParameter(
        "event",
        OpenApiTypes.STR,
        description="The slug of a published edition (see `/api/v1/events/`). An unknown "
        "slug is a 400 naming `event`.",
        examples=[OpenApiExample("Open azc dag 2027", value="open-azc-dag-2027")],
    ),
    KIND_PARAMETER,
    *DATE_PARAMETERS,
    OpenApiParameter(
        "bbox",
        OpenApiTypes.STR,
        pattern=r"^[-+0-9.]+(,[-+0-9.]+){3}$",
        description="`minLon,minLat,maxLon,maxLat` (WGS 84, longitude first as in RFC 7946). "
        "A box with minLon > maxLon crosses the antimeridian.",
        examples=[OpenApiExample("Utrecht and around", value="4.9,51.95,5.35,52.2")],
    ),
    OpenApiParameter(
        "near",
        OpenApiTypes.STR,
        pattern=r"^[-+0-9.]+,[-+0-9.]+$",
        description="`lat,lon` (latitude first). Only sites within `radius_km`, nearest "
        "first, each with `distance_km`.",
        examples=[OpenApiExample("Utrecht Centraal", value="52.0894,5.1101")],
    ),
    OpenApiParameter(
        "place",
        OpenApiTypes.STR,
        description="A Dutch town (or postcode, where the geocoder knows it) instead of "
        "`near`; its centre is used. Not found is a 400 naming `place`.",
        examples=[OpenApiExample("Zwolle", value="Zwolle")],
    ),
    OpenApiParameter(
        "radius_km",
        OpenApiTypes.NUMBER,
        description=f"With `near` or `place`: the radius in km, above 0 and at most "
        f"{MAX_RADIUS_KM:g}; default {DEFAULT_RADIUS_KM:g}.",
    ),
    OpenApiParameter(
        "open_spots",
        OpenApiTypes.BOOL,
        description="`true`: only sites with at least one open spot on a shift.",
    ),
    OpenApiParameter(
        "page",
        OpenApiTypes.INT,
        description="Page number (from 1). Without `page` and `page_size` every matching "
        "site is returned at once, as a map needs. A page beyond the last is a 400 naming "
        "`page`.",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"Features per page, 1 to {MAX_PAGE_SIZE}; default {DEFAULT_PAGE_SIZE} "
        f"when `page` is given.",
    ),
]


class SiteListView(APIView):
    permission_classes = SITE_PERMISSIONS
    renderer_classes = GEOJSON_RENDERERS

    @extend_schema(
        operation_id="sites_list",
        summary="Published sites as a GeoJSON FeatureCollection",
        description="Every published site of a published edition, as a GeoJSON "
        "`FeatureCollection` (RFC 7946). Sites that asked to be shown approximately have a "
        "position rounded to about 1 km and no address, unless the requester is an "
        "organiser, a coordinator of the site's branch or a volunteer with a confirmed "
        "shift there. Filters combine (AND).",
        parameters=SITE_PARAMETERS,
        responses={200: SiteFeatureCollectionSerializer, 400: ERROR_400},
        tags=["sites"],
    )
    def get(self, request):
        filters = parse_site_filters(request.query_params)
        if _is_common_public_question(request):
            return _stored_answer(request, filters, self.get_renderer_context())
        results = search_sites(filters, user=request.user, base_url=base_url(request))
        members = {}
        if filters.paged:
            members.update(
                page=results.page, pages=results.pages, links=_page_links(request, results)
            )
        if filters.near is not None:
            members["near"] = _near_member(filters)
        return Response(feature_collection(results, **members))

    @extend_schema(
        operation_id="sites_create",
        summary="Register a site (a draft)",
        description="For organisers and the coordinators of the branch. The site starts as "
        "a draft with the edition's shift templates; opening hours default to the edition's. "
        "Outside the edition's registration window a coordinator gets 409 "
        "`registration_closed` or `registration_not_open` (organisers may add a late site); "
        "after the edition's day, 409 `edition_closed`.",
        request=SiteCreateSerializer,
        responses={
            201: SiteFeatureSerializer,
            400: ERROR_400,
            403: ERROR_403,
            409: ERROR_409,
        },
        tags=["sites"],
    )
    def post(self, request):
        serializer = SiteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        event, branch, location = data.pop("event"), data.pop("branch"), data.pop("location")
        self.check_object_permissions(request, branch)
        site = services.site_create(
            event=event, location=location, branch=branch, by=request.user, **data
        )
        feature = site_feature(
            site.pk, user=request.user, sites=Site.objects.all(), base_url=base_url(request)
        )
        location_header = request.build_absolute_uri(
            reverse("events_api:site_detail", kwargs={"pk": site.pk})
        )
        return Response(
            feature, status=status.HTTP_201_CREATED, headers={"Location": location_header}
        )


# The questions most readers ask (the map of an edition, of one kind of event): answered by
# anonymous readers from stored bytes (`common.published`), built once per change.
COMMON_PARAMETERS = frozenset({"event", "kind", "format"})


def _is_common_public_question(request) -> bool:
    """Whether the answer is the one every anonymous reader gets for a common question:
    the signed-in may see more (the exact place of a site shown approximately)."""
    return not request.user.is_authenticated and set(request.query_params) <= COMMON_PARAMETERS


def _stored_answer(request, filters: SiteFilters, renderer_context: dict):
    renderer, media_type = request.accepted_renderer, request.accepted_media_type

    def build() -> bytes:
        results = search_sites(filters, user=request.user, base_url=base_url(request))
        return renderer.render(feature_collection(results), media_type, renderer_context)

    question = (media_type, base_url(request), get_language(), sorted(request.query_params.lists()))
    stored = published.stored_answer("sites", question, [published.SITES], build)
    return published.answer(
        request,
        stored,
        content_type=media_type,  # as DRF's Response gives it (JSON names no charset)
        public=True,
        vary=["Accept", "Accept-Language", "Cookie", "Authorization"],
    )


def _page_links(request, results) -> list[dict]:
    links = []
    for rel, page in (("prev", results.page - 1), ("next", results.page + 1)):
        if 1 <= page <= results.pages:
            params = request.query_params.copy()
            params["page"] = str(page)
            href = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
            links.append({"rel": rel, "href": href, "type": GeoJSONRenderer.media_type})
    return links


def _near_member(filters: SiteFilters) -> dict:
    near = filters.near
    return {
        "name": near.name,
        "coordinates": [round(near.longitude, 5), round(near.latitude, 5)],
        "radius_km": near.radius_km,
    }


class SiteDetailView(APIView):
    permission_classes = SITE_PERMISSIONS
    renderer_classes = GEOJSON_RENDERERS

    def _site(self, request, pk: int) -> Site:
        return site_for(request.user, pk)

    @extend_schema(
        operation_id="sites_retrieve",
        summary="One site as a GeoJSON Feature",
        responses={200: SiteFeatureSerializer, 404: ERROR_404},
        tags=["sites"],
    )
    def get(self, request, pk: int):
        feature = site_feature(
            pk,
            user=request.user,
            sites=sites_visible_to(request.user),
            base_url=base_url(request),
        )
        if feature is None:
            raise Http404
        return Response(feature)

    @extend_schema(
        operation_id="sites_partial_update",
        summary="Change a site",
        description="For organisers and the coordinators of the site's branch. Changing the "
        "time or place raises the calendar revision of the site (and of its shifts).",
        request=SiteUpdateSerializer,
        responses={200: SiteFeatureSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404},
        tags=["sites"],
    )
    def patch(self, request, pk: int):
        site = self._site(request, pk)
        self.check_object_permissions(request, site)
        serializer = SiteUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.site_update(site=site, by=request.user, **serializer.validated_data)
        feature = site_feature(
            pk, user=request.user, sites=Site.objects.all(), base_url=base_url(request)
        )
        return Response(feature)
