"""Personal calendar feeds behind secret tokens, and resetting those tokens.

- The volunteer feed (`/calendar/volunteer/{token}.ics`): the volunteer's confirmed shifts,
  and shifts they held and then lost (released, cancelled, moved back to the waitlist, or
  the shift or site cancelled) as `STATUS:CANCELLED`, so subscribed calendars drop them.
- The coordinator feed (`/calendar/branch/{token}.ics`): the sites of the branches a user
  coordinates, in any status, and their shifts with how many places are filled. No names.

A token is 256 bits from `secrets` (see `tokens.py`); it opens its feed and nothing else.
An unknown or reset token is not found, exactly like one that never existed.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Volunteer
from accounts.tokens import new_calendar_token
from events import calendar
from events.disclosures import disclosures_record
from events.feeds import cancelled_summary, site_hours_vevent
from events.models import AddressDisclosure, Shift, Signup, Site
from events.selectors import shifts_with_counts

VOLUNTEER_FEED = "volunteer"
COORDINATOR_FEED = "coordinator"
TOKEN_FIELDS = {
    VOLUNTEER_FEED: "calendar_token",
    COORDINATOR_FEED: "coordinator_calendar_token",
}
# What `secrets.token_urlsafe` makes; anything else cannot be a token.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
MY_SHIFTS_PATH = calendar.MY_SHIFTS_PATH


# --- Tokens and URLs -----------------------------------------------------------------------


def calendar_url_for(volunteer: Volunteer, *, language: str | None = None) -> str:
    """The absolute URL of the volunteer's personal feed (settings.SITE_URL)."""
    path = reverse("calendar:volunteer_feed", kwargs={"token": volunteer.calendar_token})
    return calendar.with_language(calendar.absolute_url(path), language)


def coordinator_calendar_url_for(volunteer: Volunteer, *, language: str | None = None) -> str:
    """The absolute URL of the feed of the branches the volunteer's user coordinates."""
    path = reverse(
        "calendar:coordinator_feed", kwargs={"token": volunteer.coordinator_calendar_token}
    )
    return calendar.with_language(calendar.absolute_url(path), language)


@transaction.atomic
def calendar_token_reset(*, volunteer: Volunteer, feed: str) -> Volunteer:
    """Give one of the volunteer's feeds a new secret URL. The old URL answers 404 from
    now on, like any unknown one; calendars subscribed to it must subscribe again.

    `feed` is `VOLUNTEER_FEED` or `COORDINATOR_FEED`; anything else is a `ValueError`.
    """
    if feed not in TOKEN_FIELDS:
        raise ValueError(f"Unknown feed {feed!r}")
    token_field = TOKEN_FIELDS[feed]
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    setattr(volunteer, token_field, new_calendar_token())
    volunteer.save(update_fields=[token_field, "updated_at"])
    return volunteer


def volunteer_by_token(token: str, *, feed: str) -> Volunteer | None:
    """The volunteer whose `feed` token is `token`, if their account is active; else None.

    One query. Callers answer None with the same 404 whatever the reason."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return (
        Volunteer.objects.select_related("user")
        .filter(
            **{TOKEN_FIELDS[feed]: token},
            user__is_active=True,
            anonymised_at__isnull=True,
        )
        .first()
    )


# --- The volunteer's feed ------------------------------------------------------------------


@dataclass
class _Held:
    """What one volunteer's sign-ups say about one shift."""

    shift: Shift
    confirmed_now: bool = False
    # The coordinators shared the exact address of the site with this volunteer.
    address_shared: bool = False
    times_confirmed: int = 0
    times_lost: int = 0
    changes: list = field(default_factory=list)

    @property
    def sequence(self) -> int:
        """The shift's own revision plus every time this volunteer gained or lost it: the
        first confirmation counts nothing, each later one and each loss count one, so the
        number only ever goes up. (A new claim after a release is a new sign-up.)"""
        return self.shift.sequence + max(self.times_confirmed - 1, 0) + self.times_lost


# What the volunteer's feed reads of a sign-up, its shift, the site, the edition and the
# location (`_volunteer_shift_vevent`, `_shift_vevent`): loading only these takes a third
# off the time of the query and the model objects (50 shifts).
_HELD_FIELDS = (
    *("shift", "status", "updated_at", "address_shared_at"),
    *(f"shift__{name}" for name in ("role", "starts_at", "ends_at", "notes", "is_cancelled")),
    *(f"shift__{name}" for name in ("sequence", "created_at", "updated_at", "site")),
    *(f"shift__site__{name}" for name in ("name", "status", "show_approximate_location")),
    *("shift__site__updated_at", "shift__site__event__name", "shift__site__event__updated_at"),
    *(f"shift__site__location__{name}" for name in ("name", "street", "house_number")),
    *(f"shift__site__location__{name}" for name in ("house_number_addition", "postcode")),
    *(f"shift__site__location__{name}" for name in ("city", "latitude", "longitude")),
    "shift__site__location__updated_at",
)


