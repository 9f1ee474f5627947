from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User, Volunteer


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_organiser", "is_staff", "is_active"]
    list_filter = ["is_organiser", "is_staff", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
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
