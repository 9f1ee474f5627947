"""Who may do what on the volunteer's side. The whole table is in the README ("Who may do
what")."""

import rules

from accounts.roles import is_organiser
from accounts.rules import admin_for_organisers
from events.roles import is_branch_coordinator

admin_for_organisers(
    "volunteers", ["remindersent", "staffingappeal", "siteinvitation", "helperorigin"]
)

# Mailing a branch's volunteers about a site short of help (object: the site).
rules.add_perm("volunteers.appeal_for_site", is_organiser | is_branch_coordinator)
# (object: a site) Helpers without a log-in: add one to a shift, see their personal links,
# make, show and revoke the site's invitation link.
rules.add_perm("volunteers.manage_helpers", is_organiser | is_branch_coordinator)
