from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from common.access import public

from .models import Event, Site
from .selectors import shifts_with_counts


@public
def home(request):
    """Upcoming published editions with their number of published sites."""
    events = (
        Event.objects.published()
        .upcoming()
        .annotate(
            site_count=Count("sites", filter=Q(sites__status=Site.Status.PUBLISHED), distinct=True)
        )
        .order_by("date", "name")
    )
    return render(request, "events/home.html", {"events": events})


@public
def event_detail(request, slug: str):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    sites = (
        Site.objects.published()
        .filter(event=event)
        .select_related("location", "branch")
        .order_by("location__city", "location__name")
    )
    return render(request, "events/event_detail.html", {"event": event, "sites": sites})


@public
def site_detail(request, pk: int):
    site = get_object_or_404(
        Site.objects.published().select_related("event", "location", "branch"), pk=pk
    )
    shifts = shifts_with_counts(site.shifts.filter(is_cancelled=False)).order_by(
        "starts_at", "role"
    )
    user = request.user
    return render(
        request,
        "events/site_detail.html",
        {
            "site": site,
            "shifts": shifts,
            # Shifts can still be claimed (on the shift list, filtered to this site).
            "claimable": site.closes_at > timezone.now(),
            # Links for those who count here or check the counts (no data shown here).
            "can_count": user.is_authenticated and user.has_perm("events.record_tally", site),
            "can_audit": user.is_authenticated and user.has_perm("events.correct_tally", site),
        },
    )
