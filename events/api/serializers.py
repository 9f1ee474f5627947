"""Shapes of the API's input and output.

Input serializers check the shape of a request body; the services in `events.services`
decide. The GeoJSON serializers describe, for the OpenAPI schema, what
`events.search` builds (the features themselves are built without serializers, for
speed); a test checks real responses against this schema.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.api import (
    ErrorSerializer,  # noqa: F401 (the API's one error format)
    MomentField,
)
from common.text import (
    NOTES_MAX_LENGTH,
    PUBLIC_DESCRIPTION_MAX_LENGTH,
    MaxLengthValidator,
    PlainTextValidator,
)
from locations.models import Branch, Location

from ..kinds import kind_name
from ..models import Event, Shift, Site
from ..selectors import sites_visible_to


class RejectUnknownFields(serializers.Serializer):
    """A typo in a field name is an error naming it, not a change silently skipped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [_("This field is unknown or cannot be changed here.")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


# --- Events -------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind_id", read_only=True)
    kind_label = serializers.SerializerMethodField(help_text="The kind's name.")
    url = serializers.SerializerMethodField(help_text="The edition's public page.")
    sites_url = serializers.SerializerMethodField(help_text="Its sites as GeoJSON.")
    calendar_url = serializers.SerializerMethodField(help_text="Its public calendar feed.")

    class Meta:
        model = Event
        fields = ["slug", "name", "kind", "kind_label", "date", "url", "sites_url", "calendar_url"]

    def _absolute(self, path: str) -> str:
        return self.context["request"].build_absolute_uri(path)

    def get_kind_label(self, event) -> str:
        return kind_name(event.kind_id)

    def get_url(self, event: Event) -> str:
        return self._absolute(event.get_absolute_url())

    def get_sites_url(self, event: Event) -> str:
        return self._absolute(f"{reverse('events_api:site_list')}?event={event.slug}")

    def get_calendar_url(self, event: Event) -> str:
        return self._absolute(reverse("events:event_calendar", kwargs={"slug": event.slug}))


# --- Sites as GeoJSON (schema only) ----------------------------------------------------------


class PointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        help_text="[longitude, latitude] in WGS 84 (RFC 7946: longitude first).",
    )


class SitePropertiesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The site's name, or its location's.")
    status = serializers.ChoiceField(
        choices=Site.Status.values,
        help_text="`published` in lists; coordinators and organisers may fetch a draft by id.",
    )
    event = serializers.CharField(help_text="The edition's slug.")
    event_name = serializers.CharField()
    kind = serializers.CharField(help_text="The kind of action day, by code.")
    location_name = serializers.CharField()
    town = serializers.CharField()
    address = serializers.CharField(
        allow_null=True,
        help_text="Street, number, postcode and town; null when the site is shown "
        "approximately and the requester may not see where it is.",
    )
    approximate = serializers.BooleanField(
        help_text="True when the position is rounded to 0.01° (about 1 km) and the address "
        "left out, at the site's request."
    )
    town_position = serializers.BooleanField(
        help_text="True when only the town of the site is known: the position is the "
        "town's centre (other sites of the town may stand on the same point)."
    )
    opens_at = serializers.DateTimeField(help_text="ISO 8601 with the Dutch offset.")
    closes_at = serializers.DateTimeField()
    open_spots = serializers.IntegerField(
        min_value=0,
        help_text="Places still free: over the shifts that are not cancelled and have not "
        "started, capacity minus confirmed sign-ups.",
    )
    url = serializers.URLField(help_text="The public page, where volunteers claim a shift.")
    calendar_url = serializers.URLField(help_text="The site's public iCalendar feed.")
    distance_km = serializers.FloatField(
        required=False, help_text="Only with `near` or `place`: the distance in km."
    )


class SiteFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = PointSerializer(
        allow_null=True, help_text="Null while the location has no position yet."
    )
    properties = SitePropertiesSerializer()


class LinkSerializer(serializers.Serializer):
    rel = serializers.ChoiceField(choices=["next", "prev"])
    href = serializers.URLField()
    type = serializers.CharField()


class NearSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The place found for `place`; empty for `near`.")
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[lon, lat]"
    )
    radius_km = serializers.FloatField()


class SiteFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = SiteFeatureSerializer(many=True)
    numberMatched = serializers.IntegerField(
        help_text="How many sites match the filters, on all pages."
    )
    numberReturned = serializers.IntegerField(help_text="How many features this page holds.")
    page = serializers.IntegerField(required=False, help_text="Only when paged.")
    pages = serializers.IntegerField(required=False, help_text="Only when paged.")
    links = LinkSerializer(many=True, required=False, help_text="Only when paged.")
    near = NearSerializer(required=False, help_text="Only with `near` or `place`.")


