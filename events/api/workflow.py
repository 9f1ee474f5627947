"""The site workflow in the API: `POST /api/v1/sites/{id}/submit/`, `/publish/`,
`/send-back/` and `/cancel/`, on the same services and permissions as the pages.

Who: the branch's coordinators submit and cancel; organisers do all four. A site the
person cannot see is a 404, one they may not act on a 403 (`selectors.site_for`). A
transition the rules do not allow now is a 409 with a `code` (`site_wrong_status`,
`site_incomplete`, `host_consent_missing`, `edition_closed`); a send-back without a comment is a 400
(`comment_required`).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ExpiringTokenAuthentication
from common.api import ErrorSerializer

from .. import services
from ..selectors import site_for
from .schema import ERROR_403, ERROR_404
from .serializers import (
    CancelSerializer,
    SendBackSerializer,
    SiteCancelledSerializer,
    SiteStatusSerializer,
)

ERROR_401 = OpenApiResponse(ErrorSerializer, description="Not signed in.")


def _conflict(codes: str) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorSerializer, description=f"Not possible now, nothing changed. `code`: {codes}."
    )


class _Transition(APIView):
    # Token first, so that a client without credentials gets 401 with `WWW-Authenticate`.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    # The rule-book's permission on the site.
    permission = ""

    def _site(self, request, pk: int):
        return site_for(request.user, pk, self.permission)


class SiteSubmitView(_Transition):
    permission = "events.manage_site"

    @extend_schema(
        operation_id="sites_submit",
        summary="Submit a draft site for review",
        description="For the coordinators of the site's branch and organisers. The site "
        "must be a complete draft (a position, a shift with places, a public description; "
        "at an azc, its host and their consent: `PUT /api/v1/sites/{id}/host/`).",
        request=None,
        responses={
            200: SiteStatusSerializer,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: _conflict(
                "`site_wrong_status`, `site_incomplete`, `host_consent_missing`, `edition_closed`"
            ),
        },
        tags=["site workflow"],
    )
    def post(self, request, pk: int):
        site = services.site_submit(site=self._site(request, pk), by=request.user)
        return Response(SiteStatusSerializer(site).data)


class SitePublishView(_Transition):
    permission = "events.review_site"

    @extend_schema(
        operation_id="sites_publish",
        summary="Approve and publish a submitted site",
        description="For organisers. The site appears on the map, in the feeds and in "
        "the API once its edition is published; the branch's coordinators are mailed.",
        request=None,
        responses={
            200: SiteStatusSerializer,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: _conflict(
                "`site_wrong_status`, `site_incomplete`, `host_consent_missing`, `edition_closed`"
            ),
        },
        tags=["site workflow"],
    )
    def post(self, request, pk: int):
        site = services.site_publish(site=self._site(request, pk), by=request.user)
        return Response(SiteStatusSerializer(site).data)


class SiteSendBackView(_Transition):
    permission = "events.review_site"

    @extend_schema(
        operation_id="sites_send_back",
        summary="Send a submitted site back to its branch",
        description="For organisers. The site becomes a draft again; the comment says "
        "what to change and is mailed to the branch's coordinators.",
        request=SendBackSerializer,
        responses={
            200: SiteStatusSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="`comment_required`, or `invalid` naming a field."
            ),
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: _conflict("`site_wrong_status`"),
        },
        tags=["site workflow"],
    )
    def post(self, request, pk: int):
        site = self._site(request, pk)
        body = SendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        site = services.site_send_back(
            site=site, by=request.user, comment=body.validated_data["comment"]
        )
        return Response(SiteStatusSerializer(site).data)


class SiteCancelView(_Transition):
    permission = "events.manage_site"

    @extend_schema(
        operation_id="sites_cancel",
        summary="Cancel a site",
        description="For the coordinators of the site's branch and organisers, before the "
        "edition's day has passed. Every volunteer's place there is freed and they are "
        "mailed (with the reason); calendars show the site and its shifts as cancelled.",
        request=CancelSerializer,
        responses={
            200: SiteCancelledSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`invalid` naming a field."),
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: _conflict("`site_wrong_status`, `edition_closed`"),
        },
        tags=["site workflow"],
    )
    def post(self, request, pk: int):
        site = self._site(request, pk)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.site_cancel(
            site=site, by=request.user, comment=body.validated_data.get("reason", "")
        )
        data = SiteStatusSerializer(result.site).data
        data.update(signups_freed=result.signups_freed, volunteers_told=result.volunteers_told)
        return Response(data)
