"""Attendance on the roster, by the coordinators of a site's branch and organisers:
checking people in and out, marking who did not come, adding walk-in helpers. The rules
are in `events.services.attendance`; this view parses, calls and reports. (The site's
check-in code page is the volunteer side's: `volunteers.views.checkin`.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import DomainError

from ..models import Attendance, Signup
from ..selectors import site_for
from ..services import attendance
from .coordinate import ID


def _back_to_roster(site, shift_id=None) -> HttpResponse:
    url = reverse("events:roster", args=[site.pk])
    return redirect(f"{url}#shift-{shift_id}" if shift_id else url)


def _id(value) -> int | None:
    value = str(value or "")
    return int(value) if ID.fullmatch(value) else None


@login_required
@require_POST
def roster_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """One step on the roster: `action` is `check_in`, `check_out`, `no_show` or `undo`
    for a person (`signup`) or a walk-in helper (`attendance`), or `walk_in` (`shift`,
    `name`, `form_key`: the same form sent twice adds one helper)."""
    site = site_for(request.user, pk, "events.take_attendance")
    action = request.POST.get("action", "")
    shift_id = None
    try:
        if action == "walk_in":
            shift = site.shifts.filter(pk=_id(request.POST.get("shift"))).first()
            if shift is None:
                messages.error(request, _("This shift does not exist (any more)."))
                return _back_to_roster(site)
            shift_id = shift.pk
            row = attendance.add_walk_in(
                shift=shift,
                name=request.POST.get("name", ""),
                by=request.user,
                form_key=request.POST.get("form_key", ""),
            )
            messages.success(
                request,
                _("%(name)s is checked in as a walk-in helper.") % {"name": row.walk_in_name},
            )
            return _back_to_roster(site, shift_id)
        signup = None
        row = None
        if request.POST.get("signup"):
            signup = (
                Signup.objects.filter(shift__site=site, pk=_id(request.POST.get("signup")))
                .select_related("shift", "volunteer__user")
                .first()
            )
            if signup is not None:
                shift_id = signup.shift_id
                row = Attendance.objects.filter(signup=signup).first()
        elif request.POST.get("attendance"):
            row = Attendance.objects.filter(
                shift__site=site, pk=_id(request.POST.get("attendance"))
            ).first()
            shift_id = row.shift_id if row is not None else None
        if signup is None and row is None:
            messages.error(request, _("This person is not on the roster (any more)."))
            return _back_to_roster(site)
        if action == "check_in" and signup is not None:
            attendance.check_in(
                signup=signup, by=request.user, method=Attendance.Method.COORDINATOR
            )
            messages.success(request, _("Checked in."))
        elif action == "check_out" and row is not None:
            attendance.check_out(attendance=row, by=request.user)
            messages.success(request, _("Checked out."))
        elif action == "no_show" and signup is not None:
            attendance.mark_no_show(signup=signup, by=request.user)
            messages.success(request, _("Marked as not come."))
        elif action == "undo" and row is not None:
            attendance.undo(attendance=row, by=request.user)
            messages.success(request, _("Undone."))
        elif action == "undo":
            messages.info(request, _("Nothing to undo."))
        elif action == "check_out":
            raise attendance.NotCheckedIn()
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, error.detail)
    return _back_to_roster(site, shift_id)
