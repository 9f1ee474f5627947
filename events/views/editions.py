"""Setting up editions, under `/manage/`: the start page of organisers and coordinators,
creating, configuring and cloning an edition. Every view needs a signed-in user and asks
the rule-book (`user.has_perm`); the services decide and their errors are shown on the
form or as messages."""

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import clock
from common.errors import DomainError
from common.forms import show_errors

from .. import extensions, services
from ..forms.editions import CloneForm, EditionForm, TemplateFormSet
from ..kinds import kind_of
from ..models import Event, Shift, Site
from ..services import attendance
from ..services.cloning import MOVE
from ..services.editions import EVENT_FIELDS, edition_is_closed, templates_of
from .access import require
from .rows import path_for_pk, status_labels


def status_counts(event: Event) -> dict[str, int]:
    counts = dict.fromkeys(Site.Status.values, 0)
    for row in Site.objects.filter(event=event).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def site_table_rows(sites: QuerySet[Site]) -> list[dict]:
    """What each row of `_site_table.html` shows, in one query of plain values (an
    edition has thousands of sites; see `rows`)."""
    link = path_for_pk("events:site_manage")
    labels = status_labels()
    columns = ("pk", "name", "status", "location__name", "location__city", "event__name")
    columns += ("branch_id", "branch__name", "location__branch_id", "location__branch__name")
    rows = []
    for pk, name, status, location_name, city, event_name, *branches in sites.values_list(*columns):
        branch_id, branch, place_branch_id, place_branch = branches
        rows.append(
            {
                "url": link(pk),
                "name": name or location_name,  # as `Site.display_name`
                "city": city,
                "event": event_name,
                "branch": branch,
                # The branch that looks after the place, when it is another one.
                "place_branch": place_branch
                if place_branch_id and place_branch_id != branch_id
                else "",
                "status": status,
                "status_label": labels[status],
            }
        )
    return rows


def templates_with_labels(event: Event) -> list:
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
    require(user, "events.register_site")
    today = clock.today()
    is_organiser = user.has_perm("events.manage_event")
    branches = list(user.coordinated_branches.order_by("name"))
    upcoming = [
        (event, services.registration_state(event))
        for event in Event.objects.filter(date__gte=today).order_by("date", "name")
    ]
    own_sites = site_table_rows(
        Site.objects.filter(branch__in=branches, event__date__gte=today).order_by(
            "event__date", "location__city", "location__name"
        )
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
            # Importing a past edition (`tallies`, through `events.extensions`).
            "editions_links": extensions.editions_list_links(user=user),
        },
    )


# --- Edition set-up (organisers) ------------------------------------------------------------


@login_required
def edition_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "events.manage_event")
    form = EditionForm(request.POST or None, initial={"release_deadline_hours": 24})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_create(
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
        except DomainError as error:
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
    require(request.user, "events.manage_event")
    event = get_object_or_404(Event, slug=slug)
    status = request.GET.get("status", "")
    sites = Site.objects.filter(event=event).order_by("location__city", "location__name")
    if status in Site.Status.values:
        sites = sites.filter(status=status)
    else:
        status = ""
    counts = status_counts(event)
    return render(
        request,
        "events/editions/edition_overview.html",
        {
            "event": event,
            "sites": site_table_rows(sites),
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in Site.Status.choices],
            "counts": counts,
            "registration": services.registration_state(event),
            "templates": templates_with_labels(event),
            "is_closed": edition_is_closed(event),
            # The dashboard and the control room (`tallies`, through `events.extensions`).
            "edition_links": extensions.edition_links(user=request.user, event=event),
            # From the day itself on: who turned up (events.services.attendance).
            "attendance_rows": (
                [(None, attendance.edition_attendance(event))]
                if event.date <= clock.today()
                else []
            ),
        },
    )


@login_required
def edition_settings(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, "events.manage_event")
    event = get_object_or_404(Event, slug=slug)
    initial = {name: getattr(event, name) for name in EVENT_FIELDS if name != "kind"}
    form = EditionForm(request.POST or None, initial=initial, with_kind=False)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(event=event, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("events:edition_overview", slug=event.slug)
    return render(request, "events/editions/edition_form.html", {"form": form, "event": event})


@login_required
def edition_templates(request: HttpRequest, slug: str) -> HttpResponse:
    """The shifts every new site of the edition starts with."""
    require(request.user, "events.manage_event")
    event = get_object_or_404(Event, slug=slug)
    initial = [
        {"role": t.role, "starts_at": t.starts_at, "ends_at": t.ends_at, "capacity": t.capacity}
        for t in templates_of(event)
    ]
    formset = TemplateFormSet(request.POST or None, initial=initial, prefix="templates")
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.event_templates_set(event=event, templates=formset.specs())
        except DomainError as error:
            problems = [m for messages_ in error.field_errors.values() for m in messages_]
            problems = problems or [error.detail]
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
    source_kind = kind_of(source.kind_id)
    date = _add_years(source.date, max(after.year - source.date.year, 1))
    while True:
        candidate = date
        if source_kind is not None and source_kind.same_weekday:
            shift = (source.date.weekday() - date.weekday() + 3) % 7 - 3
            candidate = date + datetime.timedelta(days=shift)
        if candidate > after:
            return candidate
        date = _add_years(date, 1)


def _suggested_clone(source: Event) -> tuple[str, datetime.date]:
    """A name and date for the copy whose slug is still free (the next year's, usually)."""
    today = clock.today()
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
    require(request.user, "events.manage_event")
    source = get_object_or_404(Event, slug=slug)
    name, date = _suggested_clone(source)
    form = CloneForm(request.POST or None, initial={"name": name, "date": date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.event_clone(
                source=source,
                name=data["name"],
                slug=data["slug"] or slugify(data["name"]),
                date=data["date"],
                by=request.user,
                registration_opens_at=data["registration_opens_at"] or MOVE,
                registration_closes_at=data["registration_closes_at"] or MOVE,
            )
        except DomainError as error:
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
    counts = status_counts(source)
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
