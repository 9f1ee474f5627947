"""`{% calendar_links path %}`: "add to calendar" and "subscribe" links for a feed."""

from urllib.parse import quote

from django import template
from django.utils import translation

from events import calendar

register = template.Library()


def feed_links(request, path: str, *, personal: bool = False) -> dict[str, str]:
    """The links to one feed: the https/http URL (a download that calendar apps import),
    its `webcal://` form (subscribe) and Google Calendar's subscribe page (Android phones
    have no app that opens webcal:// links). A public feed in the page's language; a
    `personal` one without a language, so that it follows the person's own language
    (`User.language`) when they change it later."""
    url = calendar.absolute_url(path) if request is None else request.build_absolute_uri(path)
    if not personal:
        url = calendar.with_language(url, translation.get_language())
    webcal = calendar.webcal_url(url)
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    }


@register.simple_tag(takes_context=True)
def calendar_feed_links(context, path: str) -> dict[str, str]:
    return feed_links(context.get("request"), path)


@register.inclusion_tag("events/_calendar_links.html", takes_context=True)
def calendar_links(context, path: str, label: str = ""):
    return {"links": feed_links(context.get("request"), path), "label": label}
