"""Public calendar feeds: every site of an edition, and one site's opening hours.

`/calendar/events/{slug}.ics` and `/calendar/sites/{id}.ics`. Both show published sites, and
sites that were published and then cancelled (as `STATUS:CANCELLED`, so subscribed calendars
drop them). A site that was never published never appears, not even cancelled. No personal
data: a site's public text, its branch, its place (only the town for sites shown
approximately) and a link to its page.

Each feed costs a fixed number of queries, whatever the number of sites: an edition three
(two when the poll's ETag still matches and the answer is 304), a site one.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_safe
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


def site_hours_vevent(
    site: Site,
    *,
    status: str,
    paragraphs: list[str],
    approximate: bool,
    changes: Iterable[datetime.datetime | None],
) -> VEvent:
    """A site's opening hours as every feed shows them (the public feeds here and the
    coordinator's feed in `volunteers`): one UID per site whatever the feed, the summary
    marked when the site is cancelled, the site's times, sequence, page and place, and free
    time in the calendar.

    The caller gives the STATUS, the paragraphs of the description (a link to the site's
    page is added as the last one), whether the place is shown only approximately, and the
    `updated_at` of what else the event shows beyond the site, its location and its edition.
    """
    page = calendar.absolute_url(site.get_absolute_url())
    return calendar.new_event(
        uid=calendar.uid_for("site", site.pk),
        summary=cancelled_summary(
            f"{site.event.name}: {site.display_name}", site.status == Site.Status.CANCELLED
        ),
        starts_at=site.opens_at,
        ends_at=site.closes_at,
        changed_at=calendar.last_change(
            site.updated_at, site.location.updated_at, site.event.updated_at, *changes
        ),
        created_at=site.created_at,
        sequence=site.sequence,
        status=status,
        description="\n\n".join([*paragraphs, _("More information: %(url)s") % {"url": page}]),
        url=page,
        place=site.location,
        approximate=approximate,
        # Visiting an open day is an offer, not an appointment: leave the time free.
        busy=False,
    )


def _public_site_vevent(site: Site) -> VEvent:
    """A site's opening hours as the public may see them."""
    cancelled = site.status == Site.Status.CANCELLED
    parts = []
    if cancelled:
        parts.append(_("This site has been cancelled."))
    if site.public_description:
        parts.append(site.public_description)
    parts.append(_("Organised by %(branch)s.") % {"branch": site.branch.name})
    return site_hours_vevent(
        site,
        status="CANCELLED" if cancelled else "CONFIRMED",
        paragraphs=parts,
        approximate=site.show_approximate_location,
        changes=[site.branch.updated_at],
    )


def event_feed(event: Event, *, language: str) -> bytes:
    """The iCalendar of an edition: one event per public site."""
    with translation.override(language):
        cal = calendar.new_calendar(
            name=event.name,
            description=_("Sites of %(event)s") % {"event": event.name},
        )
        sites = feed_sites().filter(event=event).order_by("opens_at", "id")
        return calendar.finish(cal, (_public_site_vevent(site) for site in sites))


def site_feed(site: Site, *, language: str) -> bytes:
    """The iCalendar of one site: its opening hours."""
    with translation.override(language):
        cal = calendar.new_calendar(name=f"{site.display_name} – {site.event.name}")
        return calendar.finish(cal, [_public_site_vevent(site)])


def _event_etag(request, slug: str) -> str | None:
    """The edition's ETag from two small queries: the edition, and one aggregate over all its
    sites in any status (a site leaving the feed changes its own `updated_at`)."""
    event = Event.objects.published().filter(slug=slug).first()
    request.feed_event = event
    if event is None:
        return None
    summary = Site.objects.filter(event=event).aggregate(
        site_count=Count("id", distinct=True),
        site_change=Max("updated_at"),
        location_change=Max("location__updated_at"),
        branch_change=Max("branch__updated_at"),
        status_change_count=Count("status_changes", distinct=True),
    )
    return calendar.etag(
        "event", event.pk, event.updated_at, calendar.feed_language(request), *summary.values()
    )


@public
@gzip_page
@require_safe
@condition(etag_func=_event_etag)
def event_calendar(request, slug: str):
    event = request.feed_event
    if event is None:
        raise Http404
    language = calendar.feed_language(request)
    body = event_feed(event, language=language)
    return calendar.feed_response(
        body, filename=f"{event.slug}.ics", personal=False, language=language
    )


def _site_etag(request, pk: int) -> str | None:
    site = feed_sites().filter(pk=pk).first()
    request.feed_site = site
    if site is None:
        return None
    return calendar.etag(
        "site",
        site.pk,
        site.status,
        site.updated_at,
        site.location.updated_at,
        site.event.updated_at,
        site.branch.updated_at,
        calendar.feed_language(request),
    )


@public
@gzip_page
@require_safe
@condition(etag_func=_site_etag)
def site_calendar(request, pk: int):
    site = request.feed_site
    if site is None:
        raise Http404
    language = calendar.feed_language(request)
    body = site_feed(site, language=language)
    return calendar.feed_response(
        body, filename=f"site-{site.pk}.ics", personal=False, language=language
    )
