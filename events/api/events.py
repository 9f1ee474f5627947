"""`GET /api/v1/events/`: the published editions."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import InvalidParameter

from ..models import Event
from ..search import parse_date, parse_kind
from .schema import DATE_PARAMETERS, ERROR_400, KIND_PARAMETER
from .serializers import EventSerializer


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
