"""`{% kinds_stylesheet %}`: the link to the kinds' colours and shapes (views/kinds.py)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from events.kinds import kind_name as _kind_name
from events.views.kinds import kinds_stylesheet_version

register = template.Library()


@register.simple_tag
def kinds_stylesheet() -> str:
    url = reverse("events:kinds_css", args=[kinds_stylesheet_version()])
    return format_html('<link rel="stylesheet" href="{}">', url)


@register.filter
def kind_name(slug: str) -> str:
    """`{{ event.kind_id|kind_name }}`: the kind's name in the active language, without a
    query (the kinds are cached)."""
    return _kind_name(slug)
