"""A site's roster: who has a place on each shift, with contact details, as a page and as
a spreadsheet. For organisers and the coordinators of the site's branch
(`events.view_roster`); never cached."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from common import clock
from common.errors import DomainError
from common.languages import language_name, language_names
from common.spreadsheets import csv_response, spreadsheet_cell

from .. import extensions, services
from ..errors import AlreadySignedUp, ShiftOverlap
from ..hosts import host_of, needs_host_consent
from ..models import Shift, Signup
from ..selectors import address_holders, shift_for, site_for
from ..selectors import roster as site_roster
from ..services import attendance
from ..staffing import uncovered_languages
from .coordinate import ID


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.view_roster")
    shifts = site_roster(site)
    for shift in shifts:
        shift.site = site
    gaps = uncovered_languages(shifts)
    _with_attendance(shifts)
    for shift in shifts:
        shift.languages_uncovered = language_names(gaps.get(shift.pk, []))
        for signup in shift.roster_signups:
            signup.language_names = [language_name(c) for c in signup.volunteer.languages or []]
    response = render(
        request,
        "events/shifts/roster.html",
        {
            "site": site,
            "shifts": shifts,
            # Printed, the roster is the site's sheet for the day: the host's house rules
            # and contact person at the top (the roster's readers may see them).
            "host": host_of(site),
            "host_required": needs_host_consent(site),
            "can_share": request.user.has_perm("events.share_address", site),
            "can_take_attendance": request.user.has_perm("events.take_attendance", site),
            "can_appoint_lead": request.user.has_perm("events.manage_shift", site),
            # Links of the apps above (helpers without a log-in, the invitation link).
            "extra_actions": extensions.site_links(
                extensions.SITE_ROSTER_ACTIONS, user=request.user, site=site
            ),
            "disclosures": address_holders(site) if site.show_approximate_location else [],
            # Sharing sends the street and the map position: without either there is
            # nothing more to share than the town everybody sees.
            "has_exact_place": bool(site.location.street or site.location.has_position),
            "without_address": sum(
                1
                for shift in shifts
                for signup in shift.roster_signups
                if signup.is_confirmed and signup.address_shared_at is None
            ),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _with_attendance(shifts) -> None:
    """Give each shift (with its site in hand) its attendance: `walk_in_rows`,
    `attendance_counts`, whether check-in is open now and whether it has begun; and each
    of its sign-ups its `attendance_row` (or None)."""
    now = clock.now()
    rows = attendance.attendance_of([s for shift in shifts for s in shift.roster_signups])
    helpers = attendance.walk_ins([shift.pk for shift in shifts])
    counts = attendance.shift_attendance([shift.pk for shift in shifts])
    for shift in shifts:
        shift.walk_in_rows = helpers.get(shift.pk, [])
        shift.attendance_counts = counts[shift.pk]
        shift.check_in_open = attendance.may_check_in(shift, now)
        shift.has_begun = shift.starts_at <= now and not shift.is_cancelled
        # The site-lead shift gets its volunteer from the coordinators (`lead_appoint`).
        shift.lead_appointable = (
            shift.role == Shift.Role.LEAD and not shift.is_cancelled and shift.starts_at > now
        )
        for signup in shift.roster_signups:
            signup.attendance_row = rows.get(signup.pk)


@login_required
@require_POST
def lead_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the site-lead shift `pk` to the volunteer whose account has the confirmed
    address `email` (coordinators of the site's branch and organisers)."""
    shift = shift_for(request.user, pk, "events.manage_shift")
    back = redirect(reverse("events:roster", args=[shift.site_id]) + f"#shift-{shift.pk}")
    try:
        signup = services.lead_appoint(
            shift=shift, email=request.POST.get("email", ""), by=request.user
        )
    except ShiftOverlap as error:
        messages.error(
            request,
            _("This volunteer already has a confirmed shift at that time: %(other)s.")
            % {"other": error.params.get("other", "")},
        )
        return back
    except AlreadySignedUp:
        messages.error(request, _("This volunteer already has a place on this shift."))
        return back
    except DomainError as error:
        messages.error(request, error.detail)
        return back
    person = signup.volunteer.user
    name = person.get_full_name() or person.email
    if signup.is_confirmed:
        messages.success(
            request,
            _("%(name)s is now the site lead of this shift; they get a confirmation by e-mail.")
            % {"name": name},
        )
    else:
        messages.warning(
            request,
            _("The shift filled up meanwhile: %(name)s is on its waitlist.") % {"name": name},
        )
    return back


