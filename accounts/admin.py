from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import User, Volunteer
from .services import api_token_revoke

# The admin has no log-in of its own: organisers log in on the app's log-in page
# (allauth's, with its limits on failed attempts, accounts/login_limits.py) and come back
# with `next`. The admin's own log-in form is never shown and never checks a password:
# a visitor who is not logged in is sent to the log-in page, a signed-in person who is
# not staff gets 403.
admin.site.login = secure_admin_login(admin.site.login)


def _password_change(request, extra_context=None):
    """The admin's "change password" is allauth's page, which limits wrong old passwords
    and revokes the API token (accounts.receivers)."""
    return redirect("account_change_password")


admin.site.password_change = _password_change


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """An organiser setting someone's password in the admin also revokes their API token."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            api_token_revoke(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = AdminPasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_organiser", "is_staff", "is_active"]
    list_filter = ["is_organiser", "is_staff", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Roles and permissions"),
            {
                "fields": (
                    "is_active",
                    "is_organiser",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "home_branch", "anonymised_at"]
    list_filter = ["home_branch"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "home_branch"]
    autocomplete_fields = ["user", "home_branch"]
    readonly_fields = ["anonymised_at", "created_at", "updated_at"]
