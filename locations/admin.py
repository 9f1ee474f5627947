from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Branch, GeocodeCacheEntry, GeocoderThrottle, Location


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "province", "email"]
    list_filter = ["province"]
    search_fields = ["name", "town", "email", "coordinators__email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "city",
        "postcode",
        "province",
        "branch",
        "position_precision",
        "position_is_manual",
    ]
    list_filter = ["kind", "province", "branch", "position_precision", "position_is_manual"]
    search_fields = ["name", "city", "postcode", "street", "municipality", "reference"]
    # Address and position change on the location pages (/locations/<id>/), which look the
    # address up, keep a pin placed by hand and check the border of the Netherlands.
    readonly_fields = [
        "street",
        "house_number",
        "house_number_addition",
        "postcode",
        "city",
        "municipality",
        "province",
        "latitude",
        "longitude",
        "position_precision",
        "position_source",
        "position_is_manual",
        "outside_netherlands_allowed",
        "geocoded_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "kind", "branch", "reference"]}),
        (
            _("Address"),
            {
                "fields": [
                    "street",
                    ("house_number", "house_number_addition"),
                    "postcode",
                    "city",
                    "municipality",
                    "province",
                ]
            },
        ),
        (
            _("Position"),
            {
                "fields": [
                    ("latitude", "longitude"),
                    "position_precision",
                    "position_source",
                    "position_is_manual",
                    "outside_netherlands_allowed",
                    "geocoded_at",
                ]
            },
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return False

    def view_on_site(self, obj):
        return reverse("locations:edit", args=[obj.pk])


@admin.register(GeocodeCacheEntry)
class GeocodeCacheEntryAdmin(admin.ModelAdmin):
    """Earlier geocoding answers. Delete an entry to have its query asked again."""

    list_display = ["query", "found", "precision", "provider", "created_at", "expires_at"]
    list_filter = ["found", "precision", "provider"]
    search_fields = ["query", "label"]
    readonly_fields = [
        "query",
        "found",
        "latitude",
        "longitude",
        "precision",
        "provider",
        "label",
        "address",
        "created_at",
        "expires_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(GeocoderThrottle)
class GeocoderThrottleAdmin(admin.ModelAdmin):
    list_display = ["provider", "next_request_at"]
    readonly_fields = ["provider", "next_request_at"]

    def has_add_permission(self, request):
        return False
