"""Pages for the site actions that touch volunteers: cancelling a site, and asking the
branch's volunteers for help. Under `/manage/sites/<id>/…`, beside the events pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import DomainError
from events.editions import edition_closed_error, edition_is_closed
from events.forms_editions import AppealForm, CancelForm
from events.models import Site
from events.selectors import sites_visible_to
from events.staffing import shifts_with_confirmed

from .appeals import (
    APPEAL_INTERVAL,
    AppealNotPossible,
    appeal_recipients,
    last_appeal,
    staffing_appeal_send,
)
from .cancellation import site_cancel
from .models import Signup


def _site_for(request: HttpRequest, pk: int, permission: str) -> Site:
    site = get_object_or_404(
        sites_visible_to(request.user).select_related("event", "location", "branch"), pk=pk
    )
    if not request.user.has_perm(permission, site):
        raise PermissionDenied
    return site


@login_required
def site_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then cancel: volunteers are mailed and their places freed."""
    site = _site_for(request, pk, "events.manage_site")
    if site.status == Site.Status.CANCELLED or edition_is_closed(site.event):
        messages.error(request, _("This site can no longer be cancelled."))
        return redirect("events:site_manage", pk=site.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = site_cancel(site=site, by=request.user, comment=form.cleaned_data["comment"])
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                ngettext(
                    "%(site)s has been cancelled; %(count)d volunteer has been told.",
                    "%(site)s has been cancelled; %(count)d volunteers have been told.",
                    result.volunteers_told,
                )
                % {"site": site.display_name, "count": result.volunteers_told},
            )
        return redirect("events:site_manage", pk=site.pk)
    affected = (
        Signup.objects.filter(shift__site=site, status__in=Signup.ACTIVE_STATUSES)
        .values("volunteer")
        .distinct()
        .count()
    )
    return render(
        request,
        "volunteers/site_cancel.html",
        {"site": site, "event": site.event, "form": form, "affected": affected},
    )


@login_required
def site_appeal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the branch's volunteers (by home branch) to fill the open places at a site."""
    site = _site_for(request, pk, "volunteers.appeal_for_site")
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = staffing_appeal_send(
                site=site, by=request.user, message=form.cleaned_data["message"]
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                ngettext(
                    "Your appeal has been sent to %(count)d volunteer.",
                    "Your appeal has been sent to %(count)d volunteers.",
                    appeal.recipients,
                )
                % {"count": appeal.recipients},
            )
            return redirect("events:site_manage", pk=site.pk)
    shifts = [s for s in shifts_with_confirmed(site) if not s.is_cancelled]
    # Say why before the coordinator writes a message that cannot be sent.
    blocked = ""
    if site.status == Site.Status.CANCELLED:
        blocked = _("This site has been cancelled: there is nothing to ask help for.")
    elif site.status != Site.Status.PUBLISHED or not site.event.is_published:
        blocked = AppealNotPossible().detail
    elif edition_is_closed(site.event):
        blocked = edition_closed_error(site.event).detail
    return render(
        request,
        "volunteers/site_appeal.html",
        {
            "blocked": blocked,
            "site": site,
            "event": site.event,
            "form": form,
            "open_shifts": [s for s in shifts if s.capacity > s.confirmed],
            "recipient_count": appeal_recipients(site).count(),
            "last_appeal": last_appeal(site),
            "interval_hours": int(APPEAL_INTERVAL.total_seconds() // 3600),
        },
    )
