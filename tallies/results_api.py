"""`GET /api/v1/events/{slug}/results/`: an edition's public results (see
`tallies.public_results`), for press, partners and the results page's own script. A 404
unless the organisers have published them."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from common import published
from events.api.schema import ERROR_404

from .public_results import public_results, results_publication


class ResultsCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text="In the language asked for.")
    reached = serializers.BooleanField(help_text='Counts towards "people reached".')
    total = serializers.IntegerField()


class ResultsHeadlineSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField()


class ResultsProvinceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='Province code (e.g. "UT"); "" when not known.')
    name = serializers.CharField()
    sites = serializers.IntegerField()
    totals = serializers.DictField(child=serializers.IntegerField())


class ResultsPreviousSerializer(serializers.Serializer):
    event = serializers.CharField()
    name = serializers.CharField()


class ResultsComparisonSerializer(serializers.Serializer):
    label = serializers.CharField()
    current = serializers.IntegerField()
    previous = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True, help_text="In percent.")
    change_signed = serializers.CharField(allow_null=True)


class ResultsEarlierSerializer(serializers.Serializer):
    event = serializers.CharField()
    name = serializers.CharField()
    date = serializers.DateField()
    headline = serializers.IntegerField()
    people_reached = serializers.IntegerField()
    sites = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    event = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    date = serializers.DateField()
    live = serializers.BooleanField(help_text="The edition's day is today: figures change.")
    after = serializers.BooleanField(help_text="The edition's day is over.")
    refresh_seconds = serializers.IntegerField(
        allow_null=True, help_text="On the day: how often asking again is useful."
    )
    updated_at = serializers.DateTimeField()
    updated_at_display = serializers.CharField()
    url = serializers.URLField()
    embed_url = serializers.URLField()
    categories = ResultsCategorySerializer(many=True)
    headline = ResultsHeadlineSerializer(allow_null=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    people_reached = serializers.IntegerField()
    sites = serializers.IntegerField(help_text="Approved sites taking part.")
    provinces = ResultsProvinceSerializer(many=True)
    previous = ResultsPreviousSerializer(allow_null=True)
    comparison = ResultsComparisonSerializer(many=True)
    earlier = ResultsEarlierSerializer(many=True)


class EventResultsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="events_results",
        summary="An edition's public results",
        description=(
            "National totals per category, people reached, sites taking part and totals "
            "per province; after the day, the comparison with earlier editions. Only "
            "once the organisers publish the results (404 before). On the day the "
            "figures are at most a few seconds old."
        ),
        responses={200: ResultsSerializer, 404: ERROR_404},
        tags=["events"],
    )
    def get(self, request, slug: str):
        publication = results_publication(slug)
        if publication is None:
            raise Http404
        return published.answer(
            request,
            public_results(publication),
            content_type="application/json",
            public=True,
            vary=["Accept-Language", "Cookie"],
        )
