"""Reviewing sites (organisers), under `/manage/editions/<slug>/review/`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.languages import language_names

from ..forms.sites import BulkApproveForm, CommentForm
from ..models import Event, Site
from ..services import sites_publish_bulk
from ..services.editions import edition_is_closed
from ..services.workflow import site_missing, with_completeness
from .access import map_context, require

# --- Review (organisers) --------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Submitted sites, oldest submission first, with their position and completeness."""
    require(request.user, "events.review_site")
    event = get_object_or_404(Event, slug=slug)
    sites = list(
        with_completeness(Site.objects.filter(event=event, status=Site.Status.SUBMITTED))
        .select_related("branch")
        .annotate(
            submitted_at=Max(
                "status_changes__changed_at",
                filter=Q(status_changes__to_status=Site.Status.SUBMITTED),
            )
        )
        .order_by("submitted_at", "pk")
    )
    for site in sites:
        site.missing = site_missing(site)
        site.language_names = language_names(site.languages_needed)
    return render(
        request,
        "events/editions/review_queue.html",
        {
            "event": event,
            "sites": sites,
            "is_closed": edition_is_closed(event),
            "send_back_form": CommentForm(),
            **map_context(),
        },
    )


@login_required
@require_POST
def review_bulk_approve(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, "events.review_site")
    event = get_object_or_404(Event, slug=slug)
    form = BulkApproveForm(request.POST, event=event)
    if not form.is_valid():
        for error in form.errors.get("sites", []):
            messages.error(request, error)
        return redirect("events:review_queue", slug=event.slug)
    outcomes = sites_publish_bulk(sites=form.cleaned_data["sites"].order_by("pk"), by=request.user)
    published = [o for o in outcomes if o.published]
    if published:
        messages.success(
            request,
            ngettext("%(count)d site approved.", "%(count)d sites approved.", len(published))
            % {"count": len(published)},
        )
    for outcome in outcomes:
        if outcome.error is not None:
            messages.error(
                request,
                _("%(site)s was not approved: %(reason)s")
                % {"site": outcome.site.display_name, "reason": outcome.error.detail},
            )
    return redirect("events:review_queue", slug=event.slug)
