"""The roles a person can have, as `rules` predicates.

- organiser: national staff (`User.is_organiser`, or a superuser);
- coordinator: a user listed as coordinator of at least one branch;
- volunteer: any signed-in user (a volunteer profile is made on first need);
- anonymous: everyone else.
"""

import rules


@rules.predicate
def is_organiser(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_organiser or user.is_superuser)
    )


@rules.predicate
def is_coordinator(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.coordinated_branches.exists()
