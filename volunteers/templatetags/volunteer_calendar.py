"""`{% volunteer_calendar_feeds volunteer as feeds %}`: the links of a volunteer's personal
feeds, used by `volunteers/_calendar_links.html`."""

from django import template
from django.urls import reverse

from accounts.services import volunteer_get_or_create
from events.templatetags.calendar_links import feed_links

register = template.Library()


@register.simple_tag(takes_context=True)
def volunteer_calendar_feeds(context, volunteer=None) -> dict:
    """{"volunteer": links, "coordinator": links or None}. Without a volunteer, that of the
    signed-in user (made on first need); nothing for an anonymous visitor."""
    request = context.get("request")
    if not volunteer:  # also an unset template variable
        user = context.get("user")
        if user is None or not user.is_authenticated:
            return {}
        volunteer = volunteer_get_or_create(user=user)
    feeds = {
        "volunteer": feed_links(
            request,
            reverse("calendar:volunteer_feed", kwargs={"token": volunteer.calendar_token}),
            personal=True,
        ),
        "coordinator": None,
    }
    if volunteer.user.coordinated_branches.exists():
        feeds["coordinator"] = feed_links(
            request,
            reverse(
                "calendar:coordinator_feed",
                kwargs={"token": volunteer.coordinator_calendar_token},
            ),
            personal=True,
        )
    return feeds
