"""The links the volunteer's side adds to a site's pages (see `events.extensions`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from common import clock
from events.extensions import Link
from events.roles import site_days
from events.services.editions import edition_is_closed


def help_here(*, user, site) -> list[Link]:
    """On the public page, while the site has not closed: its open shifts, to claim one."""
    if site.closes_at <= clock.now():
        return []
    url = reverse("volunteers:shift_list") + f"?site={site.pk}"
    return [Link(_("Help here: claim a shift"), url)]


def ask_for_help(*, user, site) -> list[Link]:
    """On the management page of a public site that is still to come: mail the branch's
    volunteers about its open places."""
    if not (
        user.has_perm("volunteers.appeal_for_site", site)
        and site.is_public
        and not edition_is_closed(site.event)
    ):
        return []
    return [Link(_("Ask volunteers for help"), reverse("volunteers:site_appeal", args=[site.pk]))]


def helpers_without_email(*, user, site) -> list[Link]:
    """On the roster and the management page of a site that is not cancelled: add helpers
    without an e-mail address, and the site's invitation link."""
    if not user.has_perm("volunteers.manage_helpers", site) or site.is_cancelled:
        return []
    return [
        Link(
            _("Helpers without an e-mail address"),
            reverse("volunteers:site_helpers", args=[site.pk]),
        ),
        Link(_("Invitation link and QR code"), reverse("volunteers:invitation", args=[site.pk])),
    ]


def check_in_code(*, user, site) -> list[Link]:
    """On the roster and the management page of a public site, until its last day has
    passed: the check-in code of the day (a QR code to show or print)."""
    if not (
        user.has_perm("events.take_attendance", site)
        and site.is_public
        and site_days(site)[1] >= clock.today()
    ):
        return []
    return [Link(_("Check-in code (QR)"), reverse("volunteers:check_in_code", args=[site.pk]))]
