"""Pages for volunteers (find, claim, release, my shifts, profile, my data) and for
coordinators (plan shifts, rosters, understaffed shifts).

Views parse input, ask the rule-book (`user.has_perm`), call a service and show its
message. Every view is signed-in only, except the public list of open shifts.
"""

import json
import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.access import public
from common.pagination import query_without_page
from common.redirects import redirect_to_next
from common.spreadsheets import csv_response, spreadsheet_cell
from events.models import Event, Shift, Site
from events.services import shift_create

from . import selectors, services
from .errors import SignupError
from .forms import (
    AccountDeleteForm,
    FindShiftsForm,
    ProfileForm,
    ShiftForm,
    ShiftSeriesForm,
)
from .languages import language_match, language_name
from .models import Signup
from .privacy import volunteer_data_export

SHIFTS_PER_PAGE = 30


def _back(request):
    """Back to the page the form was on (`next`, on this site), else to my shifts."""
    target = request.POST.get("next") or request.GET.get("next")
    return redirect_to_next(request, target, reverse("volunteers:my_shifts"))


def object_permission_required(perm: str, model, *, queryset=None):
    """Signed-in users only (others go to the log-in page), then `perm` on the object
    named by `pk` (403 without it). The view receives the object instead of `pk`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, pk: int, *args, **kwargs):
            objects = queryset if queryset is not None else model.objects.all()
            obj = get_object_or_404(objects, pk=pk)
            if not request.user.has_perm(perm, obj):
                raise PermissionDenied
            return view(request, obj, *args, **kwargs)

        return wrapped

    return decorator


# The services name a shift's fields; the forms ask for a date and two times of day.
_FORM_FIELD_OF = {"starts_at": "date", "ends_at": "end"}


def _apply_error(form, error: ValidationError | SignupError) -> None:
    """Show a service's error on the form, beside its field when it names one."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                field = _FORM_FIELD_OF.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    else:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.detail)


# --- Volunteers --------------------------------------------------------------------------------


@public
def shift_list(request):
    """Open shifts, filtered by action day, town and date. No names: counts only."""
    form = FindShiftsForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "event": form.cleaned_data["event"],
            "site": form.cleaned_data["site"],
            "town": form.cleaned_data["town"],
            "date": form.cleaned_data["date"],
            "only_free": form.cleaned_data["free"],
        }
        if form.unknown_site:
            messages.warning(
                request,
                _("That site is not (or no longer) on the list. Here are all open shifts."),
            )
    page = Paginator(selectors.open_shifts(**filters), SHIFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    spoken: list[str] = []
    mine: dict[int, str] = {}
    can_claim = False
    if request.user.is_authenticated:
        volunteer = getattr(request.user, "volunteer", None)
        if volunteer is not None:
            spoken = volunteer.languages or []
            mine = dict(
                Signup.objects.filter(
                    volunteer=volunteer,
                    shift__in=[shift.pk for shift in page.object_list],
                    status__in=services.ACTIVE,
                ).values_list("shift_id", "status")
            )
        can_claim = request.user.has_perm("volunteers.claim_shift")
    for shift in page.object_list:
        shift.open_spots = max(shift.capacity - shift.confirmed_count, 0)
        shift.languages = language_match(spoken, shift.site.languages_needed)
        shift.my_status = mine.get(shift.pk)
    return render(
        request,
        "volunteers/shift_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_claim": can_claim,
            "has_languages": bool(spoken),
            "site": filters.get("site"),
        },
    )


