"""The day itself, on a phone: a site's live state, set by its lead with one tap (open,
busy, we need help, closed early), or by its coordinators and the organisers. The rules
are in `events.services.day`; the control room (`tallies.views.today`) shows the state."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.roles import is_organiser
from common.errors import InvalidInput
from common.forms import show_errors

from ..errors import SiteStateError
from ..models import SiteState
from ..roles import is_branch_coordinator
from ..selectors import site_for
from ..services.day import NOTE_MAX_LENGTH, latest_site_state, site_state_check, site_state_set

State = SiteState.State

# The four buttons (state, text, the app's button classes), in the order a lead meets
# them on the day; "we need help" is said as a call, not as the state's name, in red.
BUTTONS = (
    (State.OPEN, gettext_lazy("Open"), ""),
    (State.BUSY, gettext_lazy("Busy"), ""),
    (State.NEEDS_HELP, gettext_lazy("We need help"), "primary danger"),
    (State.CLOSED_EARLY, gettext_lazy("Closed early"), ""),
)


class SiteStateForm(forms.Form):
    state = forms.ChoiceField(choices=State.choices)
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=gettext_lazy(
            "Write it first, then tap: for example what help you need, or why you closed."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _success_message(state: str) -> str:
    if state == State.NEEDS_HELP:
        return _("Your call for help is on the control room now.")
    return _("The state of this site is now: %(state)s.") % {"state": State(state).label}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def site_state(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's current state and the four buttons for those who may set it; a page
    saying why not for the others (404 for a site they may not even see)."""
    site = site_for(request.user, pk)
    refusal: SiteStateError | None = None
    form = SiteStateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site_state_set(
                site=site,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except SiteStateError as error:
            refusal = error
        except InvalidInput as error:
            show_errors(form, error)
        else:
            messages.success(request, _success_message(form.cleaned_data["state"]))
            return redirect("events:site_state", pk=site.pk)
    else:
        try:
            site_state_check(site=site, by=request.user)
        except SiteStateError as error:
            refusal = error
    # Who runs the site sees its state even when they cannot set it now (another day);
    # others see only why they cannot.
    runs_site = is_organiser(request.user) or is_branch_coordinator(request.user, site)
    shows_state = refusal is None or runs_site
    status = refusal.status_code if refusal is not None else (400 if form.errors else 200)
    return render(
        request,
        "events/site_state.html",
        {
            "site": site,
            "event": site.event,
            "form": form,
            "refusal": refusal,
            "current": latest_site_state(site) if shows_state else None,
            "shows_state": shows_state,
            "buttons": BUTTONS,
        },
        status=status,
    )
