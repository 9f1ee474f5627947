"""Who may count, correct and see the counts (object: a site). The whole table is in the
README ("Who may do what").

Volunteers count only at public sites (approved, of a published edition) where they have
a confirmed shift on the site's day; they may send that day's taps on later days (a
phone that was offline), until counting closes (the tally service refuses them then),
but see the site's figures on its day only. Organisers and the branch's coordinators
count and see the figures any day: the service refuses taps at a site that is not
approved, for them too. The branch's coordinators correct until counting closes
(`TALLY_CLOSES_AFTER_DAYS` after the site's day); after that the figures are final for
the branch, and only organisers correct them.
"""

import rules

from accounts.roles import is_coordinator, is_organiser
from accounts.rules import admin_for_organisers
from events.models import Site
from events.roles import has_confirmed_shift_at_site, is_branch_coordinator, is_site_day

from .selectors import counting_is_open, known_about_viewer

admin_for_organisers(
    "tallies",
    [
        "category",
        "tallyentry",
        "tallyrefusal",
        "tallyhour",
        "tallyminutecount",
        "resultspublication",
    ],
)


@rules.predicate
def is_public_or_cancelled(user, site) -> bool:
    """The site is public, or was cancelled in a published edition: a volunteer's phone
    then hears why it cannot send (409 `site_cancelled`) rather than that there is no
    such site."""
    if not isinstance(site, Site):
        return False
    return site.is_public or (site.is_cancelled and site.event.is_published)


@rules.predicate
def is_counting_open(user, site) -> bool:
    return isinstance(site, Site) and counting_is_open(site)


# `is_branch_coordinator` and `has_confirmed_shift_at_site(_today)`, answered from the
# site's own row when it was loaded by `selectors.site_for_counting` for this person (no
# query), and by the predicates of `events.roles` otherwise.


@rules.predicate
def coordinates_site(user, site) -> bool:
    known = known_about_viewer(user, site, "coordinates")
    return is_branch_coordinator.test(user, site) if known is None else known


@rules.predicate
def has_shift_at_site(user, site) -> bool:
    known = known_about_viewer(user, site, "has_shift")
    return has_confirmed_shift_at_site.test(user, site) if known is None else known


# `events.roles.has_confirmed_shift_at_site_today`, with the shift answered as above.
has_shift_at_site_today = is_site_day & has_shift_at_site


rules.add_perm(
    "tallies.record_tally",
    is_organiser | coordinates_site | (is_public_or_cancelled & has_shift_at_site),
)
rules.add_perm(
    "tallies.view_tallies",
    is_organiser | coordinates_site | (is_public_or_cancelled & has_shift_at_site_today),
)
rules.add_perm("tallies.correct_tally", is_organiser | (coordinates_site & is_counting_open))
rules.add_perm("tallies.view_dashboard", is_organiser | is_coordinator)

# Recording a past edition from a spreadsheet (`tallies.history_import`).
rules.add_perm("tallies.import_history", is_organiser)

# Publishing an edition's results (`/results/<slug>/`) is the national organisers' choice.
rules.add_perm("tallies.publish_results", is_organiser)