# --- Sites: input -------------------------------------------------------------------------


class SiteWriteFields(RejectUnknownFields):
    name = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        validators=[PlainTextValidator(_("Name"))],
    )
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    opens_at = MomentField(required=False)
    closes_at = MomentField(required=False)
    public_description = serializers.CharField(
        allow_blank=True,
        required=False,
        validators=[
            PlainTextValidator(_("Public description"), multiline=True),
            MaxLengthValidator(PUBLIC_DESCRIPTION_MAX_LENGTH, _("Public description")),
        ],
        help_text=f"At most {PUBLIC_DESCRIPTION_MAX_LENGTH} characters.",
    )
    languages_needed = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=20
    )
    expected_visitors = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    show_approximate_location = serializers.BooleanField(required=False)


class SiteCreateSerializer(SiteWriteFields):
    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.all())
    branch = serializers.SlugRelatedField(slug_field="slug", queryset=Branch.objects.all())


class SiteUpdateSerializer(SiteWriteFields):
    """Edition and branch are fixed once a site exists."""


# --- The site workflow --------------------------------------------------------------------


class SendBackSerializer(RejectUnknownFields):
    # Blank passes here: the workflow decides (`comment_required`), as on the page.
    comment = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        help_text="What the branch should change (sent to its coordinators).",
    )


class CancelSerializer(RejectUnknownFields):
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        help_text="Sent to the volunteers who had a place, and kept in the site's history.",
    )


class SiteStatusSerializer(serializers.Serializer):
    """A site's place in the workflow after a transition."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Site.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    review_comment = serializers.CharField(
        help_text="What the national office asked to change, after a send-back."
    )


class SiteCancelledSerializer(SiteStatusSerializer):
    signups_freed = serializers.IntegerField(help_text="Places of volunteers that were freed.")
    volunteers_told = serializers.IntegerField(help_text="Volunteers mailed about it.")


# --- Shifts -------------------------------------------------------------------------------


class ShiftSerializer(serializers.ModelSerializer):
    """A shift as the public sees it: places, not people."""

    role_label = serializers.CharField(source="get_role_display", read_only=True)
    confirmed = serializers.IntegerField(read_only=True, help_text="Confirmed sign-ups.")
    open_spots = serializers.IntegerField(
        read_only=True, min_value=0, help_text="Capacity minus confirmed, never below 0."
    )
    site_url = serializers.SerializerMethodField(help_text="The site's page, to claim it.")

    class Meta:
        model = Shift
        fields = [
            "id",
            "site",
            "role",
            "role_label",
            "starts_at",
            "ends_at",
            "capacity",
            "confirmed",
            "open_spots",
            "site_url",
        ]

    def get_site_url(self, shift: Shift) -> str:
        path = reverse("events:site_detail", kwargs={"pk": shift.site_id})
        return self.context["request"].build_absolute_uri(path)


class ShiftManagerSerializer(ShiftSerializer):
    """What the site's coordinators and organisers also see: the notes and the state."""

    class Meta(ShiftSerializer.Meta):
        fields = [*ShiftSerializer.Meta.fields, "notes", "is_cancelled"]


class ShiftWriteFields(RejectUnknownFields):
    role = serializers.ChoiceField(choices=Shift.Role.choices)
    starts_at = MomentField()
    ends_at = MomentField()
    capacity = serializers.IntegerField(min_value=0, max_value=10_000)
    notes = serializers.CharField(
        allow_blank=True,
        required=False,
        validators=[
            PlainTextValidator(_("Notes"), multiline=True),
            MaxLengthValidator(NOTES_MAX_LENGTH, _("Notes")),
        ],
        help_text=f"At most {NOTES_MAX_LENGTH} characters.",
    )


class VisibleSiteField(serializers.PrimaryKeyRelatedField):
    """A site the requester (`context["request"]`) may see, by `sites_visible_to`: another
    branch's draft is "no such site", as an unknown id is, so that nobody can tell the one
    from the other (whether they may act on a site they see is the view's 403)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Site.objects.none()
        return sites_visible_to(request.user).select_related("branch")


class ShiftCreateSerializer(ShiftWriteFields):
    site = VisibleSiteField(queryset=Site.objects.all())


class ShiftUpdateSerializer(ShiftWriteFields):
    """The site of a shift is fixed."""
