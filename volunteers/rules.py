"""Who may do what on the volunteer's side. The whole table is in the README ("Who may do
what")."""

import rules

from accounts.roles import is_organiser
from accounts.rules import admin_for_organisers
from events.roles import is_branch_coordinator

admin_for_organisers("volunteers", ["remindersent", "staffingappeal"])

# Mailing a branch's volunteers about a site short of help (object: the site).
rules.add_perm("volunteers.appeal_for_site", is_organiser | is_branch_coordinator)
