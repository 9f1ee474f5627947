"""Branches for organisers, under `/manage/branches/`: the list with counts and search, a
branch's page (its coordinators, the places it looks after and its sites over the years),
and the import of branches and coordinators from a spreadsheet.

These pages live here, not in `locations` (which owns `Branch`), because a branch's page
shows its sites, and sites belong to this app: the layers let this app read branches and
accounts, not the other way round.

Who may see what: organisers every branch; a coordinator their own branches' pages (the
list shows them only theirs); anyone else is refused. Importing is for organisers.

The import is two steps (check, then import) of one uploaded file, kept between them by
`common.uploads` (a private temporary file named by a signed token, for an hour).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.coordinator_invites import (
    BranchImportConflict,
    ImportFileError,
    branch_import,
)
from accounts.roles import coordinated_branch_ids
from common.pagination import query_without_page
from common.uploads import KeptUploads
from locations.models import Branch, Location, Province

from ..models import Signup, Site

PAGE_SIZE = 50
ORGANISER = "locations.change_branch"  # organisers (accounts/rules.py)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOADS = KeptUploads(folder_name="branch-imports", salt="events.branches.import")


def _is_organiser(user) -> bool:
    return user.has_perm(ORGANISER)


def _count(queryset, column: str = "branch_id"):
    """The number of rows of `queryset` that belong to the outer branch, in one subquery
    (three joins counted at once would multiply each other)."""
    counted = (
        queryset.filter(**{column: OuterRef("pk")})
        .order_by()
        .values(column)
        .annotate(number=Count("*"))
        .values("number")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@login_required
def branch_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    organiser = _is_organiser(user)
    if organiser:
        branches = Branch.objects.all()
    else:
        own = coordinated_branch_ids(user)
        if not own:
            raise PermissionDenied
        branches = Branch.objects.filter(pk__in=own)
    text = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    province = request.GET.get("province", "")
    if province not in Province.values:
        province = ""
    if text:
        branches = branches.filter(Q(name__icontains=text) | Q(town__icontains=text))
    if province:
        branches = branches.filter(province=province)
    links = Branch.coordinators.through.objects
    branches = branches.annotate(
        coordinator_count=_count(links.all()),
        invited_count=_count(
            links.filter(
                user__last_login__isnull=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
            )
        ),
        location_count=_count(Location.objects.all()),
        site_count=_count(Site.objects.all()),
    ).order_by("name")
    page = Paginator(branches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/branches/branch_list.html",
        {
            "page": page,
            "q": text,
            "province": province,
            "provinces": Province.choices,
            "is_organiser": organiser,
            "query": query_without_page(request),
        },
    )


@login_required
def branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    branch = get_object_or_404(Branch, pk=pk)
    if not (_is_organiser(user) or branch.pk in coordinated_branch_ids(user)):
        raise PermissionDenied
    coordinators = list(branch.coordinators.order_by("email"))
    for person in coordinators:
        # Invited (by an import) and has not yet chosen a password and logged in.
        person.invited = person.last_login is None and not person.has_usable_password()
    confirmed = (
        Signup.objects.filter(shift__site=OuterRef("pk"), status=Signup.Status.CONFIRMED)
        .order_by()
        .values("shift__site")
        .annotate(number=Count("*"))
        .values("number")
    )
    sites = (
        Site.objects.filter(branch=branch)
        .select_related("event", "location")
        .annotate(
            shift_count=Count("shifts", distinct=True),
            confirmed_count=Coalesce(Subquery(confirmed, output_field=IntegerField()), Value(0)),
        )
        .order_by("-event__date", "location__city", "location__name")
    )
    return render(
        request,
        "events/branches/branch_detail.html",
        {
            "branch": branch,
            "coordinators": coordinators,
            "locations": branch.locations.order_by("city", "name"),
            "sites": sites,
            "is_organiser": _is_organiser(user),
        },
    )


# --- Import ----------------------------------------------------------------------------------


@login_required
def branch_import_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _is_organiser(user):
        raise PermissionDenied
    context: dict = {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "events/branches/branch_import.html", context)

    if "token" in request.POST:
        kept = UPLOADS.kept(request.POST["token"], user)
        if kept is None:
            context["error"] = _(
                "The checked file is no longer at hand (after an hour it is dropped): "
                "upload it again."
            )
            return render(request, "events/branches/branch_import.html", context, status=400)
        digest, data = kept
        skip = request.POST.get("skip_bad_rows") == "on"
        try:
            report = branch_import(data=data, skip_bad_rows=skip, by=user)
        except (ImportFileError, BranchImportConflict) as error:
            context["error"] = error.detail
            return render(request, "events/branches/branch_import.html", context, status=400)
        if report.written:
            UPLOADS.drop(digest)
            messages.success(
                request,
                _(
                    "Imported: %(created)s new and %(updated)s changed branches, %(added)s "
                    "coordinators added, %(invited)s invited by mail."
                )
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "added": report.new_coordinators,
                    "invited": report.invitations,
                },
            )
            return redirect("events:branch_list")
        context.update(report=report, token=request.POST["token"], refused=True)
        return render(request, "events/branches/branch_import.html", context, status=400)

    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a CSV or Excel file to check.")
        return render(request, "events/branches/branch_import.html", context, status=400)
    if upload.size > MAX_UPLOAD_BYTES:
        context["error"] = ngettext(
            "The file is larger than %(count)d MB.",
            "The file is larger than %(count)d MB.",
            context["max_mb"],
        ) % {"count": context["max_mb"]}
        return render(request, "events/branches/branch_import.html", context, status=400)
    data = upload.read()
    try:
        report = branch_import(data=data, dry_run=True, by=user)
    except ImportFileError as error:
        context["error"] = error.detail
        return render(request, "events/branches/branch_import.html", context, status=400)
    context.update(report=report, filename=upload.name, token=UPLOADS.keep(data, user))
    return render(request, "events/branches/branch_import.html", context)
