"""The volunteer's API: claim and release a place, and see one's own sign-ups.

    POST /api/v1/shifts/{id}/claim/     201 {"status": "confirmed" | "waitlisted", ...}
    POST /api/v1/shifts/{id}/release/   200 {"status": "cancelled", ...}
    GET  /api/v1/me/                    roles, calendar_url, sign-ups with status

Errors answer `{"code", "detail"}` (see `events.errors` for the codes). Clients send
`Authorization: Token …` (from POST /api/v1/auth/token/) or use the session.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ExpiringTokenAuthentication
from accounts.roles import coordinated_branch_ids, has_verified_email, is_organiser
from accounts.services import volunteer_get_or_create
from common.api import ErrorSerializer
from events import selectors, services
from events.models import Shift, Signup
from events.services.signups import can_release, release_deadline

from .calendar import calendar_url_for


class SiteBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    town = serializers.CharField(source="location.city")
    event = serializers.CharField(source="event.slug")
    url = serializers.SerializerMethodField()

    def get_url(self, site) -> str:
        return settings.SITE_URL + site.get_absolute_url()


class ShiftBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Shift.Role.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    is_cancelled = serializers.BooleanField()
    site = SiteBriefSerializer()


class SignupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shift = serializers.IntegerField(source="shift_id")
    status = serializers.ChoiceField(choices=Signup.Status.choices)
    waitlist_position = serializers.SerializerMethodField(
        help_text="1 for the first on the waitlist; null when not waitlisted."
    )

    def get_waitlist_position(self, signup) -> int | None:
        positions = self.context.get("positions")
        if positions is not None:
            return positions.get(signup.pk)
        return selectors.waitlist_position(signup)


class MySignupSerializer(SignupSerializer):
    shift = ShiftBriefSerializer()
    can_release = serializers.SerializerMethodField()
    release_deadline = serializers.SerializerMethodField(
        help_text="Until when a confirmed place can be released."
    )

    def get_can_release(self, signup) -> bool:
        return can_release(signup)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_release_deadline(self, signup) -> str:
        # The same format and time zone as the other date-times of the answer.
        return serializers.DateTimeField().to_representation(release_deadline(signup.shift))


class BranchBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email_verified = serializers.BooleanField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=["organiser", "coordinator", "volunteer"])
    )
    coordinator_of = BranchBriefSerializer(many=True)
    calendar_url = serializers.URLField(
        help_text="Secret address of the personal calendar feed; treat it like a password."
    )
    signups = MySignupSerializer(many=True)


class _VolunteerAPIView(APIView):
    # Token first, so an unauthenticated client gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="`email_not_verified`."),
    404: OpenApiResponse(ErrorSerializer, description="No such shift."),
}


class ShiftClaimView(_VolunteerAPIView):
    @extend_schema(
        operation_id="shift_claim",
        tags=["sign-up"],
        request=None,
        responses={
            201: OpenApiResponse(
                SignupSerializer,
                description="A place: `confirmed`, or `waitlisted` when the shift is full.",
            ),
            **_ERRORS,
            409: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Refused, nothing changed. `code`: `already_signed_up`, `shift_overlap`, "
                    "`shift_cancelled`, `shift_started`, `site_not_open`, "
                    "`lead_appointed_only` (a site-lead shift: its coordinators choose)."
                ),
            ),
        },
        summary="Claim a place on a shift",
    )
    def post(self, request, pk: int):
        # With its site and edition: the claim checks them without reading the shift again.
        shift = get_object_or_404(Shift.objects.select_related("site__event"), pk=pk)
        volunteer = volunteer_get_or_create(user=request.user)
        signup = services.signup_create(shift=shift, volunteer=volunteer)
        return Response(SignupSerializer(signup).data, status=status.HTTP_201_CREATED)


class ShiftReleaseView(_VolunteerAPIView):
    @extend_schema(
        operation_id="shift_release",
        tags=["sign-up"],
        request=None,
        responses={
            200: OpenApiResponse(
                SignupSerializer,
                description="Released (`status` is `cancelled`); the first waitlisted moved up.",
            ),
            **_ERRORS,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`not_signed_up`, or `release_deadline_passed`; nothing changed.",
            ),
        },
        summary="Release one's place on a shift",
    )
    def post(self, request, pk: int):
        shift = get_object_or_404(Shift, pk=pk)
        volunteer = volunteer_get_or_create(user=request.user)
        signup = services.signup_release(shift=shift, volunteer=volunteer)
        return Response(SignupSerializer(signup).data)


class MeView(_VolunteerAPIView):
    @extend_schema(
        operation_id="me",
        tags=["sign-up"],
        responses={200: MeSerializer, 401: OpenApiResponse(ErrorSerializer)},
        summary="Who am I: roles, calendar feed, sign-ups",
    )
    def get(self, request):
        user = request.user
        volunteer = volunteer_get_or_create(user=user)
        signups = list(selectors.signups_of(volunteer))
        verified = bool(has_verified_email(user))
        roles = []
        if is_organiser(user):
            roles.append("organiser")
        branch_ids = coordinated_branch_ids(user)
        if branch_ids:
            roles.append("coordinator")
        if verified:
            roles.append("volunteer")
        data = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email_verified": verified,
            "roles": roles,
            "coordinator_of": user.coordinated_branches.order_by("name"),
            "calendar_url": calendar_url_for(volunteer),
            "signups": signups,
        }
        context = {"positions": selectors.waitlist_positions(signups)}
        response = Response(MeSerializer(data, context=context).data)
        response["Cache-Control"] = "private, no-store"
        return response
