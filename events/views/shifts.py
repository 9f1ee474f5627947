"""Planning a site's shifts (`/coordinate/…`): the list with a form to add one, a series at
once, changing and deleting one. For organisers and the coordinators of the site's
branch (`events.manage_shift`); a site or shift is loaded with `selectors.site_for` /
`shift_for` (404 when not visible, 403 when not allowed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.errors import DomainError
from common.forms import show_errors

from .. import services
from ..forms.shifts import SHIFT_FIELD_NAMES, ShiftForm, ShiftSeriesForm
from ..models import Shift, Signup
from ..selectors import shift_for, shifts_with_counts, site_for


@login_required
@require_http_methods(["GET", "POST"])
def site_shifts(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a site's shifts: the list, and a form to add one."""
    site = site_for(request.user, pk, "events.manage_shift")
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(site=site))
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.shift_create(site=site, **form.service_arguments())
        except DomainError as error:
            show_errors(form, error, field_names=SHIFT_FIELD_NAMES)
        else:
            messages.success(request, _("Shift added: %(shift)s.") % {"shift": shift})
            return redirect("events:site_shifts", pk=site.pk)
    shifts = shifts_with_counts(site.shifts.all()).order_by("starts_at", "role", "id")
    return render(
        request, "events/shifts/site_shifts.html", {"site": site, "shifts": shifts, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift_series(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.manage_shift")
    form = ShiftSeriesForm(request.POST or None, initial=ShiftSeriesForm.initial_for(site))
    if request.method == "POST" and form.is_valid():
        try:
            created, skipped = services.shift_create_series(site=site, **form.service_arguments())
        except DomainError as error:
            show_errors(form, error, field_names=SHIFT_FIELD_NAMES)
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
            return redirect("events:site_shifts", pk=site.pk)
    return render(request, "events/shifts/shift_series.html", {"site": site, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_for(request.user, pk, "events.manage_shift")
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(shift=shift))
    if shift.is_cancelled:
        messages.error(request, _("This shift has been cancelled and can no longer be changed."))
        return redirect("events:site_shifts", pk=shift.site_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_update(shift=shift, **form.service_arguments())
        except DomainError as error:
            show_errors(form, error, field_names=SHIFT_FIELD_NAMES)
        else:
            messages.success(request, _("The shift has been saved."))
            return redirect("events:site_shifts", pk=shift.site_id)
    counts = shifts_with_counts(Shift.objects.filter(pk=shift.pk)).get()
    return render(
        request, "events/shifts/shift_edit.html", {"shift": shift, "form": form, "counts": counts}
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift_delete(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_for(request.user, pk, "events.manage_shift")
    active = Signup.objects.filter(shift=shift).active().count()
    has_history = shift.signups.exists()
    if request.method == "POST":
        site_id = shift.site_id
        try:
            deleted = services.shift_delete(shift=shift)
        except DomainError as error:
            messages.error(request, error.detail)
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
        return redirect("events:site_shifts", pk=site_id)
    return render(
        request,
        "events/shifts/shift_delete.html",
        {"shift": shift, "active": active, "has_history": has_history},
    )
