from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import ReminderSent, Signup, StaffingAppeal, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "home_branch", "anonymised_at"]
    list_filter = ["home_branch"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "home_branch"]
    autocomplete_fields = ["user", "home_branch"]
    readonly_fields = ["anonymised_at", "created_at", "updated_at"]


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    # Places are claimed and released only through the claiming service, which keeps the
    # capacity and the waitlist right; the admin shows sign-ups but does not write them.
    list_display = ["volunteer", "shift", "status", "created_at"]
    list_filter = ["status", "shift__site__event"]
    search_fields = [
        "volunteer__user__email",
        "volunteer__user__first_name",
        "volunteer__user__last_name",
        "shift__site__location__name",
    ]
    list_select_related = ["volunteer__user", "shift__site__location"]
    autocomplete_fields = ["volunteer", "shift"]
    readonly_fields = ["created_at", "updated_at", "confirmed_at", "cancelled_at"]


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
