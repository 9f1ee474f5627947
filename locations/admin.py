from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Branch, Location


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
        "position_precision",
        "position_is_manual",
    ]
    list_filter = ["kind", "province", "position_precision", "position_is_manual"]
    search_fields = ["name", "city", "postcode", "street", "municipality", "reference"]
    readonly_fields = ["geocoded_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "reference"]}),
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
