"""`/api/v1/shifts/`: a site's shifts with open places for everyone (no names); planning
them for the coordinators of the site's branch and organisers."""

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import InvalidParameter

from .. import services
from ..models import Shift, Site
from ..selectors import shift_for, shifts_with_counts, sites_visible_to
from .permissions import SHIFT_PERMISSIONS
from .schema import ERROR_400, ERROR_403, ERROR_404, ERROR_409
from .serializers import (
    ShiftCreateSerializer,
    ShiftManagerSerializer,
    ShiftSerializer,
    ShiftUpdateSerializer,
)

SITE_ID = re.compile(r"[0-9]{1,18}")  # not str.isdigit(): "²" is a digit to it, not to int()


def _with_counts(pk: int) -> Shift:
    """The shift as the answer shows it, with `confirmed` and `open_spots`."""
    return shifts_with_counts(Shift.objects.select_related("site")).get(pk=pk)


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
        if not SITE_ID.fullmatch(raw):
            raise InvalidParameter("site", _("Give the id of a site as a whole number."))
        site = sites_visible_to(request.user).filter(pk=int(raw)).first()
        if site is None:
            raise InvalidParameter("site", _("There is no published site with this id."))
        shifts = shifts_with_counts(site.shifts.filter(is_cancelled=False))
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
        description="For organisers and the coordinators of the site's branch. A site that "
        "does not exist or that the requester may not see (another branch's draft) is a 400 "
        "naming `site`; a site they see but may not plan is a 403.",
        request=ShiftCreateSerializer,
        responses={201: ShiftManagerSerializer, 400: ERROR_400, 403: ERROR_403},
        tags=["shifts"],
    )
    def post(self, request):
        serializer = ShiftCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        site = data.pop("site")
        self.check_object_permissions(request, site)
        shift = _with_counts(services.shift_create(site=site, **data).pk)
        body = ShiftManagerSerializer(shift, context={"request": request}).data
        location_header = request.build_absolute_uri(
            reverse("events_api:shift_detail", kwargs={"pk": shift.pk})
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location_header})


class ShiftDetailView(APIView):
    """One shift. Changing or deleting it is `services.shift_update` / `shift_delete`, with
    the sign-up rules a change to a shift touches."""

    permission_classes = SHIFT_PERMISSIONS

    def _shift(self, request, pk: int) -> Shift:
        shift = shift_for(request.user, pk, queryset=shifts_with_counts(Shift.objects.all()))
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
        "(409, `shift_cancelled`), nor one of an edition whose day has passed (409, "
        "`edition_closed`).",
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
        services.shift_update(shift=shift, **serializer.validated_data)
        return Response(ShiftManagerSerializer(_with_counts(pk), context={"request": request}).data)

    @extend_schema(
        operation_id="shifts_destroy",
        summary="Delete a shift",
        description="For organisers and the coordinators of the site's branch. A shift "
        "nobody ever signed up for is deleted (204). A shift with sign-ups is kept as "
        "cancelled (200, the shift with `is_cancelled`): its volunteers lose their places "
        "and are told by e-mail, and calendars drop it. A shift of an edition whose day has "
        "passed is history and is not deleted (409, `edition_closed`).",
        responses={
            200: ShiftManagerSerializer,
            204: None,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
        tags=["shifts"],
    )
    def delete(self, request, pk: int):
        shift = self._shift(request, pk)
        if services.shift_delete(shift=shift):
            return Response(status=status.HTTP_204_NO_CONTENT)
        # With its counts (`confirmed`, `open_spots`), as the schema promises.
        return Response(ShiftManagerSerializer(_with_counts(pk), context={"request": request}).data)
