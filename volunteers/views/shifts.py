"""Finding shifts and claiming or releasing a place: the public list of open shifts (no
names: counts only), and "take this shift?" / "release this shift?" for signed-in
volunteers. The sign-up rules are `events.services.signups`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import volunteer_get_or_create
from common.access import public
from common.languages import language_match
from common.pagination import query_without_page
from common.redirects import redirect_to_next
from events import selectors, services
from events.errors import LeadAppointedOnly, SignupError
from events.models import Shift, Signup, Site
from events.search import site_ids_near
from events.services.signups import can_release, check_open_for_claims

from ..forms import FindShiftsForm

SHIFTS_PER_PAGE = 30


def _back(request):
    """Back to the page the form was on (`next`, on this site), else to my shifts."""
    target = request.POST.get("next") or request.GET.get("next")
    return redirect_to_next(request, target, reverse("volunteers:my_shifts"))


@public
def shift_list(request):
    """Open shifts, filtered by action day, nearness to a town, date and language. No
    names: counts only."""
    form = FindShiftsForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "event": form.cleaned_data["event"],
            "site": form.cleaned_data["site"],
            "site_ids": site_ids_near(form.near, user=request.user) if form.near else None,
            "date": form.cleaned_data["date"],
            "only_free": form.cleaned_data["free"],
            "language": form.cleaned_data["language"],
        }
        if form.unknown_site:
            messages.warning(
                request,
                _("That site is not (or no longer) on the list. Here are all open shifts."),
            )
    page = Paginator(selectors.open_shifts(**filters), SHIFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    spoken: list[str] = []
    mine: dict[int, str] = {}
    can_claim = False
    if request.user.is_authenticated:
        volunteer = getattr(request.user, "volunteer", None)
        if volunteer is not None:
            spoken = volunteer.languages or []
            mine = dict(
                Signup.objects.filter(
                    volunteer=volunteer,
                    shift__in=[shift.pk for shift in page.object_list],
                    status__in=Signup.ACTIVE_STATUSES,
                ).values_list("shift_id", "status")
            )
        can_claim = request.user.has_perm("events.claim_shift")
    for shift in page.object_list:
        shift.languages = language_match(spoken, shift.site.languages_needed)
        shift.mine_confirmed = mine.get(shift.pk) == Signup.Status.CONFIRMED
        shift.mine_waitlisted = mine.get(shift.pk) == Signup.Status.WAITLISTED
        # The site-lead shift is the coordinators' to give (`LeadAppointedOnly`).
        shift.appointed_only = shift.role == Shift.Role.LEAD
    return render(
        request,
        "volunteers/shift_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_claim": can_claim,
            "has_languages": bool(spoken),
            "site": filters.get("site"),
        },
    )


def _shift_text(shift: Shift) -> str:
    """ "Reception, azc Utrecht, zaterdag 25 september 2027, 10:00", for messages."""
    return _("%(role)s, %(site)s, %(when)s") % {
        "role": capfirst(shift.get_role_display()),
        "site": shift.site.display_name,
        "when": formats.date_format(timezone.localtime(shift.starts_at), "l j F Y, H:i"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def shift_claim(request, pk: int):
    """GET asks "take this shift?" (where the log-in page sends someone who tapped the
    button after their session ran out); POST claims."""
    shift = get_object_or_404(Shift.objects.select_related("site__location", "site__event"), pk=pk)
    volunteer = volunteer_get_or_create(user=request.user)
    if request.method == "GET":
        # Only what the public shift list shows: a draft site stays unseen.
        if not Site.objects.published().filter(pk=shift.site_id).exists():
            raise Http404
        signup = Signup.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Signup.ACTIVE_STATUSES
        ).first()
        closed = ""
        if signup is None:
            try:
                check_open_for_claims(shift)
                if shift.role == Shift.Role.LEAD:
                    raise LeadAppointedOnly()
            except SignupError as error:
                closed = error.detail
        return render(
            request,
            "volunteers/shift_claim_confirm.html",
            {
                "shift": shift,
                "signup": signup,
                "closed": closed,
                "next": request.GET.get("next", ""),
            },
        )
    try:
        signup = services.signup_create(shift=shift, volunteer=volunteer)
    except SignupError as error:
        messages.error(request, error.detail)
    else:
        if signup.status == Signup.Status.CONFIRMED:
            messages.success(
                request, _("Your place is confirmed: %(shift)s.") % {"shift": _shift_text(shift)}
            )
            if shift.site.show_approximate_location:
                messages.info(
                    request,
                    _(
                        "The address of this site is not public: its coordinators send it to "
                        "you by e-mail once they have seen your sign-up."
                    ),
                )
        else:
            messages.info(
                request,
                _(
                    "This shift is full. You are number %(position)s on the waitlist; we "
                    "will e-mail you when a place comes free."
                )
                % {"position": selectors.waitlist_position(signup)},
            )
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def shift_release(request, pk: int):
    """GET asks "are you sure?" (one stray tap on a phone must not give a place away);
    POST releases."""
    shift = get_object_or_404(Shift.objects.select_related("site__location", "site__event"), pk=pk)
    volunteer = volunteer_get_or_create(user=request.user)
    if request.method == "GET":
        signup = Signup.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Signup.ACTIVE_STATUSES
        ).first()
        if signup is None:
            messages.error(request, _("You have no place on this shift."))
            return _back(request)
        return render(
            request,
            "volunteers/shift_release_confirm.html",
            {
                "shift": shift,
                "signup": signup,
                "can_release": can_release(signup),
                "next": request.GET.get("next", ""),
            },
        )
    waiting = Signup.objects.filter(
        shift=shift, volunteer=volunteer, status=Signup.Status.WAITLISTED
    ).exists()
    try:
        services.signup_release(shift=shift, volunteer=volunteer)
    except SignupError as error:
        messages.error(request, error.detail)
    else:
        if waiting:
            messages.success(
                request,
                _("You have left the waitlist of %(shift)s.") % {"shift": _shift_text(shift)},
            )
        else:
            messages.success(
                request, _("You have released the shift. Thank you for letting us know.")
            )
    return _back(request)
