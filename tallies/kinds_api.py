"""`GET /api/v1/kinds/`: the kinds of action day and what is counted at each, as the
organisers defined them: what a client needs to filter the map by kind, draw its
markers, and send taps with the right category codes. Public: names and colours only."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from events.kinds import action_kinds
from events.models import ActionKind

from .categories import categories_of

_LANGUAGES = [code for code, _name in settings.LANGUAGES]


class CategoryOutSerializer(serializers.Serializer):
    code = serializers.CharField(source="slug", help_text="What taps and totals carry.")
    name = serializers.CharField(help_text="In the language asked for (Accept-Language).")
    names = serializers.DictField(child=serializers.CharField(), help_text="Per language.")
    tap = serializers.CharField(help_text="What one tap means.")
    reached = serializers.BooleanField(help_text="Counts towards people reached.")
    retired = serializers.BooleanField(
        source="is_retired", help_text="No longer counted; kept in earlier editions' figures."
    )


class KindOutSerializer(serializers.Serializer):
    code = serializers.CharField(source="slug", help_text="The `kind` filter's value.")
    name = serializers.CharField()
    names = serializers.DictField(child=serializers.CharField())
    marker_colour = serializers.CharField(help_text="#rrggbb")
    marker_shape = serializers.ChoiceField(choices=ActionKind.Shape.values)
    in_use = serializers.BooleanField(source="is_active", help_text="False: retired.")
    categories = serializers.SerializerMethodField()

    def get_categories(self, kind) -> CategoryOutSerializer(many=True):  # type: ignore[valid-type]
        return CategoryOutSerializer(categories_of(kind.slug, retired=True), many=True).data


class KindListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="kinds_list",
        summary="Kinds of action day and what is counted at each",
        responses={200: KindOutSerializer(many=True)},
        tags=["events"],
    )
    def get(self, request):
        return Response(KindOutSerializer(list(action_kinds().values()), many=True).data)
