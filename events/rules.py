"""Who may do what with editions, sites, shifts and sign-ups. Pages, API, admin and feeds
ask `user.has_perm(action, object)`; the whole table is in the README ("Who may do what")
and tested cell by cell in tests/events/test_permission_matrix.py. Object rules take the
object named in the comment; menus ask the role rules (`events.coordinate`)."""

import rules

from accounts.roles import has_verified_email, is_coordinator, is_organiser
from accounts.rules import admin_for_organisers

from .roles import (
    has_place_at_site,
    is_appointed_site_lead,
    is_branch_coordinator,
    is_signup_owner,
    is_site_lead_now,
)

admin_for_organisers(
    "events",
    [
        "actionkind",
        "event",
        "shifttemplate",
        "site",
        "sitestatuschange",
        "shift",
        "signup",
        "addressdisclosure",
        "attendance",
        "checkincode",
        "sitestate",
        "sitehost",
    ],
)

# Editions.
rules.add_perm("events.manage_event", is_organiser)

# Sites (object: a site, or a branch when registering a new one).
rules.add_perm("events.manage_site", is_organiser | is_branch_coordinator)
rules.add_perm("events.review_site", is_organiser)
# Registering sites at all (no object); for one branch ask `events.manage_site` with it.
rules.add_perm("events.register_site", is_organiser | is_coordinator)
# The staffing overview of an edition: organisers see every branch, coordinators their own.
rules.add_perm("events.view_staffing", is_organiser | is_coordinator)

# The host of a site (object: a site; `events.hosts`). Its coordinators and organisers
# record it (`events.manage_site`). The contact person's name, phone and e-mail address are
# a third party's: the site's coordinators, organisers and its appointed lead see them.
# The host's name and conditions (no photos, visitor limit, ID) go to its volunteers too.
rules.add_perm(
    "events.view_host_contact", is_organiser | is_branch_coordinator | is_appointed_site_lead
)
rules.add_perm(
    "events.view_host_conditions",
    is_organiser | is_branch_coordinator | is_appointed_site_lead | has_place_at_site,
)

# Shifts (object: a site when planning new ones, or the shift itself).
rules.add_perm("events.manage_shift", is_organiser | is_branch_coordinator)
rules.add_perm("events.view_roster", is_organiser | is_branch_coordinator)
# (object: a site) Share the exact address of a site shown approximately with a volunteer.
rules.add_perm("events.share_address", is_organiser | is_branch_coordinator)
# The coordinator pages (shift planning, rosters, understaffed shifts) are open to these;
# each site on them is then checked with events.manage_shift / events.view_roster.
rules.add_perm("events.coordinate", is_organiser | is_coordinator)

# (object: a site or shift) Check people in and out by hand, mark who did not come, add
# walk-in helpers, show the site's check-in code; see `events.services.attendance`.
rules.add_perm("events.take_attendance", is_organiser | is_branch_coordinator)

# (object: a site) Set the site's live state on the day (open, busy, needs help, closed
# early); the day and the site's status are the service's (`events.services.day`).
rules.add_perm("events.set_site_state", is_organiser | is_branch_coordinator | is_site_lead_now)

# Sign-ups (object: a shift). The claiming service checks the same rule itself.
rules.add_perm("events.claim_shift", has_verified_email)
# (object: a sign-up) Only its volunteer releases it; the deadline is the service's.
rules.add_perm("events.release_signup", is_signup_owner)
