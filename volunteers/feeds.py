"""Personal calendar feeds and the button that gives them a new secret URL.

The feed views need no log-in: calendar apps fetch them on their own, and the secret token
in the URL is the key. They answer an unknown, reset or malformed token, or the token of a
deactivated account, with the same 404 as any missing page. The token never reaches a log:
see `common.logging.RedactCalendarTokens` in the LOGGING setting.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpResponseBadRequest
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_POST, require_safe

from accounts.services import volunteer_get_or_create
from common.access import public
from common.redirects import redirect_to_next
from events import calendar
from events.models import Signup, Site

from .calendar import (
    COORDINATOR_FEED,
    VOLUNTEER_FEED,
    calendar_token_reset,
    coordinated_branches,
    coordinator_feed,
    volunteer_by_token,
    volunteer_feed,
)


@sensitive_variables("token")
def _volunteer_etag(request, token: str) -> str | None:
    """The token lookup and one aggregate over the volunteer's sign-ups and what they show."""
    volunteer = volunteer_by_token(token, feed=VOLUNTEER_FEED)
    request.feed_volunteer = volunteer
    if volunteer is None:
        return None
    summary = Signup.objects.filter(volunteer=volunteer).aggregate(
        signup_count=Count("id"),
        signup_change=Max("updated_at"),
        shift_change=Max("shift__updated_at"),
        site_change=Max("shift__site__updated_at"),
        location_change=Max("shift__site__location__updated_at"),
        event_change=Max("shift__site__event__updated_at"),
    )
    return calendar.etag(
        "volunteer", volunteer.pk, calendar.feed_language(request), *summary.values()
    )


@sensitive_variables("token")
def _coordinator_etag(request, token: str) -> str | None:
    """The token lookup, the branches (who coordinates what changes no `updated_at`), and
    one aggregate over their sites, shifts and sign-ups."""
    volunteer = volunteer_by_token(token, feed=COORDINATOR_FEED)
    request.feed_volunteer = volunteer
    request.feed_branches = []
    if volunteer is None:
        return None
    branches = coordinated_branches(volunteer)
    request.feed_branches = branches
    summary = Site.objects.filter(branch_id__in=[pk for pk, _name in branches]).aggregate(
        site_count=Count("id", distinct=True),
        site_change=Max("updated_at"),
        location_change=Max("location__updated_at"),
        event_change=Max("event__updated_at"),
        shift_count=Count("shifts", distinct=True),
        shift_change=Max("shifts__updated_at"),
        signup_count=Count("shifts__signups", distinct=True),
        signup_change=Max("shifts__signups__updated_at"),
    )
    return calendar.etag(
        "coordinator",
        volunteer.pk,
        branches,
        calendar.feed_language(request),
        *summary.values(),
    )


def _feed_response(request, build, filename: str, **kwargs):
    volunteer = request.feed_volunteer
    if volunteer is None:
        raise Http404
    language = calendar.feed_language(request)
    body = build(volunteer, language=language, **kwargs)
    with translation.override(language):
        filename = f"{slugify(_(filename))}.ics"
    return calendar.feed_response(body, filename=filename, personal=True, language=language)


# Public on purpose: the secret token in the URL is the key (calendar apps cannot log in).
@public
@gzip_page
@require_safe
@condition(etag_func=_volunteer_etag)
@sensitive_variables("token")
def volunteer_calendar(request, token: str):
    return _feed_response(request, volunteer_feed, "my shifts")


@public
@gzip_page
@require_safe
@condition(etag_func=_coordinator_etag)
@sensitive_variables("token")
def coordinator_calendar(request, token: str):
    return _feed_response(
        request, coordinator_feed, "branch planning", branches=request.feed_branches
    )


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
    calendar_token_reset(
        volunteer=volunteer_get_or_create(user=request.user), feed=form.cleaned_data["feed"]
    )
    messages.success(
        request,
        _(
            "Your calendar link has been changed. The old link no longer works: "
            "subscribe again with the new one."
        ),
    )
    return redirect_to_next(request, form.cleaned_data["next"], "/")
