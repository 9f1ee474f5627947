"""Pieces shared by the apps' admin classes."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows records and never adds, changes or deletes them: for records
    that only a service writes (histories, sign-ups, counts), so that every change goes
    through the service's rules. Say which service in a comment on the subclass."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
