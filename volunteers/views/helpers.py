"""A site's coordinators and helpers without an e-mail address
(`/coordinate/sites/<id>/helpers/…`, `/coordinate/sites/<id>/invitation/`): add a helper to
a shift, show a helper's personal link and its QR code, put a helper on another shift,
and make, show, renew or revoke the site's invitation link. For the coordinators of the
site's branch and organisers (`volunteers.manage_helpers`; another branch's draft is a
404, its published site a 403). Never cached: the pages hold names and secret links."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common import clock
from common.errors import DomainError
from common.forms import show_errors
from common.languages import language_name
from events import selectors
from events.models import Signup
from events.selectors import open_shifts, site_for

from ..helper_forms import AddToShiftForm, HelperAddForm, InvitationForm
from ..helpers import helper_add, helper_add_to_shift, helper_url, site_helper, site_helpers
from ..invitations import invitation_create, invitation_current, invitation_revoke, last_day_of
from ..qr import qr_svg
from .private import placed_message, private

PERMISSION = "volunteers.manage_helpers"


@login_required
@require_http_methods(["GET", "POST"])
def site_helpers_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's helpers without a log-in, and the form that adds one to a shift."""
    site = site_for(request.user, pk, PERMISSION)
    shifts = open_shifts(site=site)
    form = HelperAddForm(request.POST or None, shifts=shifts)
    if request.method == "POST" and form.is_valid():
        try:
            result = helper_add(
                shift=form.cleaned_data["shift"],
                details=form.details(),
                by=request.user,
                form_key=form.cleaned_data["form_key"],
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            if result.created:
                placed_message(request, result.signup, name=result.volunteer.user.first_name)
            return redirect("volunteers:site_helper", pk=site.pk, helper=result.volunteer.pk)
    helpers = site_helpers(site)
    signups = (
        Signup.objects.filter(shift__site=site, volunteer__in=helpers)
        .active()
        .select_related("shift")
        .order_by("shift__starts_at", "pk")
    )
    by_helper: dict[int, list[Signup]] = {}
    for signup in signups:
        by_helper.setdefault(signup.volunteer_id, []).append(signup)
    for helper in helpers:
        helper.site_signups = by_helper.get(helper.pk, [])
        helper.language_name = _language_label(helper.user.language)
    response = render(
        request,
        "volunteers/helpers/site_helpers.html",
        {
            "site": site,
            "form": form,
            "can_add": site.is_public and bool(shifts),
            "helpers": helpers,
            "invitation": invitation_current(site),
            "now": clock.now(),
        },
    )
    return private(response)


def _language_label(code: str) -> str:
    """ "ትግርኛ (Tigrinya)": the language named in itself and in the coordinator's."""
    if code not in dict(settings.LANGUAGES):
        return "—"
    return f"{translation.get_language_info(code)['name_local']} ({language_name(code)})"


@login_required
@require_http_methods(["GET", "POST"])
def site_helper_view(request: HttpRequest, pk: int, helper: int) -> HttpResponse:
    """One helper of the site: their personal link and its QR code, to show or print for
    them; their shifts here; and a form to put them on another shift of the site."""
    site = site_for(request.user, pk, PERMISSION)
    volunteer = site_helper(site, helper)
    if volunteer is None:
        raise Http404
    held = set(
        Signup.objects.filter(volunteer=volunteer).active().values_list("shift_id", flat=True)
    )
    shifts = open_shifts(site=site).exclude(pk__in=held)
    form = AddToShiftForm(request.POST or None, shifts=shifts)
    if request.method == "POST" and form.is_valid():
        try:
            signup = helper_add_to_shift(
                volunteer=volunteer, shift=form.cleaned_data["shift"], by=request.user
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            placed_message(request, signup, name=volunteer.user.first_name)
            return redirect("volunteers:site_helper", pk=site.pk, helper=volunteer.pk)
    signups = list(
        Signup.objects.filter(volunteer=volunteer, shift__site=site)
        .active()
        .select_related("shift")
        .order_by("shift__starts_at", "pk")
    )
    positions = selectors.waitlist_positions(signups)
    for signup in signups:
        signup.position = positions.get(signup.pk)
    link = helper_url(volunteer, request)
    response = render(
        request,
        "volunteers/helpers/site_helper.html",
        {
            "site": site,
            "helper": volunteer,
            "language": _language_label(volunteer.user.language),
            "signups": signups,
            "link": link,
            "qr": qr_svg(link, title=_("QR code of the personal link")),
            "form": form,
            "can_add": bool(shifts),
        },
    )
    return private(response)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's invitation link and QR code, to show or print; make or renew it (POST
    with a `last_day`)."""
    site = site_for(request.user, pk, PERMISSION)
    site_last_day = last_day_of(site)
    initial = {"last_day": max(site_last_day, clock.today())}
    form = InvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(site=site, by=request.user, last_day=form.cleaned_data["last_day"])
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                _("The invitation link is ready. An earlier link of this site no longer works."),
            )
            return redirect("volunteers:invitation", pk=site.pk)
    invitation = invitation_current(site)
    now = clock.now()
    link = qr = None
    if invitation is not None and invitation.is_live(now):
        link = request.build_absolute_uri(reverse("volunteers:join", args=[invitation.token]))
        qr = qr_svg(link, title=_("QR code of the invitation link"))
    response = render(
        request,
        "volunteers/helpers/invitation.html",
        {
            "site": site,
            "invitation": invitation,
            "live": link is not None,
            "link": link,
            "qr": qr,
            "form": form,
            "site_last_day": site_last_day,
            "can_make": not site.is_cancelled,
        },
    )
    return private(response)


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, PERMISSION)
    if invitation_revoke(site=site, by=request.user):
        messages.success(request, _("The invitation link has been withdrawn: it no longer works."))
    else:
        messages.info(request, _("This site has no invitation link to withdraw."))
    return redirect("volunteers:invitation", pk=site.pk)
