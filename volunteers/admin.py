from django.contrib import admin

from .models import ReminderSent, StaffingAppeal


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["signup", "kind", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["signup__volunteer__user", "signup__shift"]


@admin.register(StaffingAppeal)
class StaffingAppealAdmin(admin.ModelAdmin):
    list_display = ["site", "sent_by", "sent_at", "recipients"]
    list_filter = ["site__event"]
    search_fields = ["site__name", "site__location__name", "site__location__city", "message"]
    list_select_related = ["site__location", "sent_by"]
    date_hierarchy = "sent_at"

    # A record of mail that went out: written by the appeal service only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
