"""The pages of helpers without an e-mail address, open to anyone who holds the link:

- `/j/<token>/`: a site's invitation. Its shifts open for claims, and a form to sign up
  for one with a name, a language (the page's, by default), a phone number or an e-mail
  address, and consent. Then on to the personal link.
- `/me/<token>/`: a helper's personal link, in the helper's own language: their shifts
  (with the waitlist position), their calendar feed, releasing a shift, signing up for
  another shift of the site while its invitation works, a new link, their language.

Public on purpose: the secret token in the URL is the key (these people have no log-in).
An unknown, reset or malformed token is a 404, like any missing page; an invitation that
expired or was withdrawn a 410 with a page that says so. Guessing is limited per address
(`join_limits`: only tokens that do not exist count, and a working link always opens),
and so are sign-ups and changes (429). These pages are never cached and ask search
engines to stay away; they send their origin alone as the referrer (`private`), so the
token reaches no other site and no access log.

Who joins with an e-mail address is told the same whatever the address: "we have sent a
message to it" (`_mail_sent`), and nothing is made yet, so the free places do not change
either. A new address gets a signed link (`/j/confirm/<value>/`, `join_confirm`) that
signs them up once opened; one in use gets a mail for its owner instead
(`mail_address_taken`); each at most once an hour per address. So the form tells nobody
who has an account or helps, and the link of someone who gave an address reaches only
that address. Every form has its CSRF token,
checked by Django's middleware as everywhere.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.mail import person_language
from common import clock
from common.access import public
from common.errors import DomainError
from common.forms import show_errors
from events.errors import SignupError
from events.models import Attendance, Shift, Signup
from events.selectors import open_shifts
from events.services import attendance, signup_release
from events.services.signups import can_release
from events.templatetags.calendar_links import feed_links

from ..helper_forms import HelperLanguageForm, JoinForm
from ..helpers import (
    EmailTaken,
    FormAlreadySent,
    HelperError,
    helper_by_link,
    helper_claim,
    helper_join,
    helper_join_confirm,
    helper_language_set,
    helper_link_reset,
    helper_url,
    invited_sites,
    join_confirmation_load,
    join_confirmation_send,
    mail_address_taken,
)
from ..invitations import InvitationClosed, invitation_by_token
from ..join_limits import (
    address_mail_spend,
    helper_action_spend,
    join_attempt_spend,
    token_lookups_blocked,
    token_miss_spend,
    too_many,
)
from ..qr import qr_svg
from .mine import shift_lists
from .private import placed_message, private

ID_SHAPE = r"[0-9]{1,18}"


def _in_language(request: HttpRequest, code: str) -> None:
    """Show the rest of this request in `code` (the helper's own language): the page,
    its messages, and the response's Content-Language (LocaleMiddleware reads it)."""
    translation.activate(code)
    request.LANGUAGE_CODE = code


def _go_to_page(volunteer) -> HttpResponse:
    return private(
        HttpResponseRedirect(reverse("volunteers:helper_page", args=[volunteer.link_token])),
        token_in_url=True,
    )


# --- A site's invitation --------------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
@sensitive_variables("token")
def join(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    if invitation is None:
        return _token_miss(request)
    site = invitation.site
    if not invitation.is_live(clock.now()):
        return _closed(request, site)
    if request.method == "POST" and not join_attempt_spend(request, invitation_token=token):
        return too_many(request)
    # Not the site-lead shift: the coordinators give it (`LeadAppointedOnly`).
    shifts = open_shifts(site=site).exclude(role=Shift.Role.LEAD)
    if request.method == "POST":
        form = JoinForm(request.POST, shifts=shifts)
        if form.is_valid():
            details = form.details()
            if details.email:
                return _join_by_mail(request, invitation, form, details)
            try:
                result = helper_join(
                    invitation=invitation,
                    shift=form.cleaned_data["shift"],
                    details=details,
                    form_key=form.cleaned_data["form_key"],
                )
            except InvitationClosed:
                return _closed(request, site)
            except DomainError as error:
                show_errors(form, error)
            else:
                volunteer = result.volunteer
                if volunteer.user.email:
                    # The same form key as a join confirmed by mail, sent again without
                    # the address: the link of someone who gave an address reaches only
                    # that address.
                    return _mail_sent(request, token)
                if result.created:  # else the same form again: the page of what it made
                    with translation.override(person_language(volunteer.user)):
                        placed_message(request, result.signup)
                return _go_to_page(volunteer)
    else:
        initial = {}
        chosen = request.GET.get("shift", "")
        if chosen.isascii() and chosen.isdigit() and any(str(s.pk) == chosen for s in shifts):
            initial["shift"] = chosen
        form = JoinForm(shifts=shifts, initial=initial)
    response = render(
        request,
        "volunteers/helpers/join.html",
        {"site": site, "invitation": invitation, "form": form, "shifts": shifts},
        status=400 if form.is_bound else 200,
    )
    return private(response, token_in_url=True)


def _join_by_mail(request: HttpRequest, invitation, form, details) -> HttpResponse:
    """A join with an e-mail address makes nothing yet: the address gets a link that
    does (`join_confirm`), or, when it is in use, its owner is told (`mail_address_taken`).
    The page and the shift's free places are the same either way. Each kind of mail at
    most once an hour per address (`address_mail_spend`)."""
    token = invitation.token
    try:
        join_confirmation_send(
            invitation=invitation,
            shift=form.cleaned_data["shift"],
            details=details,
            form_key=form.cleaned_data["form_key"],
            url_for=lambda value: request.build_absolute_uri(
                reverse("volunteers:join_confirm", args=[value])
            ),
            may_mail=lambda: address_mail_spend(details.email, kind="confirm"),
        )
    except InvitationClosed:
        return _closed(request, invitation.site)
    except EmailTaken:
        if address_mail_spend(details.email):
            mail_address_taken(email=details.email, site=invitation.site)
    except DomainError as error:
        show_errors(form, error)
        response = render(
            request,
            "volunteers/helpers/join.html",
            {
                "site": invitation.site,
                "invitation": invitation,
                "form": form,
                "shifts": open_shifts(site=invitation.site).exclude(role=Shift.Role.LEAD),
            },
            status=400,
        )
        return private(response, token_in_url=True)
    return _mail_sent(request, token)


@public
@require_http_methods(["GET", "POST"])
@sensitive_variables("value")
def join_confirm(request: HttpRequest, value: str) -> HttpResponse:
    """The link in the mail to a new address. GET asks to confirm (a mail scanner that
    opens links must not sign anyone up); POST signs up as the form asked
    (`helper_join_confirm`) and goes on to the personal link. In the language chosen on
    the form."""
    try:
        join_request = join_confirmation_load(value)
    except HelperError:
        return _confirm_failed(request, status=410)
    _in_language(request, join_request.details.language)
    if not join_request.invitation.is_live(clock.now()):
        return _closed(request, join_request.invitation.site)
    if request.method == "GET":
        response = render(
            request,
            "volunteers/helpers/join_confirm.html",
            {"site": join_request.invitation.site, "shift": join_request.shift},
        )
        return private(response, token_in_url=True)
    if not helper_action_spend(request):
        return too_many(request)
    try:
        result = helper_join_confirm(value=value)
    except InvitationClosed:
        return _closed(request, join_request.invitation.site)
    except (EmailTaken, FormAlreadySent):
        # Opened again after `FORM_KEY_VALID`, or the address came into use since: a
        # neutral page, which tells nothing of who uses the address.
        return _confirm_failed(request, status=409)
    except DomainError as error:
        return _confirm_failed(request, status=409, detail=error.detail)
    if result.created:
        placed_message(request, result.signup)
    return _go_to_page(result.volunteer)


def _confirm_failed(request: HttpRequest, *, status: int, detail: str = "") -> HttpResponse:
    response = render(
        request, "volunteers/helpers/join_confirm_failed.html", {"detail": detail}, status=status
    )
    return private(response, token_in_url=True)


def _token_miss(request: HttpRequest) -> HttpResponse:
    """A token that does not exist: 404, counted against the address; 429 once it has
    tried too many (`join_limits`). Working tokens never come here, so a wifi shared with
    someone who mistyped links does not lock anyone out."""
    if token_lookups_blocked(request):
        return too_many(request)
    token_miss_spend(request)
    raise Http404


def _mail_sent(request: HttpRequest, token: str) -> HttpResponse:
    messages.success(
        request,
        _("We have sent a message to that e-mail address: open the link in it to go on."),
    )
    return private(
        HttpResponseRedirect(reverse("volunteers:join", args=[token])), token_in_url=True
    )


def _closed(request: HttpRequest, site) -> HttpResponse:
    response = render(request, "volunteers/helpers/join_closed.html", {"site": site}, status=410)
    return private(response, token_in_url=True)


# --- A helper's personal link ---------------------------------------------------------------


def _helper_or_answer(request: HttpRequest, token: str):
    """The helper of the link, in their language; or the answer to give instead (404 for
    a token that does not exist, 429 past the guessing limit)."""
    volunteer = helper_by_link(token)
    if volunteer is None:
        return None, _token_miss(request)
    _in_language(request, person_language(volunteer.user))
    return volunteer, None


@public
@require_safe
@sensitive_variables("token")
def helper_page(request: HttpRequest, token: str) -> HttpResponse:
    volunteer, answer = _helper_or_answer(request, token)
    if answer is not None:
        return answer
    now = clock.now()
    feed_path = reverse("calendar:volunteer_feed", kwargs={"token": volunteer.calendar_token})
    link = helper_url(volunteer, request)
    response = render(
        request,
        "volunteers/helpers/helper_page.html",
        {
            "helper": volunteer,
            "token": volunteer.link_token,
            "link": link,
            "qr": qr_svg(link, title=_("QR code of your personal link")),
            "retention_days": settings.HELPER_RETENTION_DAYS,
            **shift_lists(volunteer, now),
            "feed": feed_links(request, feed_path, personal=True),
            "invited": invited_sites(volunteer, now),
            "language_form": HelperLanguageForm(initial={"language": volunteer.user.language}),
        },
    )
    return private(response, token_in_url=True)


def _shift_of(pk) -> Shift | None:
    pk = str(pk or "")
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        return None
    return (
        Shift.objects.select_related("site__event", "site__location", "site__branch")
        .filter(pk=pk)
        .first()
    )


@public
@require_http_methods(["GET", "POST"])
@sensitive_variables("token")
def helper_release(request: HttpRequest, token: str, shift: int) -> HttpResponse:
    """GET asks "are you sure?" (one stray tap must not give a place away); POST
    releases, by the same rule as for everyone (`signup_release`)."""
    volunteer, answer = _helper_or_answer(request, token)
    if answer is not None:
        return answer
    found = _shift_of(shift)
    signup = (
        Signup.objects.filter(shift=found, volunteer=volunteer).active().first()
        if found is not None
        else None
    )
    if signup is None:
        messages.error(request, _("You have no place on this shift."))
        return _go_to_page(volunteer)
    if request.method == "GET":
        response = render(
            request,
            "volunteers/helpers/helper_release.html",
            {
                "token": volunteer.link_token,
                "shift": found,
                "signup": signup,
                "can_release": can_release(signup),
            },
        )
        return private(response, token_in_url=True)
    if not helper_action_spend(request):
        return too_many(request)
    waiting = signup.is_waitlisted
    try:
        signup_release(shift=found, volunteer=volunteer)
    except SignupError as error:
        messages.error(request, error.detail)
    else:
        if waiting:
            messages.success(request, _("You have left the waitlist."))
        else:
            messages.success(
                request, _("You have released the shift. Thank you for letting us know.")
            )
    return _go_to_page(volunteer)


@public
@require_POST
@sensitive_variables("token")
def helper_check_in(request: HttpRequest, token: str, shift: int) -> HttpResponse:
    """Check in on one's confirmed shift on the day (method `self`), by the same rule as
    for everyone (`events.services.attendance.check_in`)."""
    volunteer, answer = _helper_or_answer(request, token)
    if answer is not None:
        return answer
    if not helper_action_spend(request):
        return too_many(request)
    found = _shift_of(shift)
    signup = (
        Signup.objects.filter(shift=found, volunteer=volunteer).active().first()
        if found is not None
        else None
    )
    if signup is None:
        messages.error(request, _("You have no place on this shift."))
        return _go_to_page(volunteer)
    try:
        attendance.check_in(signup=signup, by=volunteer.user, method=Attendance.Method.SELF)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("You are checked in. Welcome, and thank you!"))
    return _go_to_page(volunteer)


@public
@require_POST
@sensitive_variables("token")
def helper_claim_view(request: HttpRequest, token: str) -> HttpResponse:
    """Sign up for another shift of a site where the helper helps, while its invitation
    works; the same rules as every claim."""
    volunteer, answer = _helper_or_answer(request, token)
    if answer is not None:
        return answer
    if not helper_action_spend(request):
        return too_many(request)
    shift = _shift_of(request.POST.get("shift"))
    if shift is None:
        messages.error(request, _("That shift is not (or no longer) open."))
        return _go_to_page(volunteer)
    try:
        signup = helper_claim(volunteer=volunteer, shift=shift)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        placed_message(request, signup)
    return _go_to_page(volunteer)


@public
@require_POST
@sensitive_variables("token")
def helper_reset(request: HttpRequest, token: str) -> HttpResponse:
    """A new personal link (and calendar link): the old ones stop working at once."""
    volunteer, answer = _helper_or_answer(request, token)
    if answer is not None:
        return answer
    if not helper_action_spend(request):
        return too_many(request)
    try:
        volunteer = helper_link_reset(volunteer=volunteer)
    except HelperError:
        raise Http404 from None
    messages.success(
        request,
        _(
            "You have a new personal link: this page. The old link no longer works. Keep "
            "the new one: save it or take a photo of its QR code."
        ),
    )
    return _go_to_page(volunteer)


@public
@require_POST
@sensitive_variables("token")
def helper_language(request: HttpRequest, token: str) -> HttpResponse:
    """The helper's own language: of this page, their mails and their calendar."""
    volunteer, answer = _helper_or_answer(request, token)
    if answer is not None:
        return answer
    if not helper_action_spend(request):
        return too_many(request)
    form = HelperLanguageForm(request.POST)
    if form.is_valid():
        helper_language_set(volunteer=volunteer, language=form.cleaned_data["language"])
    return _go_to_page(volunteer)
