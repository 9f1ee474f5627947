"""Pages for running an edition, under `/manage/`.

Organisers set up and clone editions and review sites; coordinators register their
branch's sites and follow their staffing. Every view needs a signed-in user and checks
the rule-book (`volunteers/rules.py`) through `user.has_perm`; the services decide the
business rules and their errors are shown as messages.
"""

import datetime
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.errors import DomainError
from common.redirects import safe_next_url
from locations.models import Branch

from . import editions
from .editions import MOVE, EditionClosed, registration_state
from .forms_editions import (
    BulkApproveForm,
    CloneForm,
    CommentForm,
    EditionForm,
    SiteForm,
    TemplateFormSet,
    language_names,
    location_suggestions,
    show_errors,
)
from .models import Event, Shift, Site
from .selectors import sites_visible_to
from .services import site_create, site_update
from .site_status import (
    site_missing,
    site_publish,
    site_send_back,
    site_submit,
    sites_publish_bulk,
    with_completeness,
)
from .staffing import edition_staffing, shifts_with_confirmed


def _require(user, permission: str, obj=None) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied


def _map_context() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_url(request, target, fallback)


def _status_counts(event: Event) -> dict[str, int]:
    counts = dict.fromkeys(Site.Status.values, 0)
    for row in Site.objects.filter(event=event).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def _templates_with_labels(event: Event) -> list:
    labels = dict(Shift.Role.choices)
    templates = list(event.shift_templates.order_by("starts_at", "role", "pk"))
    for template in templates:
        template.label = labels.get(template.role, template.role)
    return templates


# --- The start page -------------------------------------------------------------------------


@login_required
def manage_index(request: HttpRequest) -> HttpResponse:
    """What this organiser or coordinator can do: editions, registrations, their sites."""
    user = request.user
    _require(user, "events.register_site")
    today = timezone.localdate()
    is_organiser = user.has_perm("events.manage_event")
    branches = list(user.coordinated_branches.order_by("name"))
    upcoming = [
        (event, registration_state(event))
        for event in Event.objects.filter(date__gte=today).order_by("date", "name")
    ]
    own_sites = (
        Site.objects.filter(branch__in=branches, event__date__gte=today)
        .select_related("event", "location", "branch")
        .order_by("event__date", "location__city", "location__name")
    )
    editions_all = []
    if is_organiser:
        editions_all = Event.objects.annotate(
            site_total=Count("sites"),
            submitted=Count("sites", filter=Q(sites__status=Site.Status.SUBMITTED)),
            published=Count("sites", filter=Q(sites__status=Site.Status.PUBLISHED)),
        ).order_by("-date", "name")
    return render(
        request,
        "events/editions/index.html",
        {
            "is_organiser": is_organiser,
            "branches": branches,
            "upcoming": upcoming,
            "own_sites": own_sites,
            "editions": editions_all,
        },
    )


# --- Edition set-up (organisers) ------------------------------------------------------------


@login_required
def edition_create(request: HttpRequest) -> HttpResponse:
    _require(request.user, "events.manage_event")
    form = EditionForm(request.POST or None, initial={"release_deadline_hours": 24})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = editions.event_create(
                name=data["name"],
                slug=data["slug"],
                kind=data["kind"],
                date=data["date"],
                by=request.user,
                default_opens_at=data["default_opens_at"],
                default_closes_at=data["default_closes_at"],
                description=data["description"],
                registration_opens_at=data["registration_opens_at"],
                registration_closes_at=data["registration_closes_at"],
                release_deadline_hours=data["release_deadline_hours"],
                is_published=data["is_published"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                _("%(edition)s has been created with the usual shifts. Check them below.")
                % {"edition": event.name},
            )
            return redirect("events:edition_templates", slug=event.slug)
    return render(request, "events/editions/edition_form.html", {"form": form, "event": None})


@login_required
def edition_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """An edition's sites by status, with the way to its settings, review and staffing."""
    _require(request.user, "events.manage_event")
    event = get_object_or_404(Event, slug=slug)
    status = request.GET.get("status", "")
    sites = (
        Site.objects.filter(event=event)
        .select_related("location", "branch")
        .order_by("location__city", "location__name")
    )
    if status in Site.Status.values:
        sites = sites.filter(status=status)
    else:
        status = ""
    counts = _status_counts(event)
    return render(
        request,
        "events/editions/edition_overview.html",
        {
            "event": event,
            "sites": sites,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in Site.Status.choices],
            "counts": counts,
            "registration": registration_state(event),
            "templates": _templates_with_labels(event),
            "is_closed": editions.edition_is_closed(event),
        },
    )


