from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import LanguageChoicesForm, ReadOnlyAdmin

from .models import (
    ActionKind,
    AddressDisclosure,
    Attendance,
    CheckInCode,
    Event,
    Shift,
    ShiftTemplate,
    Signup,
    Site,
    SiteHost,
    SiteState,
    SiteStatusChange,
)
from .services import site_update, sites_publish_bulk
from .services.editions import edition_is_closed
from .services.sites import SITE_FIELDS


class ShiftTemplateInline(admin.TabularInline):
    model = ShiftTemplate
    extra = 0
    fields = ["role", "starts_at", "ends_at", "capacity"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ActionKind)
class ActionKindAdmin(ReadOnlyAdmin):
    # Organisers define kinds at /manage/kinds/ (tallies.kinds_editing), with their
    # categories, under the rules there.
    list_display = ["slug", "name", "marker_colour", "marker_shape", "is_active"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Editions to look at and search. They are created, cloned and changed on the
    edition pages (/manage/), whose services keep the rules (e.g. a date does not move
    once sites are planned on it)."""

    list_display = ["name", "kind", "date", "is_published", "site_count"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name", "slug"]
    date_hierarchy = "date"
    inlines = [ShiftTemplateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_site_count=Count("sites"))

    @admin.display(description=_("sites"), ordering="_site_count")
    def site_count(self, obj: Event) -> int:
        return obj._site_count


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(ReadOnlyAdmin):
    """Changed on the edition's templates page (/manage/editions/<slug>/templates/)."""

    list_display = ["event", "role", "starts_at", "ends_at", "capacity"]
    list_filter = ["event__kind", "event"]
    search_fields = ["event__name", "role"]
    list_select_related = ["event"]


class ShiftInline(admin.TabularInline):
    """A site's shifts, to look at. Shifts are planned on the coordination pages, where
    the sign-up rules (places against confirmed volunteers, telling them of a change)
    and the calendars' revision numbers are kept."""

    model = Shift
    extra = 0
    fields = ["role", "starts_at", "ends_at", "capacity", "is_cancelled"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class SiteStatusChangeInline(admin.TabularInline):
    model = SiteStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class SiteAdminForm(LanguageChoicesForm):
    language_fields = ("languages_needed",)

    class Meta:
        model = Site
        fields = "__all__"


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteAdminForm
    list_display = ["__str__", "event", "branch", "city", "status", "opens_at", "closes_at"]
    list_filter = ["status", "event", "event__kind", "location__province"]
    search_fields = ["name", "location__name", "location__city", "branch__name"]
    list_select_related = ["event", "location", "branch"]
    autocomplete_fields = ["location", "branch"]
    # The status moves only through the status services (review pages, the action below,
    # cancelling under /manage/), so that every change is in the site's history.
    readonly_fields = [
        "status",
        "review_comment",
        "sequence",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ShiftInline, SiteStatusChangeInline]
    actions = ["approve_sites"]
    # Time and place change through the site pages (/manage/sites/<id>/edit/), which raise
    # the calendars' revision and refuse cancelled sites and past editions; a new site is
    # registered there too, with the edition's shift templates.
    TIME_AND_PLACE = ["event", "location", "branch", "opens_at", "closes_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_cancelled or edition_is_closed(obj.event)):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [name for name in self.TIME_AND_PLACE if name not in readonly]

    def get_autocomplete_fields(self, request):
        return []

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in SITE_FIELDS
        }
        if changes:
            site_update(site=obj, by=request.user, **changes)

    @admin.display(description=_("town"), ordering="location__city")
    def city(self, obj: Site) -> str:
        return obj.location.city

    @admin.action(description=_("Approve and publish the selected submitted sites"))
    def approve_sites(self, request, queryset):
        if not request.user.has_perm("events.review_site"):
            raise PermissionDenied
        outcomes = sites_publish_bulk(sites=queryset.order_by("pk"), by=request.user)
        published = sum(1 for outcome in outcomes if outcome.published)
        if published:
            self.message_user(
                request,
                ngettext("%(count)d site approved.", "%(count)d sites approved.", published)
                % {"count": published},
                messages.SUCCESS,
            )
        for outcome in outcomes:
            if outcome.error is not None:
                self.message_user(
                    request,
                    _("%(site)s was not approved: %(reason)s")
                    % {"site": outcome.site.display_name, "reason": outcome.error.detail},
                    messages.ERROR,
                )


@admin.register(SiteStatusChange)
class SiteStatusChangeAdmin(ReadOnlyAdmin):
    # The history of a site is written by the status services, never by hand.
    list_display = ["site", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status", "site__event"]
    search_fields = ["site__name", "site__location__name", "comment", "changed_by__email"]
    list_select_related = ["site__location", "changed_by"]
    date_hierarchy = "changed_at"


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    """Shifts to look at and search. They are planned on the coordination pages
    (/coordinate/sites/<id>/shifts/), under the sign-up rules."""

    list_display = ["__str__", "site", "role", "starts_at", "ends_at", "capacity", "is_cancelled"]
    list_filter = ["role", "is_cancelled", "site__event"]
    search_fields = ["site__name", "site__location__name", "site__location__city"]
    list_select_related = ["site__location", "site__event"]
    date_hierarchy = "starts_at"


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


@admin.register(AddressDisclosure)
class AddressDisclosureAdmin(ReadOnlyAdmin):
    # Written where the exact address of a site shown approximately reaches someone (mail,
    # calendar, map): a record, never edited.
    list_display = ["site", "user", "channel", "first_at", "last_at"]
    list_filter = ["channel", "site__event"]
    search_fields = ["site__name", "site__location__name", "user__email"]
    list_select_related = ["site__location", "user"]
    date_hierarchy = "first_at"


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    # Written by events.services.attendance (check-in, check-out, did not come, walk-ins),
    # each step with who and when.
    list_display = ["shift", "signup", "walk_in_name", "status", "method", "checked_in_at"]
    list_filter = ["status", "method", "shift__site__event"]
    search_fields = ["shift__site__name", "shift__site__location__name", "walk_in_name"]
    list_select_related = ["shift__site__location", "signup__volunteer__user"]
    date_hierarchy = "checked_in_at"


@admin.register(CheckInCode)
class CheckInCodeAdmin(ReadOnlyAdmin):
    # Made, renewed and withdrawn by the site's coordinators on the check-in code page
    # (events.services.attendance); the code itself is not shown here.
    list_display = ["site", "day", "expires_at", "revoked_at", "created_by"]
    list_filter = ["day", "site__event"]
    search_fields = ["site__name", "site__location__name"]
    list_select_related = ["site__location", "created_by"]
    exclude = ["token"]


@admin.register(SiteState)
class SiteStateAdmin(ReadOnlyAdmin):
    # Set by the site's lead or coordinators on the day (events.services.day).
    list_display = ["site", "state", "note", "set_by", "set_at"]
    list_filter = ["state", "site__event"]
    search_fields = ["site__name", "site__location__name", "note"]
    list_select_related = ["site__location", "set_by"]
    date_hierarchy = "set_at"


@admin.register(SiteHost)
class SiteHostAdmin(ReadOnlyAdmin):
    # Recorded on the site's "Host and consent" page (events.services.hosts).
    list_display = ["site", "organisation", "consent_given_on", "consent_recorded_at"]
    list_filter = ["site__event", "no_photos_inside", "id_required"]
    search_fields = ["site__name", "site__location__name", "organisation"]
    list_select_related = ["site__location"]
