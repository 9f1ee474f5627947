"""A site's way through review: draft → submitted → published, or back to draft.

Every change is recorded in `SiteStatusChange` (who, when, comment). Each service locks
the site row and checks its status inside the lock, so two organisers approving at once
publish the site once and the second gets `SiteWrongStatus`. The branch's coordinators
are mailed after the change commits. Cancelling lives in `volunteers.cancellation`,
because it frees volunteers' shifts.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, InvalidInput
from common.mail import send_each

from .editions import edition_closed_error, edition_is_closed
from .models import Shift, Site, SiteStatusChange

log = logging.getLogger(__name__)

# --- Errors ------------------------------------------------------------------------------------


class SiteStatusError(DomainError):
    code = "site_status"


class SiteWrongStatus(SiteStatusError):
    code = "site_wrong_status"
    default_message = _("This site is %(status)s; that is not possible now.")


class SiteIncomplete(SiteStatusError):
    code = "site_incomplete"
    default_message = _("This site is not complete yet. Missing: %(missing)s.")

    def __init__(self, missing: list["Requirement"]) -> None:
        self.missing = missing
        super().__init__(missing=", ".join(str(req.label) for req in missing))


class CommentRequired(InvalidInput):
    code = "comment_required"
    default_message = _("Say what the branch should change before sending the site back.")


def wrong_status(site: Site, message) -> SiteWrongStatus:
    return SiteWrongStatus(message, status=site.get_status_display())


# --- Completeness ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str


POSITION = Requirement("position", _("a position on the map"))
SHIFTS = Requirement("shifts", _("at least one shift with places"))
DESCRIPTION = Requirement("description", _("a public description"))
REQUIREMENTS = (POSITION, SHIFTS, DESCRIPTION)


def with_completeness(sites):
    """Annotate what `site_missing` needs, so a list of sites costs no extra queries.

    A subquery, not a `Count` over the join: a caller that annotates over another
    relation too (the review queue's submission time, over the status history) would
    otherwise multiply the count by the number of history rows."""
    usable = (
        Shift.objects.filter(site=OuterRef("pk"), is_cancelled=False, capacity__gt=0)
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return sites.select_related("location").annotate(
        usable_shift_count=Coalesce(Subquery(usable, output_field=IntegerField()), 0)
    )


def site_missing(site: Site) -> list[Requirement]:
    """What a site lacks before it can be submitted or published (empty when complete)."""
    missing = []
    if not site.location.has_position:
        missing.append(POSITION)
    usable = getattr(site, "usable_shift_count", None)
    if usable is None:
        usable = site.shifts.filter(is_cancelled=False, capacity__gt=0).count()
    if not usable:
        missing.append(SHIFTS)
    if not site.public_description.strip():
        missing.append(DESCRIPTION)
    return missing


# --- Transitions -------------------------------------------------------------------------------


def _lock(site: Site) -> Site:
    return (
        Site.objects.select_for_update(of=("self",))
        .select_related("event", "location", "branch")
        .get(pk=site.pk)
    )


def _record(site: Site, *, from_status: str, by, comment: str = "") -> SiteStatusChange:
    return SiteStatusChange.objects.create(
        site=site, from_status=from_status, to_status=site.status, changed_by=by, comment=comment
    )


def _check_complete(site: Site) -> None:
    missing = site_missing(site)
    if missing:
        raise SiteIncomplete(missing)


@transaction.atomic
def site_submit(*, site: Site, by) -> Site:
    """Hand a complete draft to the national office for review."""
    locked = _lock(site)
    if locked.status != Site.Status.DRAFT:
        raise wrong_status(locked, _("Only a draft can be submitted; this site is %(status)s."))
    if edition_is_closed(locked.event):
        raise edition_closed_error(locked.event)
    _check_complete(locked)
    locked.status = Site.Status.SUBMITTED
    locked.save(update_fields=["status", "updated_at"])
    _record(locked, from_status=Site.Status.DRAFT, by=by)
    return locked


@transaction.atomic
def site_publish(*, site: Site, by) -> Site:
    """Approve a submitted site: it appears on the map, in the feeds and the API (once its
    edition is published). The branch's coordinators are told."""
    locked = _lock(site)
    if locked.status != Site.Status.SUBMITTED:
        raise wrong_status(
            locked, _("Only a submitted site can be approved; this site is %(status)s.")
        )
    if edition_is_closed(locked.event):
        raise edition_closed_error(locked.event)
    _check_complete(locked)
    locked.status = Site.Status.PUBLISHED
    locked.review_comment = ""
    locked.save(update_fields=["status", "review_comment", "updated_at"])
    _record(locked, from_status=Site.Status.SUBMITTED, by=by)
    notify_coordinators(locked, kind="published")
    return locked


@transaction.atomic
def site_send_back(*, site: Site, by, comment: str) -> Site:
    """Return a submitted site to its branch as a draft, saying what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise CommentRequired()
    locked = _lock(site)
    if locked.status != Site.Status.SUBMITTED:
        raise wrong_status(
            locked, _("Only a submitted site can be sent back; this site is %(status)s.")
        )
    locked.status = Site.Status.DRAFT
    locked.review_comment = comment
    locked.save(update_fields=["status", "review_comment", "updated_at"])
    _record(locked, from_status=Site.Status.SUBMITTED, by=by, comment=comment)
    notify_coordinators(locked, kind="sent_back", comment=comment)
    return locked


@dataclass(frozen=True)
class BulkOutcome:
    site: Site
    error: DomainError | None

    @property
    def published(self) -> bool:
        return self.error is None


def sites_publish_bulk(*, sites: Iterable[Site], by) -> list[BulkOutcome]:
    """Approve several sites; each is checked and published on its own, so one that
    fails (incomplete, no longer submitted, closed edition) does not hold up the rest."""
    outcomes = []
    for site in sites:
        try:
            published = site_publish(site=site, by=by)
        except DomainError as error:
            outcomes.append(BulkOutcome(site=site, error=error))
        else:
            outcomes.append(BulkOutcome(site=published, error=None))
    return outcomes


# --- Mail to the branch ------------------------------------------------------------------------


def coordinator_addresses(site: Site) -> list[str]:
    """The active coordinators of the site's branch; the branch's own address if none."""
    addresses = sorted(
        site.branch.coordinators.filter(is_active=True).values_list("email", flat=True)
    )
    if not addresses and site.branch.email:
        addresses = [site.branch.email]
    return addresses


def notify_coordinators(site: Site, *, kind: str, comment: str = "") -> None:
    """Mail the branch's coordinators about `site` once the transaction commits.

    `kind` names the templates `events/mail/site_<kind>_subject.txt` and `_body.txt`.
    Mail goes out in the default language (Dutch), one message per coordinator.
    """
    recipients = coordinator_addresses(site)
    if not recipients:
        return
    context = {
        "site": site,
        "event": site.event,
        "comment": comment,
        "manage_url": settings.SITE_URL + reverse("events:site_manage", args=[site.pk]),
        "public_url": settings.SITE_URL + site.get_absolute_url(),
    }

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"events/mail/site_{kind}_subject.txt", context)
            body = render_to_string(f"events/mail/site_{kind}_body.txt", context)
        subject = " ".join(subject.split())
        messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
        sent = send_each(messages, what=f"site {site.pk} {kind}")
        log.info("mailed %d coordinator(s) of site %s: %s", sent, site.pk, kind)

    transaction.on_commit(send, robust=True)