@login_required
def edition_settings(request: HttpRequest, slug: str) -> HttpResponse:
    _require(request.user, "events.manage_event")
    event = get_object_or_404(Event, slug=slug)
    initial = {name: getattr(event, name) for name in editions.EVENT_FIELDS if name != "kind"}
    form = EditionForm(request.POST or None, initial=initial, with_kind=False)
    if request.method == "POST" and form.is_valid():
        try:
            event = editions.event_update(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("events:edition_overview", slug=event.slug)
    return render(request, "events/editions/edition_form.html", {"form": form, "event": event})


@login_required
def edition_templates(request: HttpRequest, slug: str) -> HttpResponse:
    """The shifts every new site of the edition starts with."""
    _require(request.user, "events.manage_event")
    event = get_object_or_404(Event, slug=slug)
    initial = [
        {"role": t.role, "starts_at": t.starts_at, "ends_at": t.ends_at, "capacity": t.capacity}
        for t in editions.templates_of(event)
    ]
    formset = TemplateFormSet(request.POST or None, initial=initial, prefix="templates")
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            editions.event_templates_set(event=event, templates=formset.specs())
        except ValidationError as error:
            problems = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            messages.success(request, _("The shift templates have been saved."))
            return redirect("events:edition_overview", slug=event.slug)
    return render(
        request,
        "events/editions/edition_templates.html",
        {"event": event, "formset": formset, "problems": problems},
    )


_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def _add_years(date: datetime.date, years: int) -> datetime.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def suggested_clone_date(
    source: Event, today: datetime.date, *, after: datetime.date | None = None
) -> datetime.date:
    """The first anniversary after today (or after `after`); an open day moves to the
    nearest day of the same weekday (editions happen on a Saturday), a coffee action keeps
    its date (20 June, World Refugee Day)."""
    after = max(after or today, today)
    date = _add_years(source.date, max(after.year - source.date.year, 1))
    while True:
        candidate = date
        if source.kind == Event.Kind.OPEN_DAY:
            shift = (source.date.weekday() - date.weekday() + 3) % 7 - 3
            candidate = date + datetime.timedelta(days=shift)
        if candidate > after:
            return candidate
        date = _add_years(date, 1)


def _suggested_clone(source: Event) -> tuple[str, datetime.date]:
    """A name and date for the copy whose slug is still free (the next year's, usually)."""
    today = timezone.localdate()
    date = suggested_clone_date(source, today)
    for _attempt in range(10):
        name = _YEAR.sub(str(date.year), source.name)
        if name == source.name:
            name = f"{source.name} {date.year}"
        if not Event.objects.filter(slug=slugify(name)).exists():
            break
        date = suggested_clone_date(source, today, after=date)
    return name, date


@login_required
def edition_clone(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a new edition from this one: its sites as drafts, its shifts on the new date."""
    _require(request.user, "events.manage_event")
    source = get_object_or_404(Event, slug=slug)
    name, date = _suggested_clone(source)
    form = CloneForm(request.POST or None, initial={"name": name, "date": date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = editions.event_clone(
                source=source,
                name=data["name"],
                slug=data["slug"] or slugify(data["name"]),
                date=data["date"],
                by=request.user,
                registration_opens_at=data["registration_opens_at"] or MOVE,
                registration_closes_at=data["registration_closes_at"] or MOVE,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(edition)s has been created with %(sites)d draft site and %(shifts)d "
                    "shifts. It is not published yet.",
                    "%(edition)s has been created with %(sites)d draft sites and %(shifts)d "
                    "shifts. It is not published yet.",
                    result.sites,
                )
                % {"edition": result.event.name, "sites": result.sites, "shifts": result.shifts},
            )
            return redirect("events:edition_overview", slug=result.event.slug)
    counts = _status_counts(source)
    return render(
        request,
        "events/editions/edition_clone.html",
        {
            "source": source,
            "form": form,
            "copied": sum(n for status, n in counts.items() if status != Site.Status.CANCELLED),
            "cancelled": counts[Site.Status.CANCELLED],
        },
    )


# --- Review (organisers) --------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Submitted sites, oldest submission first, with their position and completeness."""
    _require(request.user, "events.review_site")
    event = get_object_or_404(Event, slug=slug)
    sites = list(
        with_completeness(Site.objects.filter(event=event, status=Site.Status.SUBMITTED))
        .select_related("branch")
        .annotate(
            submitted_at=Max(
                "status_changes__changed_at",
                filter=Q(status_changes__to_status=Site.Status.SUBMITTED),
            )
        )
        .order_by("submitted_at", "pk")
    )
    for site in sites:
        site.missing = site_missing(site)
        site.language_names = language_names(site.languages_needed)
    return render(
        request,
        "events/editions/review_queue.html",
        {
            "event": event,
            "sites": sites,
            "is_closed": editions.edition_is_closed(event),
            "send_back_form": CommentForm(),
            **_map_context(),
        },
    )


@login_required
@require_POST
def review_bulk_approve(request: HttpRequest, slug: str) -> HttpResponse:
    _require(request.user, "events.review_site")
    event = get_object_or_404(Event, slug=slug)
    form = BulkApproveForm(request.POST, event=event)
    if not form.is_valid():
        for error in form.errors.get("sites", []):
            messages.error(request, error)
        return redirect("events:review_queue", slug=event.slug)
    outcomes = sites_publish_bulk(sites=form.cleaned_data["sites"].order_by("pk"), by=request.user)
    published = [o for o in outcomes if o.published]
    if published:
        messages.success(
            request,
            ngettext("%(count)d site approved.", "%(count)d sites approved.", len(published))
            % {"count": len(published)},
        )
    for outcome in outcomes:
        if outcome.error is not None:
            messages.error(
                request,
                _("%(site)s was not approved: %(reason)s")
                % {"site": outcome.site.display_name, "reason": outcome.error.detail},
            )
    return redirect("events:review_queue", slug=event.slug)


# --- Staffing (organisers, coordinators) ----------------------------------------------------


@login_required
def staffing_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Places needed against confirmed, most short first. Coordinators see their branches."""
    user = request.user
    _require(user, "events.view_staffing")
    event = get_object_or_404(Event, slug=slug)
    is_organiser = user.has_perm("events.manage_event")
    branch_ids = None if is_organiser else [b.pk for b in user.coordinated_branches.all()]
    chosen = None
    if request.GET.get("branch", "").isdigit():
        chosen = int(request.GET["branch"])
        if branch_ids is not None and chosen not in branch_ids:
            raise PermissionDenied
        branch_ids = [chosen]
    staffing = edition_staffing(event, branch_ids=branch_ids)
    return render(
        request,
        "events/editions/staffing.html",
        {
            "event": event,
            "staffing": staffing,
            "is_organiser": is_organiser,
            "chosen_branch": chosen,
            "show_branches": branch_ids is None or len(branch_ids) > 1,
        },
    )


# --- Sites (coordinators of the branch, organisers) -----------------------------------------


def _site_for(request: HttpRequest, pk: int, *permissions: str) -> Site:
    site = get_object_or_404(
        sites_visible_to(request.user).select_related("event", "location", "branch"), pk=pk
    )
    if not any(request.user.has_perm(p, site) for p in permissions):
        raise PermissionDenied
    return site


def new_location_url(request: HttpRequest, event: Event) -> str | None:
    """Where a coordinator adds a location that is not in the list yet: the locations
    app's page, which looks the address up through the geocoding chain (or takes a pin
    placed by hand), saves the location, and comes back to the registration with
    `?location=<id>` chosen."""
    if not request.user.has_perm("locations.manage_location"):
        return None
    back = reverse("events:site_register", args=[event.slug])
    return reverse("locations:create") + "?" + urlencode({"next": back})


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
    _require(user, "events.register_site")
    event = get_object_or_404(Event, slug=slug)
    state = registration_state(event)
    is_organiser = user.has_perm("events.manage_event")
    may_register = state.is_open or (is_organiser and not isinstance(state.error, EditionClosed))
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
        _require(user, "events.manage_site", branch)
        try:
            site = site_create(event=event, branch=branch, by=user, **form.details_on(event.date))
        except ValidationError as error:
            show_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.detail)
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
    form.narrow_locations(
        location_suggestions(
            branch=suggestion_branch, query=query, include=[form.chosen_pk("location")]
        )
    )
    taken = set(Site.objects.filter(event=event).values_list("location_id", flat=True))
    return render(
        request,
        "events/editions/site_register.html",
        {
            "event": event,
            "form": form if may_register else None,
            "registration": state,
            "late": may_register and not state.is_open,
            "query": query,
            "taken": taken,
            "new_location_url": new_location_url(request, event),
            "templates": _templates_with_labels(event),
        },
    )


@login_required
def site_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A site as its branch and the national office see it: status, what is missing,
    shifts with sign-ups, history, and the actions open to this person."""
    site = _site_for(request, pk, "events.manage_site", "events.review_site")
    user = request.user
    shifts = list(shifts_with_confirmed(site))
    history = site.status_changes.select_related("changed_by").order_by("changed_at", "pk")
    is_closed = editions.edition_is_closed(site.event)
    may_manage = user.has_perm("events.manage_site", site)
    active = site.status != Site.Status.CANCELLED and not is_closed
    live = [s for s in shifts if not s.is_cancelled]
    # A shift wholly before opening or after closing (set-up that overlaps opening is fine)
    # is usually a template that does not fit this site's own hours.
    outside = [s for s in live if s.ends_at <= site.opens_at or s.starts_at >= site.closes_at]
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
            "missing": site_missing(site) if site.status != Site.Status.CANCELLED else [],
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
            "can_appeal": user.has_perm("volunteers.appeal_for_site", site)
            and active
            and site.status == Site.Status.PUBLISHED,
            "can_plan_shifts": user.has_perm("events.manage_shift", site) and active,
            "can_view_roster": user.has_perm("events.view_roster", site),
            "send_back_form": CommentForm(),
            **_map_context(),
        },
    )


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site_for(request, pk, "events.manage_site")
    if site.status == Site.Status.CANCELLED or editions.edition_is_closed(site.event):
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
            site_update(site=site, by=request.user, **form.details_on(local_open.date()))
        except ValidationError as error:
            show_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("The site has been saved."))
            return redirect("events:site_manage", pk=site.pk)
    query = request.GET.get("q", "")
    form.narrow_locations(
        location_suggestions(
            branch=site.branch, query=query, include=[site.location_id, form.chosen_pk("location")]
        )
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
    site = _site_for(request, pk, "events.manage_site")
    _run(
        request,
        site_submit,
        _("%(site)s has been submitted for review.") % {"site": site.display_name},
        site=site,
    )
    return redirect("events:site_manage", pk=site.pk)


@login_required
@require_POST
def site_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site_for(request, pk, "events.review_site")
    _run(
        request,
        site_publish,
        _("%(site)s has been approved and published.") % {"site": site.display_name},
        site=site,
    )
    return redirect(_safe_next(request, reverse("events:site_manage", args=[site.pk])))


@login_required
def site_send_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site_for(request, pk, "events.review_site")
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = _run(
            request,
            site_send_back,
            _("%(site)s has been sent back to %(branch)s.")
            % {"site": site.display_name, "branch": site.branch.name},
            site=site,
            comment=form.cleaned_data["comment"],
        )
        if sent:
            return redirect(_safe_next(request, reverse("events:site_manage", args=[site.pk])))
    return render(
        request,
        "events/editions/site_send_back.html",
        {"site": site, "event": site.event, "form": form, "next": _safe_next(request, "")},
    )
