"""Reads used by several callers: which sites a person may see, open spots on shifts."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from locations.models import Branch

from .models import Shift, Site


def sites_visible_to(user) -> QuerySet[Site]:
    """Published sites for everyone; a branch's own sites in any status for its
    coordinators; everything for organisers."""
    sites = Site.objects.all()
    if user is not None and user.is_authenticated and user.is_active:
        if user.is_organiser or user.is_superuser:
            return sites
        branch_ids = list(user.coordinated_branches.values_list("id", flat=True))
        if branch_ids:
            return sites.filter(
                Q(status=Site.Status.PUBLISHED, event__is_published=True)
                | Q(branch_id__in=branch_ids)
            )
    return sites.published()


# --- Places on shifts ----------------------------------------------------------------------
#
# Sign-ups live in the `volunteers` app, a layer above this one; these expressions reach
# them through the `Shift.signups` reverse relation, so no module here imports it.

CONFIRMED = "confirmed"


def _signup_model():
    return Shift._meta.get_field("signups").related_model


def shift_confirmed_count() -> Coalesce:
    """For a `Shift` queryset: the number of confirmed sign-ups of each shift."""
    confirmed = (
        _signup_model()
        .objects.filter(shift=OuterRef("pk"), status=CONFIRMED)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(confirmed, output_field=IntegerField()), 0)


def shift_open_spots() -> Greatest:
    """For a `Shift` queryset: capacity minus confirmed sign-ups, never below zero (a
    capacity lowered below the confirmed count leaves no open spot, not a negative one).
    Cancelled shifts are not excluded here; callers filter them."""
    return Greatest(F("capacity") - shift_confirmed_count(), 0)


def shifts_with_counts(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts annotated with `confirmed` and `open_spots`."""
    return shifts.annotate(confirmed=shift_confirmed_count()).annotate(
        open_spots=Greatest(F("capacity") - F("confirmed"), 0)
    )


def site_open_spots() -> Coalesce:
    """For a `Site` queryset: the open spots over the site's shifts that can still be
    claimed (not cancelled, not yet started), each shift counted as `shift_open_spots()`:
    "where can I still help?". One correlated subquery, so a list of any length costs no
    extra queries."""
    per_site = (
        Shift.objects.filter(site=OuterRef("pk"), is_cancelled=False, starts_at__gt=timezone.now())
        .order_by()
        .values("site")
        .annotate(total=Sum(shift_open_spots()))
        .values("total")
    )
    return Coalesce(Subquery(per_site, output_field=IntegerField()), 0)


def sees_exact_location(user) -> Q | bool:
    """Who may see a site's exact position and street address, as a condition on `Site`
    rows: organisers (every site), the coordinators of the site's branch, and volunteers
    with a confirmed shift at the site. Everyone sees it for sites that do not ask to be
    shown approximately. Answers `True` for organisers and `False` for anonymous users,
    so that callers can skip the condition."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_organiser or user.is_superuser:
        return True
    coordinated = Branch.coordinators.through.objects.filter(user_id=user.pk).values("branch_id")
    with_shift = Shift.objects.filter(
        signups__volunteer__user_id=user.pk, signups__status=CONFIRMED
    ).values("site_id")
    return Q(branch_id__in=coordinated) | Q(pk__in=with_shift)
