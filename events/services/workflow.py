"""A site's way through review: draft → submitted → published, back to draft, or
cancelled from any of these.

Every change is recorded in `SiteStatusChange` (who, when, comment). Each service locks
the site row and checks its status inside the lock, so two organisers approving at once
publish the site once and the second gets `SiteWrongStatus`. A site of an edition whose
day has passed changes no more (`EditionClosed`). The branch's coordinators, and for a
cancellation the volunteers who had a place, are mailed after the change commits.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from common import clock
from common.errors import DomainError

from .. import locking, notifications
from ..errors import CommentRequired, HostConsentMissing, SiteIncomplete, SiteWrongStatus
from ..hosts import has_host_consent, needs_host_consent, with_host_consent
from ..models import Shift, Signup, Site, SiteStatusChange
from .editions import refuse_closed_edition

log = logging.getLogger(__name__)


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
# At an azc: the host organisation named and their consent recorded (`events.hosts`).
HOST_CONSENT = Requirement("host_consent", _("the host and their consent (at an azc)"))


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
    return with_host_consent(
        sites.select_related("location").annotate(
            usable_shift_count=Coalesce(Subquery(usable, output_field=IntegerField()), 0)
        )
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
    if needs_host_consent(site) and not has_host_consent(site):
        missing.append(HOST_CONSENT)
    return missing


def _check_complete(site: Site) -> None:
    """Refuse a site that lacks something: `HostConsentMissing` when the host's consent is
    all it lacks (its own code: the branch has to ask the host, not fix the site),
    `SiteIncomplete` naming everything otherwise."""
    missing = site_missing(site)
    if missing == [HOST_CONSENT]:
        raise HostConsentMissing()
    if missing:
        raise SiteIncomplete(missing)


# --- Transitions -------------------------------------------------------------------------------


def _lock(site: Site) -> Site:
    return locking.lock_site(site.pk, related=("event", "location", "branch"))


def _record(site: Site, *, from_status: str, by, comment: str = "") -> SiteStatusChange:
    return SiteStatusChange.objects.create(
        site=site, from_status=from_status, to_status=site.status, changed_by=by, comment=comment
    )


@transaction.atomic
def site_submit(*, site: Site, by) -> Site:
    """Hand a complete draft to the national office for review."""
    locked = _lock(site)
    if locked.status != Site.Status.DRAFT:
        raise wrong_status(locked, _("Only a draft can be submitted; this site is %(status)s."))
    refuse_closed_edition(locked.event)
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
    refuse_closed_edition(locked.event)
    _check_complete(locked)
    locked.status = Site.Status.PUBLISHED
    locked.review_comment = ""
    locked.save(update_fields=["status", "review_comment", "updated_at"])
    _record(locked, from_status=Site.Status.SUBMITTED, by=by)
    notifications.mail_coordinators(locked, kind="published")
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
    notifications.mail_coordinators(locked, kind="sent_back", comment=comment)
    return locked


@dataclass(frozen=True)
class CancellationResult:
    site: Site
    signups_freed: int
    volunteers_told: int


@transaction.atomic
def site_cancel(*, site: Site, by, comment: str = "") -> CancellationResult:
    """Cancel `site` in any status but cancelled, before its edition's day has passed.

    The site and its shifts stay, marked cancelled, with a higher calendar `sequence`, so
    subscribed calendars show them as cancelled (`STATUS:CANCELLED`) instead of silently
    dropping them; the location is free for a new registration. Every active sign-up
    (confirmed or waitlisted) on its shifts is cancelled. After the commit each affected
    volunteer gets one e-mail listing their shifts there, and the branch's coordinators
    are told. Raises `SiteWrongStatus` when already cancelled, `EditionClosed` after the
    day.
    """
    comment = (comment or "").strip()
    # The global lock order: the site, then its shifts, then their sign-ups. Claims lock
    # the volunteer and then the shift, so they queue behind this and then find the
    # shift cancelled.
    locked = _lock(site)
    if locked.is_cancelled:
        raise wrong_status(locked, _("This site has already been cancelled."))
    refuse_closed_edition(locked.event)
    shift_ids = locking.lock_shifts_of_sites([locked.pk])
    signups = locking.lock_active_signups(shift_ids)
    now = clock.now()
    Signup.objects.filter(pk__in=[s.pk for s in signups]).update(
        status=Signup.Status.CANCELLED, cancelled_at=now, updated_at=now
    )
    SiteStatusChange.objects.create(
        site=locked,
        from_status=locked.status,
        to_status=Site.Status.CANCELLED,
        changed_by=by,
        comment=comment,
    )
    locked.status = Site.Status.CANCELLED
    locked.sequence += 1
    locked.save()
    # `update()` skips auto_now: set updated_at too, so the feeds' DTSTAMP moves with it.
    Shift.objects.filter(pk__in=shift_ids).update(
        sequence=F("sequence") + 1,
        is_cancelled=True,
        updated_at=now,
        # Their active sign-ups were cancelled above: they hold no places.
        confirmed_count=0,
    )

    per_volunteer: dict[int, list[Signup]] = defaultdict(list)
    for signup in signups:
        per_volunteer[signup.volunteer_id].append(signup)
    notifications.mail_site_cancelled(locked, per_volunteer.values(), comment=comment)
    notifications.mail_coordinators(locked, kind="cancelled", comment=comment)
    log.info(
        "site %s cancelled by %s: %d sign-ups freed",
        locked.pk,
        getattr(by, "pk", None),
        len(signups),
    )
    return CancellationResult(
        site=locked, signups_freed=len(signups), volunteers_told=len(per_volunteer)
    )


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