@login_required
@require_POST
def share_address(request: HttpRequest, pk: int) -> HttpResponse:
    """Share the exact address of a site shown approximately with one confirmed volunteer
    (`signup`), or with every confirmed volunteer who does not have it yet (`all`)."""
    site = site_for(request.user, pk, "events.share_address")
    chosen = request.POST.get("signup", "")
    signups = Signup.objects.filter(shift__site=site).confirmed().filter(address_shared_at=None)
    if chosen != "all":
        signups = signups.filter(pk=int(chosen)) if ID.fullmatch(chosen) else signups.none()
    shared = 0
    for signup in signups.order_by("pk"):
        try:
            services.address_share(signup=signup, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            shared += 1
    if not shared and chosen == "all":
        messages.info(request, _("Every confirmed volunteer already has the address."))
    if shared:
        messages.success(
            request,
            ngettext(
                "The address has been shared with %(count)d volunteer, by e-mail.",
                "The address has been shared with %(count)d volunteers, by e-mail.",
                shared,
            )
            % {"count": shared},
        )
    return redirect("events:roster", pk=site.pk)


@login_required
def roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.view_roster")
    response, writer = csv_response(f"roster-site-{site.pk}.csv")
    response["Cache-Control"] = "private, no-store"
    writer.writerow(
        [
            _("Date"),
            _("From"),
            _("Until"),
            pgettext("the task of a volunteer in a shift", "Role"),
            _("Status"),
            _("Waitlist position"),
            _("First name"),
            _("Last name"),
            _("E-mail address"),
            _("Phone"),
            _("Languages"),
            _("Log-in"),
            _("Attendance"),
            _("Checked in at"),
            _("Checked out at"),
        ]
    )
    shifts = site_roster(site)
    for shift in shifts:
        shift.site = site
    _with_attendance(shifts)
    for shift in shifts:
        start = timezone.localtime(shift.starts_at)
        end = timezone.localtime(shift.ends_at)
        when = [start.strftime("%Y-%m-%d"), start.strftime("%H:%M"), end.strftime("%H:%M")]
        role = shift.get_role_display()
        position = 0
        for signup in shift.roster_signups:
            user = signup.volunteer.user
            if signup.is_waitlisted:
                position += 1
            writer.writerow(
                spreadsheet_cell(value)
                for value in [
                    *when,
                    role,
                    signup.get_status_display(),
                    position if signup.is_waitlisted else "",
                    user.first_name,
                    user.last_name,
                    user.email or "",
                    signup.volunteer.phone,
                    ", ".join(language_name(c) for c in signup.volunteer.languages or []),
                    "" if signup.volunteer.has_login else _("no log-in"),
                    *_attendance_cells(signup.attendance_row),
                ]
            )
        for row in shift.walk_in_rows:
            writer.writerow(
                spreadsheet_cell(value)
                for value in [
                    *when,
                    role,
                    _("walk-in helper"),
                    "",
                    row.walk_in_name,
                    "",
                    "",
                    "",
                    "",
                    _("no log-in"),
                    *_attendance_cells(row),
                ]
            )
    return response


def _attendance_cells(row) -> list[str]:
    """Attendance, checked in at, checked out at (local times) of a roster line."""
    if row is None:
        return ["", "", ""]

    def at(moment) -> str:
        return timezone.localtime(moment).strftime("%H:%M") if moment else ""

    return [row.get_status_display(), at(row.checked_in_at), at(row.checked_out_at)]
