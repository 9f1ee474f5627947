"""What the public calendar feeds say: every site of an edition, one site's opening hours.
The views that serve them are in `views/calendar.py`.

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

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from . import calendar
from .models import Event, Site, SiteStatusChange, published_sites


def feed_sites() -> QuerySet[Site]:
    """Sites that belong in public feeds: published ones, and cancelled ones that were
    published before (their cancellation must reach the calendars that have them)."""
    was_published = Exists(
        SiteStatusChange.objects.filter(site=OuterRef("pk")).filter(
            Q(to_status=Site.Status.PUBLISHED) | Q(from_status=Site.Status.PUBLISHED)
        )
    )
    return Site.objects.filter(
        published_sites() | Q(was_published, event__is_published=True, status=Site.Status.CANCELLED)
    ).select_related("event", "location", "branch")


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
) -> calendar.FeedEvent:
    """A site's opening hours as every feed shows them (the public feeds here and the
    coordinator's feed in `volunteers`): one UID per site whatever the feed, the summary
    marked when the site is cancelled, the site's times, sequence, page and place, and free
    time in the calendar.

    The caller gives the STATUS, the paragraphs of the description (a link to the site's
    page is added as the last one), whether the place is shown only approximately, and the
    `updated_at` of what else the event shows beyond the site, its location and its edition.
    """
    page = calendar.site_page_url(site)
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


# What `_public_site_vevent` reads of a site, its location and its branch (and the edition).
_PUBLIC_FIELDS = (
    *("name", "status", "opens_at", "closes_at", "public_description", "sequence"),
    *("show_approximate_location", "created_at", "updated_at", "event"),
    *(f"location__{name}" for name in ("name", "street", "house_number", "updated_at")),
    *(f"location__{name}" for name in ("house_number_addition", "postcode", "city")),
    *("location__latitude", "location__longitude", "branch__name", "branch__updated_at"),
)


def _public_site_vevent(site: Site, event: Event | None = None) -> calendar.FeedEvent:
    """A site's opening hours as the public may see them. `event`: the site's edition,
    when the caller has it already."""
    if event is not None:
        site.event = event
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
        # Every site is of this edition: it is not loaded again with each of them, and of
        # the rest only what the feed shows (`_public_site_vevent`). For 2,000 sites this
        # takes a third off the time of the query and the model objects.
        sites = (
            feed_sites()
            .filter(event=event)
            .select_related(None)
            .select_related("location", "branch")
            .only(*_PUBLIC_FIELDS)
            .order_by("opens_at", "id")
        )
        return calendar.finish(cal, (_public_site_vevent(site, event) for site in sites))


def site_feed(site: Site, *, language: str) -> bytes:
    """The iCalendar of one site: its opening hours."""
    with translation.override(language):
        cal = calendar.new_calendar(name=f"{site.display_name} – {site.event.name}")
        return calendar.finish(cal, [_public_site_vevent(site)])
