"""`GET/PUT /api/v1/sites/{id}/host/`: a site's host, its contact person and the host's
consent, for the coordinators of the site's branch and organisers (`events.manage_site`),
as on the page `/manage/sites/{id}/host/`. A site the person cannot see is a 404, one they
may not manage a 403; anonymous callers get 401. The contact person is a third party:
this is the only place in the API that shows them."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ExpiringTokenAuthentication
from common.api import ErrorSerializer
from common.text import PlainTextValidator

from .. import services
from ..hosts import OTHER_CONDITIONS_MAX_LENGTH, SiteHost, host_of, needs_host_consent
from ..selectors import site_for
from ..services.hosts import VISITOR_LIMIT_MAX, HostDetails
from .schema import ERROR_403, ERROR_404
from .serializers import RejectUnknownFields

ERROR_401 = OpenApiResponse(ErrorSerializer, description="Not signed in.")


def _text(max_length: int, help_text: str, *, required: bool = False):
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        default="" if not required else serializers.empty,
        help_text=help_text,
        validators=[PlainTextValidator(help_text)],
    )


class HostWriteSerializer(RejectUnknownFields):
    """The whole record (PUT): fields left out are emptied."""

    organisation = _text(200, "The host organisation, such as COA.", required=True)
    contact_name = _text(150, "The contact person at the host.")
    contact_phone = _text(30, "Their phone number: digits, spaces, brackets, dashes, a leading +.")
    contact_email = serializers.EmailField(
        required=False, allow_blank=True, default="", help_text="Their e-mail address."
    )
    consent_given_by_name = _text(150, "Who at the host gave consent.")
    consent_given_by_role = _text(150, "Their role, such as location manager.")
    consent_given_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day consent was given (not in the future). Name, role and day come "
        "together, or none of them.",
    )
    no_photos_inside = serializers.BooleanField(required=False, default=False)
    visitor_limit = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=VISITOR_LIMIT_MAX,
        help_text="The most visitors inside at once; null for no limit.",
    )
    id_required = serializers.BooleanField(
        required=False, default=False, help_text="Visitors must show ID."
    )
    other_conditions = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=OTHER_CONDITIONS_MAX_LENGTH,
        validators=[PlainTextValidator("other_conditions", multiline=True)],
    )


class HostSerializer(serializers.Serializer):
    site = serializers.IntegerField(help_text="The site's id.")
    required = serializers.BooleanField(
        help_text="The site is at an azc: it is submitted and approved only with consent."
    )
    recorded = serializers.BooleanField(help_text="A host has been recorded.")
    consent_recorded = serializers.BooleanField(
        help_text="The host is named and who gave consent, in what role, on what day is recorded."
    )
    organisation = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    consent_given_by_name = serializers.CharField()
    consent_given_by_role = serializers.CharField()
    consent_given_on = serializers.DateField(allow_null=True)
    consent_recorded_at = serializers.DateTimeField(allow_null=True)
    consent_recorded_by = serializers.CharField(
        allow_null=True, help_text="Who recorded the consent (name or e-mail address)."
    )
    no_photos_inside = serializers.BooleanField()
    visitor_limit = serializers.IntegerField(allow_null=True)
    id_required = serializers.BooleanField()
    other_conditions = serializers.CharField()


def _answer(site, host: SiteHost | None) -> dict:
    host = host or SiteHost(site=site, organisation="")
    person = host.consent_recorded_by
    data = {name: getattr(host, name) for name in HostDetails.__dataclass_fields__}
    data.update(
        site=site.pk,
        required=needs_host_consent(site),
        recorded=host.pk is not None,
        consent_recorded=host.has_consent,
        consent_recorded_at=host.consent_recorded_at,
        consent_recorded_by=(person.get_full_name() or person.email) if person else None,
    )
    return HostSerializer(data).data


class SiteHostView(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="sites_host_retrieve",
        summary="A site's host and their consent",
        description="For the coordinators of the site's branch and organisers. Includes the "
        "host's contact person (personal data of a third party: keep it to the action day).",
        responses={200: HostSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["sites"],
    )
    def get(self, request, pk: int):
        site = site_for(request.user, pk, "events.manage_site")
        response = Response(_answer(site, host_of(site)))
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        operation_id="sites_host_update",
        summary="Record a site's host and their consent",
        description="For the coordinators of the site's branch and organisers, in any "
        "status but cancelled, until the edition's day; also after publication. Who "
        "recorded the consent, and when, is kept. A site at an azc cannot be submitted or "
        "approved (409 `host_consent_missing`) until its consent is recorded.",
        request=HostWriteSerializer,
        responses={
            200: HostSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`invalid`, naming the fields."),
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Not possible now, nothing changed. `code`: `site_wrong_status` "
                "(cancelled), `edition_closed`.",
            ),
        },
        tags=["sites"],
    )
    def put(self, request, pk: int):
        site = site_for(request.user, pk, "events.manage_site")
        body = HostWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        host = services.site_host_record(
            site=site, by=request.user, details=HostDetails(**body.validated_data)
        )
        response = Response(_answer(site, host_of(host.site)))
        response["Cache-Control"] = "private, no-store"
        return response
