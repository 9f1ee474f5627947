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
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST, require_safe

from accounts.mail import person_language
from accounts.services import volunteer_get_or_create
from common.access import public
from common.redirects import redirect_to_next
from events import calendar

from .calendar import (
    COORDINATOR_FEED,
    VOLUNTEER_FEED,
    calendar_token_reset,
    coordinated_branches,
    coordinator_feed,
    record_feed_disclosures,
    volunteer_by_token,
    volunteer_feed_and_disclosures,
)


def _feed_answer(request, name: str, volunteer, parts: tuple, build, filename: str):
    """A personal feed (`calendar.feed_answer`), stored under the volunteer and `parts`.
    `build(language)` gives the bytes, or the bytes and the sites whose exact address they
    carry: those are recorded as disclosed on every delivery, also of a stored feed."""
    language = calendar.feed_language(request, default=person_language(volunteer.user))
    with translation.override(language):
        filename = f"{slugify(_(filename))}.ics"
    response, stored = calendar.feed_answer(
        request,
        name,
        (volunteer.pk, *parts),
        lambda: build(language),
        filename=filename,
        language=language,
        personal=True,
    )
    if stored.value:
        record_feed_disclosures(volunteer, stored.value)
    return response


# Public on purpose: the secret token in the URL is the key (calendar apps cannot log in).
@public
@require_safe
@sensitive_variables("token")
def volunteer_calendar(request, token: str):
    volunteer = volunteer_by_token(token, feed=VOLUNTEER_FEED)
    if volunteer is None:
        raise Http404
    return _feed_answer(
        request,
        "volunteer-feed",
        volunteer,
        (),
        lambda language: volunteer_feed_and_disclosures(volunteer, language=language),
        "my shifts",
    )


@public
@require_safe
@sensitive_variables("token")
def coordinator_calendar(request, token: str):
    volunteer = volunteer_by_token(token, feed=COORDINATOR_FEED)
    if volunteer is None:
        raise Http404
    # Who coordinates which branches is part of the key: it changes no version.
    branches = coordinated_branches(volunteer)
    return _feed_answer(
        request,
        "coordinator-feed",
        volunteer,
        (tuple(branches),),
        lambda language: coordinator_feed(volunteer, language=language, branches=branches),
        "branch planning",
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
