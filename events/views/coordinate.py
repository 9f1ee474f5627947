"""The coordinator's overviews: their sites with places filled (`/coordinate/`), shifts
still short of volunteers, and an edition's staffing by branch and site."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from common import clock
from common.languages import language_names
from common.pagination import query_without_page
from locations.models import Branch

from .. import extensions
from ..models import Event
from ..selectors import sites_planned_by, understaffed_shifts
from ..services import attendance
from ..staffing import EditionStaffing, edition_staffing, uncovered_languages, with_staffing
from .access import permission_required
from .rows import digits, number_texts, path_for_pk, status_labels

ID = re.compile(r"[0-9]{1,18}")  # not str.isdigit(): "²" is a digit to it, not to int()
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
UNDERSTAFFED_PER_PAGE = 50


@permission_required("events.coordinate")
def coordinate(request: HttpRequest) -> HttpResponse:
    """The coordinator's sites, with their shifts and places."""
    show_past = request.GET.get("past") == "1"
    sites = sites_planned_by(request.user)
    if not show_past:
        sites = sites.filter(event__date__gte=clock.today())
    sites = with_staffing(
        sites.annotate(
            shift_count=Count("shifts", filter=Q(shifts__is_cancelled=False), distinct=True)
        )
    ).order_by("event__date", "location__city", "location__name")
    return render(
        request, "events/shifts/coordinate.html", {"sites": sites, "show_past": show_past}
    )


@permission_required("events.coordinate")
def understaffed(request: HttpRequest) -> HttpResponse:
    event = None
    slug = request.GET.get("event", "")
    if SLUG.fullmatch(slug):  # not a slug (a NUL in it): no edition
        event = Event.objects.filter(slug=slug).first()
    if slug and event is None:
        # An unknown edition must not quietly show every edition's shifts instead.
        messages.error(
            request, _("There is no edition %(slug)s; showing all editions.") % {"slug": slug[:100]}
        )
    planned = sites_planned_by(request.user).filter(event__date__gte=clock.today())
    branches = Branch.objects.filter(sites__in=planned).distinct().order_by("name")
    branch = None
    if ID.fullmatch(request.GET.get("branch", "")):
        # Only among the branches whose sites this person plans: another's gives nothing.
        branch = branches.filter(pk=int(request.GET["branch"])).first()
    page = Paginator(
        understaffed_shifts(request.user, event=event, branch_id=branch.pk if branch else None),
        UNDERSTAFFED_PER_PAGE,
    ).get_page(request.GET.get("page"))
    shifts = list(page.object_list)
    gaps = uncovered_languages(shifts)
    for shift in shifts:
        shift.languages_uncovered = language_names(gaps.get(shift.pk, []))
    events = Event.objects.filter(sites__in=planned).distinct()
    return render(
        request,
        "events/shifts/understaffed.html",
        {
            "shifts": shifts,
            "page": page,
            "query": query_without_page(request),
            "events": events,
            "event": event,
            "branches": branches,
            "branch": branch,
        },
    )


@permission_required("events.view_staffing")
def staffing_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Places needed against confirmed, most short first. Coordinators see their branches."""
    user = request.user
    event = get_object_or_404(Event, slug=slug)
    is_organiser = user.has_perm("events.manage_event")
    branch_ids = None if is_organiser else [b.pk for b in user.coordinated_branches.all()]
    chosen = None
    if ID.fullmatch(request.GET.get("branch", "")):
        chosen = int(request.GET["branch"])
        if branch_ids is not None and chosen not in branch_ids:
            raise PermissionDenied
        branch_ids = [chosen]
    staffing = edition_staffing(event, branch_ids=branch_ids)
    branch_rows, site_rows = _rows(staffing)
    return render(
        request,
        "events/editions/staffing.html",
        {
            "event": event,
            "staffing": staffing,
            "branch_rows": branch_rows,
            "site_rows": site_rows,
            "is_organiser": is_organiser,
            "chosen_branch": chosen,
            "show_branches": branch_ids is None or len(branch_ids) > 1,
            "attendance_rows": _attendance_rows(event, branch_ids),
            "edition_links": extensions.edition_links(user=user, event=event),
        },
    )


def _attendance_rows(event: Event, branch_ids) -> list:
    """From the edition's day on: who turned up, per branch for coordinators (their
    branches), in all for organisers (or the branch they chose)."""
    if event.date > clock.today():
        return []
    if branch_ids is None:
        return [(None, attendance.edition_attendance(event))]
    counts = attendance.branch_attendance(event, branch_ids=branch_ids)
    branches = Branch.objects.filter(pk__in=branch_ids).order_by("name")
    return [(branch, counts.get(branch.pk, attendance.AttendanceCounts())) for branch in branches]


def _rows(staffing: EditionStaffing) -> tuple[list[dict], list[dict]]:
    """What each row of the two staffing tables shows, per branch and per site (see
    `rows`: an edition has thousands of sites)."""
    link = path_for_pk("events:site_manage")
    labels = status_labels()
    number = number_texts()
    branches = [
        {
            "pk": digits(row.branch.pk),
            "name": row.branch.name,
            "needed": number(row.needed),
            "confirmed": number(row.confirmed),
            "open_places": number(open_places := row.open_places),
            "short": open_places > 0,
        }
        for row in staffing.branches
    ]
    sites = []
    for row in staffing.sites:
        site, needed, confirmed = row.site, row.needed, row.confirmed
        sites.append(
            {
                "url": link(site.pk),
                "name": site.display_name,
                "branch": site.branch.name,
                "status": site.status,
                "status_label": labels[site.status],
                "planned": needed > 0,
                "short": row.open_places > 0,
                "needed": number(needed),
                "confirmed": number(confirmed),
                "open_places": number(row.open_places),
                "percent_filled": number(row.percent_filled),
                "languages_uncovered": ", ".join(row.languages_uncovered),
                # <meter> reads machine numbers, never localised ones.
                "needed_value": digits(needed),
                "confirmed_value": digits(confirmed),
            }
        )
    return branches, sites
