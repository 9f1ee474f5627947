"""A site as its branch and the national office work on it, under `/manage/sites/`:
registering, the site's page with its status, shifts and history, editing, and the
workflow (submit, approve, send back, cancel). Every view needs a signed-in user; a site
is loaded with `selectors.site_for` (404 when not visible, 403 when not allowed)."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.errors import DomainError
from common.forms import show_errors
from common.languages import language_names
from locations.models import Branch, Location
from locations.selectors import locations_for

from .. import extensions, services
from ..forms.sites import CancelForm, CommentForm, SiteForm, location_suggestions
from ..hosts import host_of, needs_host_consent
from ..kinds import kind_of
from ..models import Event, Shift, Signup, Site
from ..selectors import shifts_with_counts, site_for
from ..services.editions import edition_is_closed, registration_allows
from ..services.workflow import site_missing
from .access import map_context, require, safe_next
from .editions import templates_with_labels


def new_location_url(request: HttpRequest, event: Event) -> str | None:
    """Where a coordinator adds a location that is not in the list yet: the locations
    app's page, which looks the address up through the geocoding chain (or takes a pin
    placed by hand), saves the location, and comes back to the registration with
    `?location=<id>` chosen."""
    if not request.user.has_perm("locations.manage_location"):
        return None
    back = reverse("events:site_register", args=[event.slug])
    query = {"next": back}
    kind = kind_of(event.kind_id)
    if kind is not None:
        query["kind"] = kind.location_kind
    return reverse("locations:create") + "?" + urlencode(query)


def _site_form_kwargs(request: HttpRequest) -> dict:
    user = request.user
    if user.has_perm("events.manage_event"):
        branches = list(Branch.objects.order_by("name"))
    else:
        branches = list(user.coordinated_branches.order_by("name"))
    return {"branches": branches}


@login_required
def site_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register one of the branch's sites for an edition; its shifts come from the
    edition's templates. Refused, with the reason, outside the registration window."""
    user = request.user
    require(user, "events.register_site")
    event = get_object_or_404(Event, slug=slug)
    state = services.registration_state(event)
    may_register = registration_allows(event=event, by=user)
    kwargs = _site_form_kwargs(request)
    branches = kwargs["branches"]
    if not branches:
        raise PermissionDenied
    query = request.GET.get("q", "")
    form = SiteForm(
        request.POST if request.method == "POST" and may_register else None,
        initial={
            "opens_at": event.default_opens_at,
            "closes_at": event.default_closes_at,
            "location": request.GET.get("location") or None,
            "branch": request.GET.get("branch") or None,
        },
        **kwargs,
    )
    if request.method == "POST" and may_register and form.is_valid():
        data = form.cleaned_data
        branch = data.get("branch") or branches[0]
        require(user, "events.manage_site", branch)
        try:
            site = services.site_create(
                event=event, branch=branch, by=user, **form.details_on(event.date)
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(site)s has been registered as a draft. Check its shifts, then submit "
                    "it for review."
                )
                % {"site": site.display_name},
            )
            return redirect("events:site_manage", pk=site.pk)
    elif request.method == "POST" and not may_register:
        messages.error(request, state.reason)

    suggestion_branch = branches[0] if len(branches) == 1 else None
    chosen_branch = form.chosen_pk("branch") if "branch" in form.fields else None
    if chosen_branch:
        suggestion_branch = next((b for b in branches if b.pk == chosen_branch), None)
    visible = locations_for(user)
    chosen = [form.chosen_pk("location")]
    suggestions = (
        location_suggestions(branch=suggestion_branch, query=query, include=chosen) & visible
    )
    # A search that finds nothing says so and keeps the branch's places on offer.
    no_match = (
        bool(query.strip())
        and not (location_suggestions(branch=None, query=query) & visible).exists()
    )
    if no_match:
        suggestions = (
            location_suggestions(branch=suggestion_branch, query="", include=chosen) & visible
        )
    form.narrow_locations(suggestions)
    # Locations with a live site in this edition: the rule of `site_create` (a cancelled
    # site frees its location). Only among the places this person may use: whether
    # another branch's (perhaps hidden) place has a site is not theirs to learn.
    taken = set(
        Site.objects.filter(event=event, location__in=locations_for(user))
        .live()
        .values_list("location_id", flat=True)
    )
    return render(
        request,
        "events/editions/site_register.html",
        {
            "event": event,
            "form": form if may_register else None,
            "registration": state,
            "late": may_register and not state.is_open,
            "query": query,
            "no_match": no_match,
            "branch_places_kept": no_match and suggestions.exists(),
            "taken": taken,
            "new_location_url": new_location_url(request, event),
            "templates": templates_with_labels(event),
        },
    )


# Set-up before opening and clearing up after closing, within this margin, are normal.
SETUP_MARGIN = datetime.timedelta(hours=2)


# Shifts that belong just outside the hours: setting up, and clearing up, which has no role
# of its own and is planned as set-up or as "other".
AROUND_THE_HOURS = (Shift.Role.SETUP, Shift.Role.OTHER)


def outside_opening_hours(shift: Shift, site: Site) -> bool:
    """A shift wholly before opening or after closing, usually a template that does not
    fit this site's own hours; setting up or clearing up (`AROUND_THE_HOURS`) within
    `SETUP_MARGIN` of the hours is not."""
    if shift.ends_at > site.opens_at and shift.starts_at < site.closes_at:
        return False
    if shift.role in AROUND_THE_HOURS:
        return not (
            shift.starts_at >= site.opens_at - SETUP_MARGIN
            and shift.ends_at <= site.closes_at + SETUP_MARGIN
        )
    return True


