"""The day itself: a site's live state (open, busy, needs help, closed early), set by its
lead from their phone, or by its coordinators and the organisers. The control room
(`tallies.views.today`) shows the latest.

Who may set it is the rule `events.set_site_state` (`events.rules`); this module adds
what holds for everyone: only on the site's day, and only at an approved site of a
published edition that is not cancelled.
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_organiser
from common import clock
from common.errors import InvalidInput

from ..errors import SiteStateNotAllowed, SiteStateNotToday, SiteStateSiteNotLive
from ..models import Site, SiteState
from ..roles import is_branch_coordinator, leads_site_at, site_days

NOTE_MAX_LENGTH = SiteState._meta.get_field("note").max_length


def may_set_site_state(user, site: Site, now: datetime.datetime | None = None) -> bool:
    """`events.set_site_state` at `now` (default: the clock's): the site's branch's
    coordinators, organisers, and a site lead while their shift is on."""
    return (
        is_organiser(user)
        or is_branch_coordinator(user, site)
        or leads_site_at(user, site, now or clock.now())
    )


def site_state_check(*, site: Site, by, now: datetime.datetime | None = None) -> None:
    """Raise the `SiteStateError` that refuses `by` setting `site`'s state at `now`; return
    when they may. The site first (cancelled, not approved, not its day: true for anyone),
    then the person."""
    now = now or clock.now()
    if site.is_cancelled or not site.is_public:
        status = site.get_status_display() if site.is_cancelled else _not_public(site)
        raise SiteStateSiteNotLive(status=status)
    first_day, last_day = site_days(site)
    today = now.astimezone(clock.local_zone()).date()
    if not first_day <= today <= last_day:
        raise SiteStateNotToday(date=date_format(first_day, "l j F Y"))
    if not may_set_site_state(by, site, now):
        raise SiteStateNotAllowed


def _not_public(site: Site) -> str:
    if site.is_approved:
        # Approved, but the edition is not published yet.
        return gettext("not public yet")
    return site.get_status_display()


def site_state_set(
    *, site: Site, state: str, note: str = "", by, now: datetime.datetime | None = None
) -> SiteState:
    """Record `site`'s live state as `by` sets it (a new row; the latest is the state).
    "We need help" is `SiteState.State.NEEDS_HELP`, with an optional `note` saying what
    is needed. Raises `InvalidInput` for an unknown state or a note that is too long,
    and a `SiteStateError` when `site_state_check` refuses."""
    now = now or clock.now()
    if state not in SiteState.State.values:
        raise InvalidInput(_("Choose one of the states."), field="state")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            _("Keep the note under %(limit)s characters."), field="note", limit=NOTE_MAX_LENGTH
        )
    site_state_check(site=site, by=by, now=now)
    return SiteState.objects.create(site=site, state=state, note=note, set_by=by, set_at=now)


def latest_site_state(site: Site) -> SiteState | None:
    """The site's current state: its latest row, or None before anyone set one."""
    return site.states.select_related("set_by").order_by("-set_at", "-id").first()
