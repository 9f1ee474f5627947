"""Asking the branch's volunteers for help at a site short of people
(`/manage/sites/<id>/appeal/`, beside the site's management page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import DomainError
from common.languages import language_name
from events.selectors import shifts_with_counts, site_for
from events.services.editions import edition_closed_error, edition_is_closed

from ..appeals import (
    APPEAL_INTERVAL,
    AppealNotPossible,
    appeal_recipients,
    appealable_shifts,
    last_appeal,
    staffing_appeal_send,
)
from ..forms import AppealForm


@login_required
def site_appeal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the branch's volunteers (by home branch) to fill the open places at a site."""
    site = site_for(request.user, pk, "volunteers.appeal_for_site")
    languages = [
        (code, language_name(code), appeal_recipients(site, language=code).count())
        for code in site.languages_needed or []
    ]
    form = AppealForm(request.POST or None, languages=languages)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = staffing_appeal_send(
                site=site,
                by=request.user,
                message=form.cleaned_data["message"],
                language=form.cleaned_data.get("language", ""),
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
    shifts = list(shifts_with_counts(appealable_shifts(site)).order_by("starts_at", "role", "pk"))
    # Say why before the coordinator writes a message that cannot be sent.
    blocked = ""
    if site.is_cancelled:
        blocked = _("This site has been cancelled: there is nothing to ask help for.")
    elif not site.is_public:
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
            "open_shifts": [s for s in shifts if s.open_spots > 0],
            "recipient_count": appeal_recipients(site).count(),
            "last_appeal": last_appeal(site),
            "interval_hours": int(APPEAL_INTERVAL.total_seconds() // 3600),
        },
    )
