"""A site's invitation to help without an account: a short link (`/j/<token>/`) and its
QR code, which the site's coordinators show on a phone or print and hang up at the azc.

- An invitation works until it expires (by default at the end of the site's last day,
  Europe/Amsterdam; a coordinator may choose an earlier day) or is revoked.
- A site has at most one invitation that is not revoked (a database constraint).
  Making a new one, "renewing", revokes the one before in the same transaction, under
  the site's lock: a link passed around too widely is replaced, and its printed QR codes
  stop working at once.
- The token is 72 random bits from `secrets` (12 characters): short enough to type from
  a poster, far too many to guess, and guessing is limited anyway (`join_limits`).

Who may make or revoke one is `volunteers.manage_helpers` (the site's coordinators and
organisers); joining through one is `helpers.helper_join`.
"""

import datetime
import re
import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common import clock
from common.errors import DomainError, InvalidInput
from events import locking
from events.models import Site
from events.roles import site_days
from events.services.editions import refuse_closed_edition

from .models import SiteInvitation

TOKEN_BYTES = 9
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,32}")


class InvitationError(DomainError):
    code = "invitation"


class InvitationNotPossible(InvitationError):
    code = "invitation_not_possible"
    default_message = _("This site has been cancelled: nobody can sign up for it any more.")


class InvitationClosed(InvitationError):
    """The invitation expired or was revoked: it lets nobody sign up any more."""

    code = "invitation_closed"
    status_code = 410
    default_message = _(
        "This invitation link no longer works: it has expired or was withdrawn. Ask the "
        "coordinator of the site for a new one."
    )


def new_invitation_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def last_day_of(site: Site) -> datetime.date:
    return site_days(site)[1]


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight after `day`, Europe/Amsterdam."""
    return clock.at_local(day + datetime.timedelta(days=1), datetime.time(0, 0))


def invitation_current(site: Site) -> SiteInvitation | None:
    """The site's invitation that is not revoked (it may have expired), or None."""
    return SiteInvitation.objects.filter(site=site, revoked_at__isnull=True).first()


def invitation_by_token(token: str) -> SiteInvitation | None:
    """The invitation with this token, revoked or expired or not, with its site and
    edition; None for anything else (one query at most)."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return (
        SiteInvitation.objects.select_related("site__event", "site__location", "site__branch")
        .filter(token=token)
        .first()
    )


def invitation_create(*, site: Site, by, last_day: datetime.date | None = None) -> SiteInvitation:
    """A new invitation for `site`, valid until the end of `last_day` (default: the
    site's last day, which is also the latest); the site's invitation before it, if any,
    is revoked. Refused for a cancelled site and a closed edition."""
    today = clock.today()
    site_last_day = last_day_of(site)
    last_day = last_day or site_last_day
    if last_day < today or last_day > site_last_day:
        raise InvalidInput(
            _("Choose a day from today until the site's last day (%(day)s).")
            % {"day": site_last_day.isoformat()},
            field="last_day",
        )
    with transaction.atomic():
        locked = locking.lock_site(site.pk)
        if locked.is_cancelled:
            raise InvitationNotPossible()
        refuse_closed_edition(locked.event)
        now = clock.now()
        SiteInvitation.objects.filter(site=locked, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        return SiteInvitation.objects.create(
            site=locked,
            token=new_invitation_token(),
            expires_at=end_of_day(last_day),
            created_by=by,
            created_at=now,
        )


def invitation_revoke(*, site: Site, by) -> int:
    """Revoke the site's invitation: its link and QR codes stop working at once. Returns
    how many were revoked (0 when there was none)."""
    with transaction.atomic():
        locking.lock_site(site.pk)
        return SiteInvitation.objects.filter(site=site, revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_by=by
        )


def refuse_closed(invitation: SiteInvitation, now: datetime.datetime | None = None) -> None:
    """`InvitationClosed` unless the invitation works now."""
    if not invitation.is_live(now or clock.now()):
        raise InvitationClosed()
