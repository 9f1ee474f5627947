"""A volunteer's own pages: my shifts, my profile, my data, deleting my account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.languages import remember_language
from accounts.roles import is_coordinator
from accounts.services import volunteer_get_or_create, volunteer_update_profile
from common import clock
from common.errors import DomainError
from common.languages import interface_language_or_default, language_match, language_name
from events import extensions, selectors
from events.errors import NotSignedUp
from events.hosts import hosts_of_sites
from events.models import Attendance, Shift, Signup
from events.roles import site_days
from events.services import attendance
from events.services.signups import can_release, release_deadline

from .. import services
from ..forms import AccountDeleteForm, ProfileForm
from ..privacy import volunteer_data_export


def shift_lists(volunteer, now) -> dict:
    """A person's sign-ups as "my shifts" shows them (and a helper's personal page):
    `coming` (with release, waitlist position, languages, place, and on the day whether
    check-in is open), `past` (confirmed, latest first) and `cancelled` (coming shifts the
    coordinator cancelled: news; own releases are not). Each confirmed one has its
    `attendance_row` (or None): checked in or out, or marked as not come."""
    coming, past, cancelled = [], [], []
    signups = list(selectors.signups_of(volunteer))
    positions = selectors.waitlist_positions(signups)
    rows = attendance.attendance_of([s for s in signups if s.is_confirmed])
    today = clock.today()
    for signup in signups:
        shift = signup.shift
        if signup.status == Signup.Status.CANCELLED:
            if shift.is_cancelled and shift.ends_at > now:
                cancelled.append(signup)
            continue
        signup.attendance_row = rows.get(signup.pk)
        if shift.ends_at <= now:
            if signup.is_confirmed:
                past.append(signup)
            continue
        first_day, last_day = site_days(shift.site)
        signup.on_the_day = signup.is_confirmed and first_day <= today <= last_day
        signup.check_in_open = signup.is_confirmed and attendance.may_check_in(shift, now)
        signup.is_lead = shift.role == Shift.Role.LEAD
        signup.can_release = can_release(signup, now)
        signup.release_deadline = release_deadline(shift)
        signup.position = positions.get(signup.pk)
        signup.languages = language_match(volunteer.languages, shift.site.languages_needed)
        # The address of a site shown approximately only once its coordinators shared it.
        signup.exact_place = selectors.shares_exact_place(signup)
        coming.append(signup)
    # The host of each site and their house rules (no photos, a visitor limit, ID): for
    # everyone with a place there; the host's contact person only for the site lead.
    hosts = hosts_of_sites(signup.shift.site_id for signup in coming)
    for signup in coming:
        signup.site_host = hosts.get(signup.shift.site_id)
        signup.sees_host_contact = signup.is_lead and signup.is_confirmed
    return {"coming": coming, "past": past[::-1], "cancelled": cancelled}


@login_required
def my_shifts(request):
    volunteer = volunteer_get_or_create(user=request.user)
    lists = shift_lists(volunteer, clock.now())
    for signup in lists["coming"]:
        # On the day: the counter (for those who may count there), worded for the day.
        signup.day_tools = (
            extensions.site_links(
                extensions.SHIFT_DAY_TOOLS, user=request.user, site=signup.shift.site
            )
            if signup.on_the_day
            else []
        )
    return render(
        request,
        "volunteers/my_shifts.html",
        {
            "volunteer": volunteer,
            **lists,
            "verified": request.user.has_perm("events.claim_shift"),
        },
    )


@login_required
@require_POST
def shift_check_in(request, pk: int):
    """Check in on one's own confirmed shift from "My shifts" (method `self`)."""
    shift = get_object_or_404(Shift, pk=pk)
    signup = Signup.objects.filter(
        shift=shift, volunteer__user=request.user, status__in=Signup.ACTIVE_STATUSES
    ).first()
    try:
        if signup is None:
            raise NotSignedUp()
        attendance.check_in(signup=signup, by=request.user, method=Attendance.Method.SELF)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("You are checked in. Welcome, and thank you!"))
    return redirect("volunteers:my_shifts")


@login_required
def profile(request):
    volunteer = volunteer_get_or_create(user=request.user)
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": interface_language_or_default(user.language or get_language()),
        "phone": volunteer.phone,
        "languages": volunteer.languages,
        "home_branch": volunteer.home_branch,
        "staffing_alerts": user.staffing_alerts,
    }
    form = ProfileForm(request.POST or None, initial=initial, coordinator=is_coordinator(user))
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data.pop("language") or None  # None: left as it was
        volunteer_update_profile(volunteer=volunteer, language=language, **form.cleaned_data)
        response = redirect("volunteers:profile")
        # The site follows the person's language from the next page on.
        with translation.override(language or get_language()):
            messages.success(request, _("Your profile has been saved."))
        return remember_language(response, language) if language else response
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