def _shift_text(shift: Shift) -> str:
    """ "Reception, azc Utrecht, za 25 september 2027 10:00", for messages."""
    return _("%(role)s, %(site)s, %(when)s") % {
        "role": capfirst(shift.get_role_display()),
        "site": shift.site.display_name,
        "when": formats.date_format(timezone.localtime(shift.starts_at), "D j F Y H:i"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def shift_claim(request, pk: int):
    """GET asks "take this shift?" (where the log-in page sends someone who tapped the
    button after their session ran out); POST claims."""
    shift = get_object_or_404(Shift.objects.select_related("site__location", "site__event"), pk=pk)
    volunteer = services.volunteer_get_or_create(user=request.user)
    if request.method == "GET":
        # Only what the public shift list shows: a draft site stays unseen.
        if not Site.objects.published().filter(pk=shift.site_id).exists():
            raise Http404
        signup = Signup.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Signup.ACTIVE_STATUSES
        ).first()
        closed = ""
        if signup is None:
            try:
                services.check_open_for_claims(shift, timezone.now())
            except SignupError as error:
                closed = error.detail
        return render(
            request,
            "volunteers/shift_claim_confirm.html",
            {
                "shift": shift,
                "signup": signup,
                "closed": closed,
                "next": request.GET.get("next", ""),
            },
        )
    try:
        signup = services.signup_create(shift=shift, volunteer=volunteer)
    except SignupError as error:
        messages.error(request, error.detail)
    else:
        if signup.status == Signup.Status.CONFIRMED:
            messages.success(
                request, _("Your place is confirmed: %(shift)s.") % {"shift": _shift_text(shift)}
            )
        else:
            messages.info(
                request,
                _(
                    "This shift is full. You are number %(position)s on the waitlist; we "
                    "will e-mail you when a place comes free."
                )
                % {"position": services.waitlist_position(signup)},
            )
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def shift_release(request, pk: int):
    """GET asks "are you sure?" (one stray tap on a phone must not give a place away);
    POST releases."""
    shift = get_object_or_404(Shift.objects.select_related("site__location", "site__event"), pk=pk)
    volunteer = services.volunteer_get_or_create(user=request.user)
    if request.method == "GET":
        signup = Signup.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Signup.ACTIVE_STATUSES
        ).first()
        if signup is None:
            messages.error(request, _("You have no place on this shift."))
            return _back(request)
        return render(
            request,
            "volunteers/shift_release_confirm.html",
            {
                "shift": shift,
                "signup": signup,
                "can_release": services.can_release(signup),
                "next": request.GET.get("next", ""),
            },
        )
    waiting = Signup.objects.filter(
        shift=shift, volunteer=volunteer, status=Signup.Status.WAITLISTED
    ).exists()
    try:
        services.signup_release(shift=shift, volunteer=volunteer)
    except SignupError as error:
        messages.error(request, error.detail)
    else:
        if waiting:
            messages.success(
                request,
                _("You have left the waitlist of %(shift)s.") % {"shift": _shift_text(shift)},
            )
        else:
            messages.success(
                request, _("You have released the shift. Thank you for letting us know.")
            )
    return _back(request)


@login_required
def my_shifts(request):
    volunteer = services.volunteer_get_or_create(user=request.user)
    now = timezone.now()
    coming, past, cancelled = [], [], []
    signups = list(selectors.signups_of(volunteer))
    positions = selectors.waitlist_positions(signups)
    for signup in signups:
        shift = signup.shift
        if signup.status == Signup.Status.CANCELLED:
            # Only shifts the coordinator cancelled are news; own releases are not.
            if shift.is_cancelled and shift.ends_at > now:
                cancelled.append(signup)
            continue
        if shift.ends_at <= now:
            if signup.status == Signup.Status.CONFIRMED:
                past.append(signup)
            continue
        signup.can_release = services.can_release(signup, now)
        signup.release_deadline = services.release_deadline(shift)
        signup.position = positions.get(signup.pk)
        signup.languages = language_match(volunteer.languages, shift.site.languages_needed)
        coming.append(signup)
    return render(
        request,
        "volunteers/my_shifts.html",
        {
            "volunteer": volunteer,
            "coming": coming,
            "past": past[::-1],
            "cancelled": cancelled,
            "verified": request.user.has_perm("volunteers.claim_shift"),
        },
    )