def _held_shifts(volunteer: Volunteer) -> list[_Held]:
    signups = (
        Signup.objects.filter(volunteer=volunteer)
        .filter(Q(status=Signup.Status.CONFIRMED) | Q(confirmed_at__isnull=False))
        .select_related("shift__site__event", "shift__site__location")
        .only(*_HELD_FIELDS)
        .order_by("shift__starts_at", "shift_id", "created_at", "id")
    )
    held: dict[int, _Held] = {}
    for signup in signups:
        entry = held.setdefault(signup.shift_id, _Held(shift=signup.shift))
        entry.times_confirmed += 1
        entry.changes.append(signup.updated_at)
        if signup.is_confirmed:
            entry.confirmed_now = True
            entry.address_shared = signup.address_shared_at is not None
        else:
            entry.times_lost += 1
    return list(held.values())


_ROLES = dict(Shift.Role.choices)


def _role_name(shift: Shift) -> str:
    """`capfirst(shift.get_role_display())`, without Django hashing every choice's
    translated label on each call (which took a quarter of a volunteer feed's time)."""
    return capfirst(str(_ROLES.get(shift.role, shift.role)))


def _shift_vevent(
    shift: Shift,
    *,
    cancelled: bool,
    status: str,
    sequence: int,
    paragraphs: list[str],
    approximate: bool,
    busy: bool,
    changes: Iterable[datetime.datetime | None],
) -> calendar.FeedEvent:
    """A shift as both personal feeds show it: one UID per shift whatever the feed, the
    summary (role and site, marked when `cancelled`), the shift's times, the site's page
    and place.

    The caller gives the STATUS and SEQUENCE, the paragraphs of the description (a link to
    the site's page is added as the last one), whether the place is shown only
    approximately, whether the time is busy, and the `updated_at` of what else the event
    shows beyond the shift, its site, the location and the edition.
    """
    site = shift.site
    page = calendar.site_page_url(site)
    return calendar.new_event(
        uid=calendar.uid_for("shift", shift.pk),
        summary=cancelled_summary(f"{_role_name(shift)}: {site.display_name}", cancelled),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        changed_at=calendar.last_change(
            shift.updated_at,
            site.updated_at,
            site.location.updated_at,
            site.event.updated_at,
            *changes,
        ),
        created_at=shift.created_at,
        sequence=sequence,
        status=status,
        description="\n\n".join([*paragraphs, _("More information: %(url)s") % {"url": page}]),
        url=page,
        place=site.location,
        approximate=approximate,
        busy=busy,
    )


def _volunteer_shift_vevent(held: _Held, *, has_login: bool = True) -> calendar.FeedEvent:
    shift = held.shift
    site = shift.site
    cancelled = not held.confirmed_now or shift.is_cancelled or site.is_cancelled
    parts = calendar.shift_paragraphs(
        shift, role=_role_name(shift), cancelled=cancelled, has_login=has_login
    )
    return _shift_vevent(
        shift,
        cancelled=cancelled,
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=held.sequence,
        paragraphs=parts,
        # The exact place of a site shown approximately only for a volunteer who holds the
        # shift and with whom the coordinators shared the address.
        approximate=site.show_approximate_location and not _exact_place(held),
        busy=True,
        changes=held.changes,
    )


def _exact_place(held: _Held) -> bool:
    return held.confirmed_now and held.address_shared


def volunteer_feed(volunteer: Volunteer, *, language: str) -> bytes:
    """The volunteer's shifts as iCalendar. Two queries at most, with the token lookup;
    the exact address of a site shown approximately, where the feed carries it, is
    recorded as disclosed (one more statement)."""
    body, disclosed = volunteer_feed_and_disclosures(volunteer, language=language)
    record_feed_disclosures(volunteer, disclosed)
    return body


def record_feed_disclosures(volunteer: Volunteer, site_ids: list[int]) -> None:
    """Record that the feed carried the exact address of these sites to the volunteer
    (again: on every delivery, also of a stored feed)."""
    disclosures_record(
        site_ids=site_ids, user=volunteer.user, channel=AddressDisclosure.Channel.CALENDAR
    )


