from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from common.admin import LanguageChoicesForm, ReadOnlyAdmin
from common.languages import interface_languages

from .models import SentMail, User, Volunteer
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


class UserChangeForm(auth_forms.UserChangeForm):
    """The person's own language from the languages the site is offered in (empty: not
    chosen, mails in Dutch and English)."""

    language = forms.TypedChoiceField(
        label=_("language"),
        choices=lambda: [("", "—"), *interface_languages()],
        required=False,
    )


class UserCreationForm(auth_forms.AdminUserCreationForm):
    """An account made in the admin logs in with its e-mail address: it needs one (only
    helpers without a log-in have none, and they are made by their coordinators)."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_organiser", "is_staff", "is_active"]
    list_filter = ["is_organiser", "is_staff", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "language", "staffing_alerts")},
        ),
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


class VolunteerAdminForm(LanguageChoicesForm):
    language_fields = ("languages",)

    class Meta:
        model = Volunteer
        fields = "__all__"


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    form = VolunteerAdminForm
    list_display = ["user", "phone", "home_branch", "anonymised_at"]
    list_filter = ["home_branch"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "home_branch"]
    autocomplete_fields = ["user", "home_branch"]
    # The personal link's token is a secret key: never shown in the admin, never typed in.
    exclude = ["link_token"]
    readonly_fields = ["anonymised_at", "created_at", "updated_at"]


@admin.register(SentMail)
class SentMailAdmin(ReadOnlyAdmin):
    # Written by accounts.mail.send_once before each mail of a background task goes out,
    # so that a retry never sends it twice: to look up whether a mail went.
    list_display = ["key", "sent_at"]
    search_fields = ["key"]
    date_hierarchy = "sent_at"
