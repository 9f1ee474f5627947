"""Who may do what with accounts. Each app registers the permissions of its own models and
actions in its `rules.py` (imported at start-up by `rules.apps.AutodiscoverRulesConfig`);
see the README's "Who may do what" for the whole table."""

import rules

from .roles import is_coordinator, is_organiser, looks_after_location


def admin_for_organisers(app_label: str, models: list[str]) -> None:
    """Organisers manage these models of `app_label` in the admin (view, add, change,
    delete, as each admin class allows), and see the app there."""
    for model in models:
        for action in ("view", "add", "change", "delete"):
            rules.add_perm(f"{app_label}.{action}_{model}", is_organiser)
    rules.add_perm(app_label, is_organiser)


admin_for_organisers("accounts", ["user", "volunteer", "sentmail"])

# Places sit below people in the layers, so their permissions are registered here.
# Coordinators register places for their branch's sites; organisers fix any.
admin_for_organisers("locations", ["branch", "location", "geocodecacheentry", "geocoderthrottle"])
rules.add_perm("locations.manage_location", is_organiser | is_coordinator)
# (object: a location) See its address and position, change it: organisers, and the
# coordinators of the branch that looks after it. A place no branch looks after is the
# national office's.
rules.add_perm("locations.edit_location", is_organiser | looks_after_location)
rules.add_perm("locations.override_position_outside_nl", is_organiser)
