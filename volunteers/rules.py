"""Who may do what on the volunteer's side. The whole table is in the README ("Who may do
what")."""

import rules

from accounts.roles import is_organiser
from accounts.rules import admin_for_organisers
from events.roles import is_branch_coordinator

admin_for_organisers(
    "volunteers",
    [
        "remindersent",
        "staffingappeal",
        "siteinvitation",
        "helperorigin",
        "message",
        "messagerecipient",
    ],
)

# Mailing a branch's volunteers about a site short of help (object: the site).
rules.add_perm("volunteers.appeal_for_site", is_organiser | is_branch_coordinator)

# Writing to the volunteers of a shift, a site or a branch's sites (object: the shift, site
# or branch); of a whole edition (object: the edition) organisers only, as a coordinator
# coordinates no edition (`volunteers.messages`).
rules.add_perm("volunteers.write_to_volunteers", is_organiser | is_branch_coordinator)
# (object: a site) Helpers without a log-in: add one to a shift, see their personal links,
# make, show and revoke the site's invitation link.
rules.add_perm("volunteers.manage_helpers", is_organiser | is_branch_coordinator)