def volunteer_feed_and_disclosures(
    volunteer: Volunteer, *, language: str
) -> tuple[bytes, list[int]]:
    """`volunteer_feed`, and the sites whose exact address it carries, unrecorded (the
    caller records each delivery: `record_feed_disclosures`)."""
    held = _held_shifts(volunteer)
    disclosed = [
        entry.shift.site_id
        for entry in held
        if entry.shift.site.show_approximate_location and _exact_place(entry)
    ]
    with translation.override(language):
        cal = calendar.new_calendar(
            name=_("My shifts – action days"),
            description=_("The shifts you signed up for."),
        )
        events = (_volunteer_shift_vevent(entry, has_login=volunteer.has_login) for entry in held)
        return calendar.finish(cal, events), disclosed


# --- The coordinator's feed ----------------------------------------------------------------

_SITE_STATUS = {
    Site.Status.DRAFT: "TENTATIVE",
    Site.Status.SUBMITTED: "TENTATIVE",
    Site.Status.PUBLISHED: "CONFIRMED",
    Site.Status.CANCELLED: "CANCELLED",
}


def _staffing(confirmed: int, capacity: int, waitlisted: int) -> str:
    text = ngettext(
        "%(confirmed)d of %(capacity)d place filled.",
        "%(confirmed)d of %(capacity)d places filled.",
        capacity,
    ) % {"confirmed": confirmed, "capacity": capacity}
    if waitlisted:
        text += " " + _("%(waitlisted)d on the waitlist.") % {"waitlisted": waitlisted}
    return text


def _coordinator_site_vevent(site: Site, shifts: list[Shift]) -> calendar.FeedEvent:
    open_shifts = [shift for shift in shifts if not shift.is_cancelled]
    parts = [
        _("Status: %(status)s.") % {"status": site.get_status_display()},
        _("Shifts: %(count)d.") % {"count": len(open_shifts)}
        + " "
        + _staffing(
            sum(shift.confirmed for shift in open_shifts),
            sum(shift.capacity for shift in open_shifts),
            sum(shift.waitlisted for shift in open_shifts),
        ),
    ]
    return site_hours_vevent(
        site,
        status=_SITE_STATUS[site.status],
        paragraphs=parts,
        approximate=False,
        changes=[
            *(shift.updated_at for shift in shifts),
            *(shift.signups_changed_at for shift in shifts),
        ],
    )


def _coordinator_shift_vevent(shift: Shift) -> calendar.FeedEvent:
    cancelled = shift.is_cancelled or shift.site.is_cancelled
    parts = [_staffing(shift.confirmed, shift.capacity, shift.waitlisted)]
    if shift.notes:
        parts.append(shift.notes)
    return _shift_vevent(
        shift,
        cancelled=cancelled,
        status="CANCELLED" if cancelled else _SITE_STATUS[shift.site.status],
        sequence=shift.sequence,
        paragraphs=parts,
        approximate=False,
        busy=False,
        changes=[shift.signups_changed_at],
    )


def coordinated_branches(volunteer: Volunteer) -> list[tuple[int, str]]:
    """(id, name) of the branches the volunteer's user coordinates, by name."""
    return list(volunteer.user.coordinated_branches.order_by("name").values_list("id", "name"))


def coordinator_feed(
    volunteer: Volunteer, *, language: str, branches: list[tuple[int, str]] | None = None
) -> bytes:
    """The plan of the branches the volunteer's user coordinates: their sites in any status
    (drafts as TENTATIVE) and the shifts at them, with counts but no names.
    Three queries (two when `branches` is given), whatever the number of sites."""
    if branches is None:
        branches = coordinated_branches(volunteer)
    branch_ids = [branch_id for branch_id, _name in branches]
    sites = list(
        Site.objects.filter(branch_id__in=branch_ids)
        .select_related("event", "location", "branch")
        .order_by("opens_at", "id")
    )
    shifts = list(
        shifts_with_counts(Shift.objects.filter(site__branch_id__in=branch_ids))
        .select_related("site__event", "site__location", "site__branch")
        .annotate(signups_changed_at=Max("signups__updated_at"))
        .order_by("starts_at", "id")
    )
    shifts_of_site: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        shifts_of_site[shift.site_id].append(shift)
    with translation.override(language):
        if branches:
            name = _("Planning: %(branches)s") % {
                "branches": ", ".join(name for _id, name in branches)
            }
        else:
            name = _("Planning of my branches")
        cal = calendar.new_calendar(
            name=name, description=_("Sites and shifts of the branches you coordinate.")
        )
        vevents = [_coordinator_site_vevent(site, shifts_of_site[site.pk]) for site in sites]
        vevents += [_coordinator_shift_vevent(shift) for shift in shifts]
        return calendar.finish(cal, vevents)
