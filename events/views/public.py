"""The public pages: coming editions, an edition with its sites, a site with its shifts."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from common import clock
from common.access import public
from common.languages import language_names

from .. import extensions
from ..models import Event, Site
from ..selectors import shifts_with_counts
from ..services.editions import edition_is_closed
from .rows import moment_texts, path_for_pk


@public
def home(request):
    """Upcoming published editions with their number of published sites."""
    events = (
        Event.objects.published()
        .upcoming(clock.today())
        .annotate(
            site_count=Count("sites", filter=Q(sites__status=Site.Status.PUBLISHED), distinct=True)
        )
        .order_by("date", "name")
    )
    return render(request, "events/home.html", {"events": events})


@public
def event_detail(request, slug: str):
    """An edition with its published sites (thousands: rows of plain values, see `rows`)."""
    event = get_object_or_404(Event.objects.published(), slug=slug)
    sites = (
        Site.objects.published()
        .filter(event=event)
        .order_by("location__city", "location__name")
        .values_list("pk", "name", "location__name", "location__city", "opens_at", "closes_at")
    )
    link = path_for_pk("events:site_detail")
    times = moment_texts("c", "H:i")
    rows = []
    for pk, name, location_name, city, opens_at, closes_at in sites:
        (opens_iso, opens_text), (closes_iso, closes_text) = times(opens_at), times(closes_at)
        rows.append(
            {
                "url": link(pk),
                "name": name or location_name,  # as `Site.display_name`
                "city": city,
                "opens_iso": opens_iso,
                "opens_text": opens_text,
                "closes_iso": closes_iso,
                "closes_text": closes_text,
            }
        )
    is_past = edition_is_closed(event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "sites": rows,
            "is_past": is_past,
            # Links that apps above this one add (counting: the public results).
            "links": extensions.edition_page_links(user=request.user, event=event),
            # The totals that apps above this one add (counting), once the day is over.
            "figures": extensions.figures(
                extensions.EDITION_PAGE_FIGURES, user=request.user, subject=event
            )
            if is_past
            else [],
        },
    )


@public
def site_detail(request, pk: int):
    site = get_object_or_404(
        Site.objects.published().select_related("event", "location", "branch", "host"), pk=pk
    )
    shifts = shifts_with_counts(site.shifts.filter(is_cancelled=False)).order_by(
        "starts_at", "role"
    )
    links = {"user": request.user, "site": site}
    is_past = site.closes_at <= clock.now()
    # The host's house rules for the site's own volunteers (and its coordinators); the
    # host's contact person only for those who may call them. Never for the public.
    user = request.user
    # Read with the site (no query more for the many sites without one).
    host = getattr(site, "host", None)
    if host is not None and not user.has_perm("events.view_host_conditions", site):
        host = None
    response = render(
        request,
        "events/site_detail.html",
        {
            "site": site,
            "shifts": shifts,
            # Open places are still news (the site has not closed yet).
            "claimable": not is_past,
            "is_past": is_past,
            "figures": extensions.figures(
                extensions.SITE_PAGE_FIGURES, user=request.user, subject=site
            )
            if is_past
            else [],
            # The languages the site's team needs, e.g. those of an azc's residents.
            "languages": language_names(site.languages_needed),
            "host": host,
            "show_host_contact": host is not None
            and user.has_perm("events.view_host_contact", site),
            # Links that apps above this one add (counting, claiming a shift here).
            "tools": extensions.site_links(extensions.SITE_PAGE_TOOLS, **links),
            "help_links": extensions.site_links(extensions.SITE_PAGE_HELP, **links),
        },
    )
    if host is not None:
        response["Cache-Control"] = "private, no-store"
    return response
