"""The roles a person can have, as `rules` predicates.

- organiser: national staff (`User.is_organiser`, or a superuser);
- coordinator: a user listed as coordinator of a branch (`Branch.coordinators`);
- volunteer: any signed-in user with a verified e-mail address (a volunteer profile is
  made on first need);
- anonymous: everyone else.

Predicates that take an object accept a branch, a location-bearing site, a shift, or an
event, and answer for the branch that object belongs to. Results are cached on the user
object for the length of a request, since pages ask many times.
"""

import rules
from django.utils import timezone

from events.models import Event, Shift, Site
from locations.models import Branch

from .models import Signup


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def coordinated_branch_ids(user) -> frozenset[int]:
    """The ids of the branches `user` coordinates (cached on the user object)."""
    if not _active(user):
        return frozenset()
    cached = getattr(user, "_coordinated_branch_ids", None)
    if cached is None:
        cached = frozenset(user.coordinated_branches.values_list("id", flat=True))
        user._coordinated_branch_ids = cached
    return cached


def branch_id_of(obj) -> int | None:
    if isinstance(obj, Branch):
        return obj.pk
    if isinstance(obj, Site):
        return obj.branch_id
    if isinstance(obj, Shift):
        # `shift.site` is usually select_related; fall back to one query.
        return obj.site.branch_id
    return None


@rules.predicate
def is_organiser(user) -> bool:
    return _active(user) and bool(user.is_organiser or user.is_superuser)


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(coordinated_branch_ids(user))


@rules.predicate
def is_branch_coordinator(user, obj) -> bool:
    """`user` coordinates the branch that runs `obj` (a branch, site or shift)."""
    branch_id = branch_id_of(obj)
    return branch_id is not None and branch_id in coordinated_branch_ids(user)


@rules.predicate
def is_signed_in(user) -> bool:
    return _active(user)


@rules.predicate
def has_verified_email(user) -> bool:
    if not _active(user):
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


@rules.predicate
def has_confirmed_shift_at_site_today(user, site) -> bool:
    """A volunteer with a confirmed shift at `site` on the site's day may count there."""
    if not (_active(user) and isinstance(site, Site)):
        return False
    return Shift.objects.filter(
        site=site,
        signups__volunteer__user=user,
        signups__status="confirmed",
        starts_at__date__lte=timezone.localtime(site.closes_at).date(),
        ends_at__date__gte=timezone.localtime(site.opens_at).date(),
    ).exists()


@rules.predicate
def is_signup_owner(user, signup) -> bool:
    """`signup` is one of `user`'s own sign-ups."""
    return (
        _active(user)
        and isinstance(signup, Signup)
        and Signup.objects.filter(pk=signup.pk, volunteer__user=user).exists()
    )


@rules.predicate
def is_published_event(user, event) -> bool:
    return isinstance(event, Event) and event.is_published