@login_required
def site_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A site as its branch and the national office see it: status, what is missing,
    shifts with sign-ups, history, and the actions open to this person."""
    site = site_for(request.user, pk, "events.manage_site", "events.review_site")
    user = request.user
    shifts = list(shifts_with_counts(site.shifts.all()).order_by("starts_at", "role", "pk"))
    history = site.status_changes.select_related("changed_by").order_by("changed_at", "pk")
    is_closed = edition_is_closed(site.event)
    may_manage = user.has_perm("events.manage_site", site)
    active = not site.is_cancelled and not is_closed
    live = [s for s in shifts if not s.is_cancelled]
    outside = [s for s in live if outside_opening_hours(s, site)]
    for shift in outside:
        shift.outside_hours = True
    return render(
        request,
        "events/editions/site_manage.html",
        {
            "site": site,
            "event": site.event,
            "shifts": shifts,
            "history": history,
            "missing": site_missing(site) if not site.is_cancelled else [],
            "language_names": language_names(site.languages_needed),
            "places_needed": sum(s.capacity for s in live),
            "places_confirmed": sum(s.confirmed for s in live),
            "outside_hours": len(outside),
            "is_closed": is_closed,
            "can_edit": may_manage and active,
            "can_submit": may_manage and active and site.status == Site.Status.DRAFT,
            "can_review": user.has_perm("events.review_site", site)
            and active
            and site.status == Site.Status.SUBMITTED,
            "can_cancel": may_manage and active,
            # Actions that apps above this one add (asking volunteers for help).
            "extra_actions": extensions.site_links(
                extensions.SITE_MANAGE_ACTIONS, user=user, site=site
            ),
            "can_plan_shifts": user.has_perm("events.manage_shift", site) and active,
            "can_view_roster": user.has_perm("events.view_roster", site),
            # The host and their consent (at an azc, needed before review).
            "host": host_of(site),
            "host_required": needs_host_consent(site),
            "can_record_host": may_manage and active,
            "send_back_form": CommentForm(),
            **map_context(),
        },
    )


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.manage_site")
    if site.is_cancelled or edition_is_closed(site.event):
        messages.error(request, _("This site can no longer be changed."))
        return redirect("events:site_manage", pk=site.pk)
    local_open = timezone.localtime(site.opens_at)
    local_close = timezone.localtime(site.closes_at)
    initial = {
        "location": site.location_id,
        "name": site.name,
        "opens_at": local_open.time(),
        "closes_at": local_close.time(),
        "public_description": site.public_description,
        "languages_needed": site.languages_needed,
        "expected_visitors": site.expected_visitors,
        "show_approximate_location": site.show_approximate_location,
    }
    form = SiteForm(
        request.POST or None, initial=initial, extra_languages=site.languages_needed or []
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(site=site, by=request.user, **form.details_on(local_open.date()))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The site has been saved."))
            return redirect("events:site_manage", pk=site.pk)
    query = request.GET.get("q", "")
    form.narrow_locations(
        location_suggestions(
            branch=site.branch, query=query, include=[site.location_id, form.chosen_pk("location")]
        )
        & (locations_for(request.user) | Location.objects.filter(pk=site.location_id))
    )
    return render(
        request,
        "events/editions/site_edit.html",
        {"site": site, "event": site.event, "form": form, "query": query},
    )


def _run(request: HttpRequest, action, success: str, **kwargs) -> bool:
    try:
        action(by=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.detail)
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def site_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.manage_site")
    _run(
        request,
        services.site_submit,
        _("%(site)s has been submitted for review.") % {"site": site.display_name},
        site=site,
    )
    return redirect("events:site_manage", pk=site.pk)


@login_required
@require_POST
def site_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.review_site")
    _run(
        request,
        services.site_publish,
        _("%(site)s has been approved and published.") % {"site": site.display_name},
        site=site,
    )
    return redirect(safe_next(request, reverse("events:site_manage", args=[site.pk])))


@login_required
def site_send_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for(request.user, pk, "events.review_site")
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = _run(
            request,
            services.site_send_back,
            _("%(site)s has been sent back to %(branch)s.")
            % {"site": site.display_name, "branch": site.branch.name},
            site=site,
            comment=form.cleaned_data["comment"],
        )
        if sent:
            return redirect(safe_next(request, reverse("events:site_manage", args=[site.pk])))
    return render(
        request,
        "events/editions/site_send_back.html",
        {"site": site, "event": site.event, "form": form, "next": safe_next(request, "")},
    )


@login_required
def site_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then cancel: volunteers are mailed and their places freed."""
    site = site_for(request.user, pk, "events.manage_site")
    if site.is_cancelled or edition_is_closed(site.event):
        messages.error(request, _("This site can no longer be cancelled."))
        return redirect("events:site_manage", pk=site.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.site_cancel(
                site=site, by=request.user, comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                ngettext(
                    "%(site)s has been cancelled; %(count)d volunteer has been told.",
                    "%(site)s has been cancelled; %(count)d volunteers have been told.",
                    result.volunteers_told,
                )
                % {"site": site.display_name, "count": result.volunteers_told},
            )
        return redirect("events:site_manage", pk=site.pk)
    affected = (
        Signup.objects.filter(shift__site=site).active().values("volunteer").distinct().count()
    )
    return render(
        request,
        "events/editions/site_cancel.html",
        {"site": site, "event": site.event, "form": form, "affected": affected},
    )