@login_required
def profile(request):
    volunteer = services.volunteer_get_or_create(user=request.user)
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": volunteer.phone,
        "languages": volunteer.languages,
        "home_branch": volunteer.home_branch,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.volunteer_update_profile(volunteer=volunteer, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("volunteers:profile")
    return render(
        request,
        "volunteers/profile.html",
        {
            "form": form,
            "volunteer": volunteer,
            "spoken": [language_name(code) for code in volunteer.languages or []],
        },
    )


@login_required
def my_data(request):
    """Everything we hold about the signed-in person, as a JSON download."""
    data = volunteer_data_export(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted. Thank you for your help."))
        return redirect("events:home")
    return render(request, "volunteers/account_delete.html", {"form": form})


# --- Coordinators ------------------------------------------------------------------------------


def _coordinator_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm("volunteers.coordinate"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@_coordinator_only
def coordinate(request):
    """The coordinator's sites, with their shifts and places."""
    show_past = request.GET.get("past") == "1"
    sites = selectors.sites_planned_by(request.user)
    if not show_past:
        sites = sites.filter(event__date__gte=timezone.localdate())
    sites = sites.annotate(
        shift_count=Count("shifts", filter=Q(shifts__is_cancelled=False), distinct=True),
    ).order_by("event__date", "location__city", "location__name")
    places = selectors.with_counts(
        Shift.objects.filter(site__in=[site.pk for site in sites], is_cancelled=False)
    ).values("site_id", "capacity", "confirmed_count")
    totals: dict[int, list[int]] = {}
    for row in places:
        total = totals.setdefault(row["site_id"], [0, 0])
        total[0] += row["capacity"]
        total[1] += row["confirmed_count"]
    for site in sites:
        site.places, site.confirmed = totals.get(site.pk, (0, 0))
    return render(request, "volunteers/coordinate.html", {"sites": sites, "show_past": show_past})


@_coordinator_only
def understaffed(request):
    event = None
    slug = request.GET.get("event", "")
    if re.fullmatch(r"[-a-zA-Z0-9_]{1,100}", slug):  # not a slug (a NUL in it): no edition
        event = Event.objects.filter(slug=slug).first()
    if slug and event is None:
        # An unknown edition must not quietly show every edition's shifts instead.
        messages.error(
            request, _("There is no edition %(slug)s; showing all editions.") % {"slug": slug[:100]}
        )
    shifts = list(selectors.understaffed_shifts(request.user, event=event)[:500])
    for shift in shifts:
        shift.missing = shift.capacity - shift.confirmed_count
    events = Event.objects.filter(
        sites__in=selectors.sites_planned_by(request.user), date__gte=timezone.localdate()
    ).distinct()
    return render(
        request,
        "volunteers/understaffed.html",
        {"shifts": shifts, "events": events, "event": event},
    )


_SITES = Site.objects.select_related("event", "location", "branch")
_SHIFTS = Shift.objects.select_related("site__event", "site__location", "site__branch")


@object_permission_required("events.manage_shift", Site, queryset=_SITES)
def site_shifts(request, site: Site):
    """Plan a site's shifts: the list, and a form to add one."""
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(site=site))
    if request.method == "POST" and form.is_valid():
        try:
            shift = _create_shift(site, form)
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Shift added: %(shift)s.") % {"shift": shift})
            return redirect("volunteers:site_shifts", pk=site.pk)
    shifts = selectors.with_counts(site.shifts.all()).order_by("starts_at", "role", "id")
    return render(
        request, "volunteers/site_shifts.html", {"site": site, "shifts": shifts, "form": form}
    )


def _create_shift(site: Site, form: ShiftForm) -> Shift:
    return shift_create(site=site, **form.service_arguments())


@object_permission_required("events.manage_shift", Site, queryset=_SITES)
def shift_series(request, site: Site):
    form = ShiftSeriesForm(request.POST or None, initial=ShiftSeriesForm.initial_for(site))
    if request.method == "POST" and form.is_valid():
        try:
            created, skipped = services.shift_create_series(site=site, **form.service_arguments())
        except ValidationError as error:
            _apply_error(form, error)
        else:
            added = ngettext("%(count)s shift added", "%(count)s shifts added", len(created)) % {
                "count": len(created)
            }
            if skipped:
                added += ngettext(
                    "; %(count)s already existed.", "; %(count)s already existed.", skipped
                ) % {"count": skipped}
            else:
                added += "."
            messages.success(request, added)
            return redirect("volunteers:site_shifts", pk=site.pk)
    return render(request, "volunteers/shift_series.html", {"site": site, "form": form})


@object_permission_required("events.manage_shift", Shift, queryset=_SHIFTS)
def shift_edit(request, shift: Shift):
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(shift=shift))
    if shift.is_cancelled:
        messages.error(request, _("This shift has been cancelled and can no longer be changed."))
        return redirect("volunteers:site_shifts", pk=shift.site_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_edit(shift=shift, **form.service_arguments())
        except (ValidationError, SignupError) as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The shift has been saved."))
            return redirect("volunteers:site_shifts", pk=shift.site_id)
    counts = selectors.with_counts(Shift.objects.filter(pk=shift.pk)).get()
    return render(
        request, "volunteers/shift_edit.html", {"shift": shift, "form": form, "counts": counts}
    )


@object_permission_required("events.manage_shift", Shift, queryset=_SHIFTS)
def shift_delete(request, shift: Shift):
    active = shift.signups.filter(status__in=services.ACTIVE).count()
    has_history = shift.signups.exists()
    if request.method == "POST":
        site_id = shift.site_id
        try:
            deleted = services.shift_delete(shift=shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if deleted:
                messages.success(request, _("The shift has been deleted."))
            else:
                messages.success(
                    request,
                    ngettext(
                        "The shift has been cancelled; %(count)s volunteer has been told by "
                        "e-mail.",
                        "The shift has been cancelled; %(count)s volunteers have been told by "
                        "e-mail.",
                        active,
                    )
                    % {"count": active},
                )
        return redirect("volunteers:site_shifts", pk=site_id)
    return render(
        request,
        "volunteers/shift_delete.html",
        {"shift": shift, "active": active, "has_history": has_history},
    )


@object_permission_required("events.view_roster", Site, queryset=_SITES)
def roster(request, site: Site):
    shifts = selectors.roster(site)
    for shift in shifts:
        for signup in shift.roster_signups:
            signup.language_names = [language_name(c) for c in signup.volunteer.languages or []]
    response = render(request, "volunteers/roster.html", {"site": site, "shifts": shifts})
    response["Cache-Control"] = "private, no-store"
    return response


@object_permission_required("events.view_roster", Site, queryset=_SITES)
def roster_csv(request, site: Site):
    response, writer = csv_response(f"roster-site-{site.pk}.csv")
    response["Cache-Control"] = "private, no-store"
    writer.writerow(
        [
            _("Date"),
            _("From"),
            _("Until"),
            _("Role"),
            _("Status"),
            _("Waitlist position"),
            _("First name"),
            _("Last name"),
            _("E-mail address"),
            _("Phone"),
            _("Languages"),
        ]
    )
    for shift in selectors.roster(site):
        start = timezone.localtime(shift.starts_at)
        end = timezone.localtime(shift.ends_at)
        position = 0
        for signup in shift.roster_signups:
            user = signup.volunteer.user
            if signup.status == Signup.Status.WAITLISTED:
                position += 1
            writer.writerow(
                spreadsheet_cell(value)
                for value in [
                    start.strftime("%Y-%m-%d"),
                    start.strftime("%H:%M"),
                    end.strftime("%H:%M"),
                    shift.get_role_display(),
                    signup.get_status_display(),
                    position if signup.status == Signup.Status.WAITLISTED else "",
                    user.first_name,
                    user.last_name,
                    user.email,
                    signup.volunteer.phone,
                    ", ".join(language_name(c) for c in signup.volunteer.languages or []),
                ]
            )
    return response
