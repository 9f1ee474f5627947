"""An edition's public results (`/results/<slug>/`), the tiny page partners frame
(`/results/<slug>/embed/`), and the organisers' button that publishes or unpublishes them.
The figures and the rules are in `tallies.public_results`; these views only show them."""

from __future__ import annotations

import datetime

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST, require_safe

from common.access import public
from common.errors import DomainError
from events.models import Event

from ..public_results import (
    public_results,
    results_publication,
    results_publish,
    results_unpublish,
)


def _results(slug: str) -> dict:
    """The stored public figures of edition `slug`; 404 unless its results are public."""
    publication = results_publication(slug)
    if publication is None:
        raise Http404
    return public_results(publication).value


def _embed_snippet(data: dict) -> str:
    """The `<iframe>` partners copy (escaped where it is shown, as text)."""
    title = _("Results of %(event)s") % {"event": data["name"]}
    return (
        f'<iframe src="{escape(data["embed_url"])}" title="{escape(title)}" '
        'width="100%" height="320" style="border:0" loading="lazy"></iframe>'
    )


def _context(data: dict) -> dict:
    categories = data["categories"]
    return {
        "results": data,
        "date": datetime.date.fromisoformat(data["date"]),
        # Per province, its total in each category, in the order of the columns.
        "province_rows": [
            (
                province,
                [(c["slug"], c["name"], province["totals"].get(c["slug"], 0)) for c in categories],
            )
            for province in data["provinces"]
        ],
        "embed_snippet": _embed_snippet(data),
        "script_config": {
            "url": reverse("tallies_api:event_results", kwargs={"slug": data["event"]}),
            "live": data["live"],
            "refresh": settings.RESULTS_REFRESH_SECONDS,
        },
    }


@public
@require_safe
def results_page(request, slug: str):
    """The results of an edition for anyone: national totals, sites, per province, live on
    the day, compared with earlier editions afterwards; and the embed's snippet."""
    data = _results(slug)
    return _in_its_language(render(request, "tallies/public_results.html", _context(data)))


@public
@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def results_embed(request, slug: str):
    """The live counter for partner sites' iframes: the headline total, the sites and the
    people reached. Like `/map/embed/`, a page any site may frame (no X-Frame-Options);
    it shows public figures only."""
    data = _results(slug)
    return _in_its_language(render(request, "tallies/public_results_embed.html", _context(data)))


def _in_its_language(response):
    """The page is written in the reader's language, chosen by the language cookie as
    well as the browser's: a shared cache must keep a copy per cookie too (found by the
    attack review), and a browser asks again for fresh figures."""
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, no_cache=True)
    return response


@login_required
@require_POST
def results_publication_change(request, slug: str):
    """Publish (`publish=1`) or unpublish (`publish=0`) an edition's results: organisers
    only. Back to the dashboard, which says what changed."""
    if not request.user.has_perm("tallies.publish_results"):
        raise PermissionDenied
    event = get_object_or_404(Event, slug=slug)
    publish = request.POST.get("publish")
    if publish not in ("0", "1"):
        messages.error(request, _("Choose whether to publish or unpublish the results."))
    else:
        try:
            if publish == "1":
                results_publish(event=event, by=request.user)
                messages.success(request, _("The results are public now."))
            else:
                results_unpublish(event=event, by=request.user)
                messages.success(request, _("The results are no longer public."))
        except DomainError as error:
            messages.error(request, error.detail)
    return redirect("tallies:dashboard", slug=event.slug)
