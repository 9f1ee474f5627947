"""Personal calendar feeds and the button that gives them a new secret URL.

The feed views need no log-in: calendar apps fetch them on their own, and the secret token
in the URL is the key. They answer an unknown, reset or malformed token, or the token of a
deactivated account, with the same 404 as any missing page. The token never reaches a log:
see `common.logging.RedactCalendarTokens` in the LOGGING setting.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import conditional_page, require_POST, require_safe

from common.access import public
from events import calendar

from .calendar import (
    COORDINATOR_FEED,
    VOLUNTEER_FEED,
    calendar_token_reset,
    coordinator_feed,
    volunteer_by_token,
    volunteer_feed,
    volunteer_for,
)


def _feed_response(request, token: str, feed: str, build, filename: str):
    volunteer = volunteer_by_token(token, feed=feed)
    if volunteer is None:
        raise Http404
    language = calendar.feed_language(request)
    body = build(volunteer, language=language)
    with translation.override(language):
        filename = f"{slugify(_(filename))}.ics"
    return calendar.feed_response(body, filename=filename, personal=True)


# Public on purpose: the secret token in the URL is the key (calendar apps cannot log in).
@public
@gzip_page
@conditional_page
@require_safe
@sensitive_variables("token")
def volunteer_calendar(request, token: str):
    return _feed_response(request, token, VOLUNTEER_FEED, volunteer_feed, "my shifts")


@public
@gzip_page
@conditional_page
@require_safe
@sensitive_variables("token")
def coordinator_calendar(request, token: str):
    return _feed_response(request, token, COORDINATOR_FEED, coordinator_feed, "branch planning")


class CalendarResetForm(forms.Form):
    feed = forms.ChoiceField(
        label=gettext_lazy("calendar"),
        choices=[
            (VOLUNTEER_FEED, gettext_lazy("my shifts")),
            (COORDINATOR_FEED, gettext_lazy("branch planning")),
        ],
    )
    next = forms.CharField(required=False)


@login_required
@require_POST
def calendar_reset(request):
    """Give one of the signed-in user's feeds a new secret URL (e.g. after sharing it by
    mistake); the old one stops working at once. Back to `next` on this site."""
    form = CalendarResetForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages_)}" for name, messages_ in form.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    calendar_token_reset(volunteer=volunteer_for(request.user), feed=form.cleaned_data["feed"])
    messages.success(
        request,
        _(
            "Your calendar link has been changed. The old link no longer works: "
            "subscribe again with the new one."
        ),
    )
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
