"""The public calendar feeds, `/calendar/events/{slug}.ics` and `/calendar/sites/{id}.ics`
(their content is built in `events/feeds.py`). Calendar apps poll them. Each feed is built
once per change of what feeds show and then served as stored bytes (`common.published`);
its ETag is a hash of those bytes, so an unchanged feed answers 304 to the poll's ETag
whatever else changed meanwhile."""

from django.http import Http404
from django.views.decorators.http import require_safe

from common.access import public

from .. import calendar
from ..feeds import event_feed, feed_sites, site_feed
from ..models import Event


@public
@require_safe
def event_calendar(request, slug: str):
    event = Event.objects.published().filter(slug=slug).first()
    if event is None:
        raise Http404
    language = calendar.feed_language(request)
    response, _stored = calendar.feed_answer(
        request,
        "event-feed",
        (event.pk,),
        lambda: event_feed(event, language=language),
        filename=f"{event.slug}.ics",
        language=language,
        personal=False,
    )
    return response


@public
@require_safe
def site_calendar(request, pk: int):
    site = feed_sites().filter(pk=pk).first()
    if site is None:
        raise Http404
    language = calendar.feed_language(request)
    response, _stored = calendar.feed_answer(
        request,
        "site-feed",
        (site.pk,),
        lambda: site_feed(site, language=language),
        filename=f"site-{site.pk}.ics",
        language=language,
        personal=False,
    )
    return response
