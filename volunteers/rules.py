"""The rule-book: who may do what. Pages, API, admin and feeds ask `user.has_perm(...)`.

`rules.apps.AutodiscoverRulesConfig` imports this module at start-up. Object rules take
the object named in the comment. Asked without an object, a rule that depends on the
object's branch answers no (a view that forgets the object is refused, not let through);
menus ask the role rules instead (`volunteers.coordinate`, `events.view_dashboard`).
The matrix of roles and actions is in the README and tested cell by cell in
tests/volunteers/test_permission_matrix.py.
"""

import rules

from .roles import (
    has_confirmed_shift_at_site_today,
    has_verified_email,
    is_branch_coordinator,
    is_coordinator,
    is_organiser,
    is_signed_in,
    is_signup_owner,
)

# --- The admin: organisers manage every model ---------------------------------------------

_MANAGED_MODELS = {
    "locations": ["branch", "location", "geocodecacheentry", "geocoderthrottle"],
    "events": ["event", "shifttemplate", "site", "sitestatuschange", "shift", "tallyentry"],
    "volunteers": ["volunteer", "signup", "remindersent", "staffingappeal"],
    "accounts": ["user"],
}
for _app, _models in _MANAGED_MODELS.items():
    for _model in _models:
        for _action in ("view", "add", "change", "delete"):
            rules.add_perm(f"{_app}.{_action}_{_model}", is_organiser)
    # The admin shows an app to whoever passes its module rule.
    rules.add_perm(_app, is_organiser)

# --- Actions on the app's own pages and API -------------------------------------------------

# Locations: coordinators register places for their branch's sites; organisers fix any.
rules.add_perm("locations.manage_location", is_organiser | is_coordinator)
rules.add_perm("locations.override_position_outside_nl", is_organiser)

# Sites (object: a site, or a branch when registering a new one).
rules.add_perm("events.manage_site", is_organiser | is_branch_coordinator)
rules.add_perm("events.review_site", is_organiser)
rules.add_perm("events.manage_event", is_organiser)

# Shifts (object: a site when planning new ones, or the shift itself).
rules.add_perm("events.manage_shift", is_organiser | is_branch_coordinator)
rules.add_perm("events.view_roster", is_organiser | is_branch_coordinator)

# Tallies (object: a site).
rules.add_perm(
    "events.record_tally",
    is_organiser | is_branch_coordinator | has_confirmed_shift_at_site_today,
)
rules.add_perm("events.correct_tally", is_organiser | is_branch_coordinator)
rules.add_perm(
    "events.view_tallies", is_organiser | is_branch_coordinator | has_confirmed_shift_at_site_today
)
rules.add_perm("events.view_dashboard", is_organiser | is_coordinator)

# Volunteers (object: a shift). The claiming service checks the same rule itself.
rules.add_perm("volunteers.claim_shift", has_verified_email)
# (object: a sign-up) Only its volunteer releases it; the deadline is the service's.
rules.add_perm("volunteers.release_signup", is_signup_owner)
# A person's own profile, data download and account deletion.
rules.add_perm("volunteers.manage_own_profile", is_signed_in)
# The coordinator pages (shift planning, rosters, understaffed shifts) are open to these;
# each site on them is then checked with events.manage_shift / events.view_roster.
rules.add_perm("volunteers.coordinate", is_organiser | is_coordinator)

# --- Running an edition (issue 8) ------------------------------------------------------------

# Registering sites at all (no object); for one branch ask `events.manage_site` with the branch.
rules.add_perm("events.register_site", is_organiser | is_coordinator)
# The staffing overview of an edition: organisers see every branch, coordinators their own.
rules.add_perm("events.view_staffing", is_organiser | is_coordinator)
# Mailing a branch's volunteers about a site short of help (object: the site).
rules.add_perm("volunteers.appeal_for_site", is_organiser | is_branch_coordinator)
