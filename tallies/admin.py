from django.contrib import admin
from django.db.models import Count, Q, Sum

from common.admin import ReadOnlyAdmin

from .models import Category, ResultsPublication, TallyEntry, TallyRefusal


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    # Organisers define categories with their kind at /manage/kinds/
    # (tallies.kinds_editing): one in use is retired, never deleted.
    list_display = ["kind", "slug", "name", "reached", "is_retired"]
    list_filter = ["kind"]


@admin.register(TallyEntry)
class TallyEntryAdmin(ReadOnlyAdmin):
    # Counts change only through the tally service (idempotent, audited); corrections
    # are entries with a reason, never edits of earlier entries.
    list_display = [
        "site",
        "category",
        "delta",
        "recorded_at",
        "received_at",
        "recorded_by",
        "is_correction",
        "imported",
    ]
    list_filter = ["category", "is_correction", "imported", "site__event"]
    search_fields = ["site__name", "site__location__name", "client_id", "reason", "device_id"]
    list_select_related = ["site__location", "recorded_by"]
    date_hierarchy = "recorded_at"
    autocomplete_fields = ["site"]
    readonly_fields = ["received_at"]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context=extra_context)
        try:
            queryset = response.context_data["cl"].queryset
        except (AttributeError, KeyError):
            return response
        response.context_data["tally_total"] = queryset.aggregate(
            total=Sum("delta"), corrections=Count("id", filter=Q(is_correction=True))
        )
        return response


@admin.register(TallyRefusal)
class TallyRefusalAdmin(ReadOnlyAdmin):
    # Written by the tally service only, for the audit page.
    list_display = ["site", "code", "taps", "counted", "received_at", "recorded_by", "device_id"]
    list_filter = ["code", "site__event"]
    search_fields = ["site__name", "site__location__name", "device_id"]
    list_select_related = ["site__location", "recorded_by"]
    date_hierarchy = "received_at"


@admin.register(ResultsPublication)
class ResultsPublicationAdmin(ReadOnlyAdmin):
    # Published and unpublished with the button on the edition's dashboard.
    list_display = ["event", "published_at", "published_by"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event", "published_by"]
