"""The public calendar feeds, `/calendar/events/{slug}.ics` and `/calendar/sites/{id}.ics`
(their content is built in `events/feeds.py`). Calendar apps poll them; an unchanged feed
answers 304 to the poll's ETag."""

from django.db.models import Count, Max, Q, Sum
from django.http import Http404
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_safe

from common.access import public

from .. import calendar
from ..feeds import event_feed, feed_sites, site_feed
from ..models import Event, Site


def _event_etag(request, slug: str) -> str | None:
    """The edition's ETag from two small queries: the edition, and one aggregate over the
    sites the feed shows (`feed_sites`), so that a draft being made or edited leaves it
    alone (it gave away that a branch was preparing a site). A site leaving the feed
    (unpublished, deleted) lowers the count and changes the sum of ids; one joining it, or
    cancelled, changes its own `updated_at` and the number of cancelled sites."""
    event = Event.objects.published().filter(slug=slug).first()
    request.feed_event = event
    if event is None:
        return None
    summary = (
        feed_sites()
        .filter(event=event)
        .aggregate(
            site_count=Count("id"),
            site_ids=Sum("id"),
            cancelled_count=Count("id", filter=Q(status=Site.Status.CANCELLED)),
            site_change=Max("updated_at"),
            location_change=Max("location__updated_at"),
            branch_change=Max("branch__updated_at"),
        )
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
