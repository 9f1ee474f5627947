"""The public calendar feeds, `/calendar/events/{slug}.ics` and `/calendar/sites/{id}.ics`
(their content is built in `events/feeds.py`). Calendar apps poll them. Each feed is built
once per change of what feeds show and then served as stored bytes (`common.published`);
its ETag is a hash of those bytes, so an unchanged feed answers 304 to the poll's ETag
whatever else changed meanwhile."""

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe

from common import published
from common.access import public

from .. import calendar
from ..feeds import event_feed, feed_sites, site_feed
from ..models import Event


def _feed_answer(request, name: str, key, build, *, filename: str, language: str):
    # The feed also holds absolute URLs and UIDs, which come from the settings.
    parts = (key, language, settings.SITE_URL, calendar.uid_domain())
    stored = published.stored_answer(name, parts, [published.SITES], build)
    response = published.answer(request, stored, content_type=calendar.CONTENT_TYPE, public=True)
    if response.status_code == 200:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    return response


@public
@require_safe
def event_calendar(request, slug: str):
    event = Event.objects.published().filter(slug=slug).first()
    if event is None:
        raise Http404
    language = calendar.feed_language(request)
    return _feed_answer(
        request,
        "event-feed",
        event.pk,
        lambda: event_feed(event, language=language),
        filename=f"{event.slug}.ics",
        language=language,
    )


@public
@require_safe
def site_calendar(request, pk: int):
    site = feed_sites().filter(pk=pk).first()
    if site is None:
        raise Http404
    language = calendar.feed_language(request)
    return _feed_answer(
        request,
        "site-feed",
        site.pk,
        lambda: site_feed(site, language=language),
        filename=f"site-{site.pk}.ics",
        language=language,
    )
