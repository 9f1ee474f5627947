"""Reads used by several callers: which sites a person may see."""

from django.db.models import Q, QuerySet

from .models import Site


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
