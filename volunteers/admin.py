from django.contrib import admin

from .models import (
    HelperOrigin,
    Message,
    MessageRecipient,
    ReminderSent,
    SiteInvitation,
    StaffingAppeal,
)


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


@admin.register(SiteInvitation)
class SiteInvitationAdmin(admin.ModelAdmin):
    """Made, renewed and revoked on the site's helpers page (the service checks the
    rules); here only looked at. The token is not shown: it is the link itself."""

    list_display = ["site", "created_at", "created_by", "expires_at", "revoked_at"]
    list_filter = ["site__event"]
    search_fields = ["site__name", "site__location__name", "site__location__city"]
    list_select_related = ["site__location", "created_by"]
    exclude = ["token"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HelperOrigin)
class HelperOriginAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "site", "invitation", "created_at"]
    list_filter = ["site__event"]
    search_fields = ["site__name", "site__location__name", "site__location__city"]
    list_select_related = ["volunteer__user", "site__location", "invitation"]
    exclude = ["form_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    # A record of mail that went out: written by the messages service only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(_ReadOnly):
    list_display = ["subject", "scope", "event", "branch", "written_by", "written_at"]
    list_filter = ["scope", "event"]
    search_fields = [
        "subject",
        "body",
        "branch__name",
        "site__location__name",
        "site__location__city",
    ]
    list_select_related = ["event", "branch", "written_by"]
    date_hierarchy = "written_at"


@admin.register(MessageRecipient)
class MessageRecipientAdmin(_ReadOnly):
    list_display = ["message", "volunteer", "by_mail", "sent_at"]
    list_filter = ["by_mail"]
    search_fields = ["message__subject", "volunteer__user__email"]
    list_select_related = ["message", "volunteer__user"]
