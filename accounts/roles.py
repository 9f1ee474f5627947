"""The roles a person can have, as `rules` predicates.

- organiser: national staff (`User.is_organiser`, or a superuser);
- coordinator: a user listed as coordinator of a branch (`Branch.coordinators`);
- volunteer: any signed-in user with a verified e-mail address (a volunteer profile is
  made on first need);
- anonymous: everyone else.

These are about the person only. Predicates about a site, shift or sign-up (coordinator
of *this* site's branch, a confirmed shift *here*) are in `events/roles.py`. Results
are cached on the user object for the length of a request, since pages ask many times.
"""

import rules


def is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def coordinated_branch_ids(user) -> frozenset[int]:
    """The ids of the branches `user` coordinates (cached on the user object)."""
    if not is_active_user(user):
        return frozenset()
    cached = getattr(user, "_coordinated_branch_ids", None)
    if cached is None:
        cached = frozenset(user.coordinated_branches.values_list("id", flat=True))
        user._coordinated_branch_ids = cached
    return cached


@rules.predicate
def is_organiser(user) -> bool:
    return is_active_user(user) and bool(user.is_organiser or user.is_superuser)


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(coordinated_branch_ids(user))


@rules.predicate
def is_signed_in(user) -> bool:
    return is_active_user(user)


@rules.predicate
def has_verified_email(user) -> bool:
    if not is_active_user(user):
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def may_claim_places(volunteer) -> bool:
    """Whether `volunteer` may claim places on shifts: an account with a verified e-mail
    address, or a helper without a log-in (`Volunteer.is_helper`: their personal link is
    their key, and they gave no address to verify) whose data has not been erased."""
    if volunteer.is_helper:
        return volunteer.helper_link_works and is_active_user(volunteer.user)
    return has_verified_email(volunteer.user)


@rules.predicate
def looks_after_location(user, location) -> bool:
    """`user` coordinates the branch that looks after `location`."""
    branch_id = getattr(location, "branch_id", None)
    return branch_id is not None and branch_id in coordinated_branch_ids(user)
