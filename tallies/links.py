"""The links counting adds to a site's public page (see `events.extensions`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from events.extensions import Link

from .categories import categories_of
from .public_results import results_are_public


def counting_links(*, user, site) -> list[Link]:
    """ "Count visitors" for those who may count at the site, and the audit trail for those
    who may correct its counts. The counts themselves reach the public page only once
    counting has closed (`tallies.results`)."""
    if not user.is_authenticated:
        return []
    links = []
    if user.has_perm("tallies.record_tally", site):
        links.append(Link(_("Count visitors"), reverse("tallies:site_counter", args=[site.pk])))
    if user.has_perm("tallies.correct_tally", site):
        links.append(
            Link(
                _("Corrections and audit trail"),
                reverse("tallies:site_tally_audit", args=[site.pk]),
            )
        )
    return links


def day_counting_links(*, user, site) -> list[Link]:
    """The big button on "My shifts" on the site's day, for those who may count there,
    worded for the kind of action day."""
    if not (user.is_authenticated and user.has_perm("tallies.record_tally", site)):
        return []
    names = [category.name for category in categories_of(site.event.kind_id)]
    label = _("Count: %(categories)s") % {"categories": ", ".join(names)}
    return [Link(label, reverse("tallies:site_counter", args=[site.pk]))]


def results_links(*, user, event) -> list[Link]:
    """The edition's public results, on its public page, once organisers publish them."""
    if not results_are_public(event):
        return []
    return [Link(_("Results"), reverse("tallies:public_results", args=[event.slug]))]


def results_management_links(*, user, event) -> list[Link]:
    """The public results, beside the dashboard on the edition's management page, once
    they are public (they are published and unpublished on the dashboard)."""
    if not user.has_perm("tallies.view_dashboard") or not results_are_public(event):
        return []
    return [Link(_("Public results"), reverse("tallies:public_results", args=[event.slug]))]
