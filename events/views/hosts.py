"""A site's host and the host's consent (`/manage/sites/<id>/host/`): for the coordinators
of the site's branch and organisers (`events.manage_site`), like the site's other pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.forms import show_errors

from .. import services
from ..forms.hosts import HostForm
from ..hosts import host_of, needs_host_consent
from ..selectors import site_for
from ..services.editions import edition_is_closed


@login_required
def site_host(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.manage_site")
    host = host_of(site)
    may_change = not site.is_cancelled and not edition_is_closed(site.event)
    form = HostForm(request.POST if request.method == "POST" else None, host=host)
    if request.method == "POST" and not may_change:
        messages.error(request, _("This site can no longer be changed."))
        return redirect("events:site_manage", pk=site.pk)
    if request.method == "POST" and form.is_valid():
        try:
            host = services.site_host_record(site=site, by=request.user, details=form.details())
        except DomainError as error:
            show_errors(form, error)
        else:
            if host.has_consent:
                messages.success(request, _("The host and their consent have been recorded."))
            else:
                messages.warning(
                    request,
                    _("The host has been saved; their consent is not recorded yet."),
                )
            return redirect("events:site_manage", pk=site.pk)
    response = render(
        request,
        "events/editions/site_host.html",
        {
            "site": site,
            "event": site.event,
            "form": form if may_change else None,
            "host": host,
            "required": needs_host_consent(site),
        },
    )
    # The contact person's details are a third party's personal data.
    response["Cache-Control"] = "private, no-store"
    return response
