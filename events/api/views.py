"""API views: editions, sites as GeoJSON, shifts. Reads are public; writes go through
`events.services` after the rule-book said yes (`permissions.py`)."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import InvalidParameter

from ..models import Event, Shift, Site
from ..selectors import shifts_with_counts, sites_visible_to
from ..services import shift_create, shift_update, site_create, site_update
from ..site_search import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_RADIUS_KM,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    SiteFilters,
    feature_collection,
    parse_date,
    parse_kind,
    parse_site_filters,
    search_sites,
    site_feature,
)
from .permissions import SHIFT_PERMISSIONS, SITE_PERMISSIONS
from .serializers import (
    ErrorSerializer,
    EventSerializer,
    ShiftCreateSerializer,
    ShiftManagerSerializer,
    ShiftSerializer,
    ShiftUpdateSerializer,
    SiteCreateSerializer,
    SiteFeatureCollectionSerializer,
    SiteFeatureSerializer,
    SiteUpdateSerializer,
)


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


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Events -------------------------------------------------------------------------------


class EventListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="events_list",
        summary="Published editions",
        parameters=[KIND_PARAMETER, *DATE_PARAMETERS],
        responses={200: EventSerializer(many=True), 400: ERROR_400},
        tags=["events"],
    )
    def get(self, request):
        events = Event.objects.published().order_by("-date", "name")
        kind = parse_kind(request.query_params.get("kind", ""))
        date_from = parse_date(request.query_params, "date_from")
        date_to = parse_date(request.query_params, "date_to")
        if date_from and date_to and date_to < date_from:
            raise InvalidParameter("date_to", _("date_to lies before date_from."))
        if kind:
            events = events.filter(kind=kind)
        if date_from:
            events = events.filter(date__gte=date_from)
        if date_to:
            events = events.filter(date__lte=date_to)
        return Response(EventSerializer(events, many=True, context={"request": request}).data)


# --- Sites --------------------------------------------------------------------------------


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
        results = search_sites(filters, user=request.user, base_url=_base_url(request))
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
        site = site_create(event=event, location=location, branch=branch, by=request.user, **data)
        feature = site_feature(
            site.pk, user=request.user, sites=Site.objects.all(), base_url=_base_url(request)
        )
        location_header = request.build_absolute_uri(
            reverse("events_api:site_detail", kwargs={"pk": site.pk})
        )
        return Response(
            feature, status=status.HTTP_201_CREATED, headers={"Location": location_header}
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
        return get_object_or_404(sites_visible_to(request.user), pk=pk)

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
            base_url=_base_url(request),
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
        site_update(site=site, by=request.user, **serializer.validated_data)
        feature = site_feature(
            pk, user=request.user, sites=Site.objects.all(), base_url=_base_url(request)
        )
        return Response(feature)


# --- Shifts -------------------------------------------------------------------------------


def _shifts_for(user) -> QuerySet[Shift]:
    return shifts_with_counts(
        Shift.objects.filter(site__in=sites_visible_to(user)).select_related("site")
    )


def _shift_serializer(request, site: Site):
    if request.user.has_perm("events.manage_shift", site):
        return ShiftManagerSerializer
    return ShiftSerializer


class ShiftListView(APIView):
    permission_classes = SHIFT_PERMISSIONS

    @extend_schema(
        operation_id="shifts_list",
        summary="The shifts of a site, with open spots (no names)",
        parameters=[
            OpenApiParameter(
                "site",
                OpenApiTypes.INT,
                required=True,
                description="The site's id. Unknown or not visible is a 400 naming `site`.",
            )
        ],
        responses={200: ShiftSerializer(many=True), 400: ERROR_400},
        tags=["shifts"],
    )
    def get(self, request):
        raw = request.query_params.get("site", "").strip()
        if not raw:
            raise InvalidParameter("site", _("Give the id of a site."))
        if not raw.isdigit() or len(raw) > 18:
            raise InvalidParameter("site", _("Give the id of a site as a whole number."))
        site = sites_visible_to(request.user).filter(pk=int(raw)).first()
        if site is None:
            raise InvalidParameter("site", _("There is no published site with this id."))
        shifts = _shifts_for(request.user).filter(site=site, is_cancelled=False)
        serializer = _shift_serializer(request, site)
        return Response(
            serializer(
                shifts.order_by("starts_at", "role", "id"),
                many=True,
                context={"request": request},
            ).data
        )

    @extend_schema(
        operation_id="shifts_create",
        summary="Plan a shift",
        description="For organisers and the coordinators of the site's branch.",
        request=ShiftCreateSerializer,
        responses={201: ShiftManagerSerializer, 400: ERROR_400, 403: ERROR_403},
        tags=["shifts"],
    )
    def post(self, request):
        serializer = ShiftCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        site = data.pop("site")
        self.check_object_permissions(request, site)
        shift = shift_create(site=site, **data)
        shift = _shifts_for(request.user).get(pk=shift.pk)
        body = ShiftManagerSerializer(shift, context={"request": request}).data
        location_header = request.build_absolute_uri(
            reverse("api_shift_detail", kwargs={"pk": shift.pk})
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location_header})


class ShiftDetailView(APIView):
    """One shift. Changing or deleting a shift touches the volunteers who hold a place, so
    the URLconf serves `volunteers.api.ShiftDetailView`, which plugs in the sign-up rules
    (`update_shift`, `delete_shift`) from the layer that owns them."""

    permission_classes = SHIFT_PERMISSIONS
    # `update_shift(shift=..., **changes) -> Shift`; `delete_shift(shift=...) -> bool`
    # (True: deleted; False: kept as cancelled).
    update_shift = staticmethod(shift_update)
    delete_shift = None

    def _shift(self, request, pk: int) -> Shift:
        shift = get_object_or_404(_shifts_for(request.user), pk=pk)
        if shift.is_cancelled and not request.user.has_perm("events.manage_shift", shift):
            raise Http404
        self.check_object_permissions(request, shift)
        return shift

    @extend_schema(
        operation_id="shifts_retrieve",
        summary="One shift",
        responses={200: ShiftSerializer, 404: ERROR_404},
        tags=["shifts"],
    )
    def get(self, request, pk: int):
        shift = self._shift(request, pk)
        serializer = _shift_serializer(request, shift.site)
        return Response(serializer(shift, context={"request": request}).data)

    @extend_schema(
        operation_id="shifts_partial_update",
        summary="Change a shift",
        description="For organisers and the coordinators of the site's branch. A time "
        "change raises the shift's calendar revision and mails its volunteers. Fewer "
        "places than confirmed volunteers are refused (409, `capacity_below_confirmed`); "
        "more places move waitlisted volunteers up. A cancelled shift cannot be changed "
        "(409, `shift_cancelled`), nor one of an edition whose day has passed (400).",
        request=ShiftUpdateSerializer,
        responses={
            200: ShiftManagerSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
        tags=["shifts"],
    )
    def patch(self, request, pk: int):
        shift = self._shift(request, pk)
        serializer = ShiftUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.update_shift(shift=shift, **serializer.validated_data)
        shift = _shifts_for(request.user).get(pk=pk)
        return Response(ShiftManagerSerializer(shift, context={"request": request}).data)

    @extend_schema(
        operation_id="shifts_destroy",
        summary="Delete a shift",
        description="For organisers and the coordinators of the site's branch. A shift "
        "nobody ever signed up for is deleted (204). A shift with sign-ups is kept as "
        "cancelled (200, the shift with `is_cancelled`): its volunteers lose their places "
        "and are told by e-mail, and calendars drop it. A shift of an edition whose day has "
        "passed is history and is not deleted (400).",
        responses={
            200: ShiftManagerSerializer,
            204: None,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
        },
        tags=["shifts"],
    )
    def delete(self, request, pk: int):
        shift = self._shift(request, pk)
        if self.delete_shift(shift=shift):
            return Response(status=status.HTTP_204_NO_CONTENT)
        # With its counts (`confirmed`, `open_spots`), as the schema promises.
        shift = shifts_with_counts(Shift.objects.select_related("site")).get(pk=pk)
        return Response(ShiftManagerSerializer(shift, context={"request": request}).data)
