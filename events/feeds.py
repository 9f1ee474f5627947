"""Public calendar feeds: every site of an edition, and one site's opening hours.

`/calendar/events/{slug}.ics` and `/calendar/sites/{id}.ics`. Both show published sites, and
sites that were published and then cancelled (as `STATUS:CANCELLED`, so subscribed calendars
drop them). A site that was never published never appears, not even cancelled. No personal
data: a site's public text, its branch, its place (only the town for sites shown
approximately) and a link to its page.

Each feed costs a fixed number of queries (two for an edition, one for a site), whatever the
number of sites.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import conditional_page, require_safe
from icalendar import Event as VEvent

from common.access import public

from . import calendar
from .models import Event, Site, SiteStatusChange


def feed_sites() -> QuerySet[Site]:
    """Sites that belong in public feeds: published ones, and cancelled ones that were
    published before (their cancellation must reach the calendars that have them)."""
    was_published = Exists(
        SiteStatusChange.objects.filter(site=OuterRef("pk")).filter(
            Q(to_status=Site.Status.PUBLISHED) | Q(from_status=Site.Status.PUBLISHED)
        )
    )
    return (
        Site.objects.filter(event__is_published=True)
        .filter(Q(status=Site.Status.PUBLISHED) | Q(was_published, status=Site.Status.CANCELLED))
        .select_related("event", "location", "branch")
    )


def cancelled_summary(summary: str, cancelled: bool) -> str:
    # Some calendar apps keep a cancelled event and show it as if nothing happened.
    return _("Cancelled: %(summary)s") % {"summary": summary} if cancelled else summary


def site_vevent(site: Site) -> VEvent:
    """A site's opening hours as the public may see them."""
    cancelled = site.status == Site.Status.CANCELLED
    approximate = site.show_approximate_location
    page = calendar.absolute_url(site.get_absolute_url())
    parts = []
    if cancelled:
        parts.append(_("This site has been cancelled."))
    if site.public_description:
        parts.append(site.public_description)
    parts.append(_("Organised by %(branch)s.") % {"branch": site.branch.name})
    parts.append(_("More information: %(url)s") % {"url": page})
    return calendar.new_event(
        uid=calendar.uid_for("site", site.pk),
        summary=cancelled_summary(f"{site.event.name}: {site.display_name}", cancelled),
        starts_at=site.opens_at,
        ends_at=site.closes_at,
        changed_at=calendar.last_change(
            site.updated_at,
            site.location.updated_at,
            site.event.updated_at,
            site.branch.updated_at,
        ),
        created_at=site.created_at,
        sequence=site.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
        description="\n\n".join(parts),
        url=page,
        location=calendar.place_text(site.location, approximate=approximate),
        geo=calendar.place_geo(site.location, approximate=approximate),
        # Visiting an open day is an offer, not an appointment: leave the visitor free.
        busy=False,
    )


def event_feed(event: Event, *, language: str) -> bytes:
    """The iCalendar of an edition: one event per public site."""
    with translation.override(language):
        cal = calendar.new_calendar(
            name=event.name,
            description=_("Sites of %(event)s") % {"event": event.name},
        )
        sites = feed_sites().filter(event=event).order_by("opens_at", "id")
        return calendar.finish(cal, (site_vevent(site) for site in sites))


def site_feed(site: Site, *, language: str) -> bytes:
    """The iCalendar of one site: its opening hours."""
    with translation.override(language):
        cal = calendar.new_calendar(name=f"{site.display_name} – {site.event.name}")
        return calendar.finish(cal, [site_vevent(site)])


@public
@gzip_page
@conditional_page
@require_safe
def event_calendar(request, slug: str):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    body = event_feed(event, language=calendar.feed_language(request))
    return calendar.feed_response(body, filename=f"{event.slug}.ics", personal=False)


@public
@gzip_page
@conditional_page
@require_safe
def site_calendar(request, pk: int):
    site = get_object_or_404(feed_sites(), pk=pk)
    body = site_feed(site, language=calendar.feed_language(request))
    return calendar.feed_response(body, filename=f"site-{site.pk}.ics", personal=False)
