"""Who may count, correct and see the counts (object: a site). The whole table is in the
README ("Who may do what")."""

import rules

from accounts.roles import is_coordinator, is_organiser
from accounts.rules import admin_for_organisers
from events.roles import has_confirmed_shift_at_site_today, is_branch_coordinator

admin_for_organisers("tallies", ["tallyentry"])

rules.add_perm(
    "tallies.record_tally",
    is_organiser | is_branch_coordinator | has_confirmed_shift_at_site_today,
)
rules.add_perm(
    "tallies.view_tallies",
    is_organiser | is_branch_coordinator | has_confirmed_shift_at_site_today,
)
rules.add_perm("tallies.correct_tally", is_organiser | is_branch_coordinator)
rules.add_perm("tallies.view_dashboard", is_organiser | is_coordinator)
