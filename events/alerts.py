"""Understaffing alerts to a branch's coordinators (those who did not switch them off,
`User.staffing_alerts`):

- the daily digest, from `STAFFING_DIGEST_DAYS` days before an edition until the day
  before it, at or after `STAFFING_DIGEST_HOUR` o'clock (Europe/Amsterdam): their
  branch's published sites of the edition with unfilled places (shifts with open places,
  and needed languages no confirmed volunteer of a shift speaks), one mail a day however
  many editions are near (key `staffing-digest:{user_id}:{date}`); no mail when nothing
  is unfilled;
- on the day, the alert that a shift has started with open places, from its start until
  its end, once per shift and coordinator (key `staffing-alert:shift:{id}:{user_id}`).

Both are safe to run every few minutes, on two workers at once or as a retried task:
each mail is recorded by its key (`accounts.mail.send_once`), and keys recorded before
are left out before any mail is written. Queries: a few per edition near, and one for all
coordinators, never one per coordinator per site.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.mail import person_mail, send_once
from accounts.models import SentMail
from common import clock
from common.languages import language_label
from locations.models import Branch

from . import extensions
from .models import Event, Shift, Site, published_sites
from .selectors import shift_open_spots
from .staffing import sites_uncovered_languages

logger = logging.getLogger(__name__)

# The profile page, where a coordinator switches these mails off. It is a page of the
# volunteers app, a layer above this one: named by path, as `notifications.MY_SHIFTS_PATH`
# is, and pinned to its URL pattern by tests/events/test_alerts.py.
PROFILE_PATH = "/my/profile/"

# How long ago a shift that is still on can have started (see `shift_alerts_due`).
ALERT_LOOKBACK = datetime.timedelta(hours=24)


def digest_days() -> int:
    return int(getattr(settings, "STAFFING_DIGEST_DAYS", 21))


def digest_hour() -> int:
    return int(getattr(settings, "STAFFING_DIGEST_HOUR", 8))


def digest_key(user_id: int, date: datetime.date) -> str:
    return f"staffing-digest:{user_id}:{date.isoformat()}"


def shift_alert_key(shift_id: int, user_id: int) -> str:
    return f"staffing-alert:shift:{shift_id}:{user_id}"


# --- Who gets them ---------------------------------------------------------------------


def alert_recipients(branch_ids) -> dict[int, list]:
    """Per branch id (of `branch_ids`, ids or a subquery of them): its coordinators who
    want these mails (active, with an address, `staffing_alerts` on), each user one
    object across branches. One query."""
    if not isinstance(branch_ids, QuerySet):
        branch_ids = list(branch_ids)
    links = (
        Branch.coordinators.through.objects.filter(
            branch_id__in=branch_ids,
            user__is_active=True,
            user__staffing_alerts=True,
            user__email__isnull=False,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    )
    users: dict[int, object] = {}
    per_branch: dict[int, list] = defaultdict(list)
    for link in links:
        user = users.setdefault(link.user_id, link.user)
        per_branch[link.branch_id].append(user)
    return per_branch


def _remember_branches(users) -> None:
    """Every branch each of `users` coordinates, in one query, where `accounts.roles`
    caches it on the user: the links the mails carry ask the rule-book about each person,
    and would otherwise ask the database once per person."""
    coordinated: dict[int, set[int]] = defaultdict(set)
    links = Branch.coordinators.through.objects.filter(user_id__in=[user.pk for user in users])
    for user_id, branch_id in links.values_list("user_id", "branch_id"):
        coordinated[user_id].add(branch_id)
    for user in users:
        user._coordinated_branch_ids = frozenset(coordinated[user.pk])


def _not_sent(keys) -> set[str]:
    keys = set(keys)
    sent = set(SentMail.objects.filter(key__in=keys).values_list("key", flat=True))
    return keys - sent


def _links(site: Site, user) -> dict:
    """The roster, and the page that asks the branch's volunteers for help (added by the
    volunteers app, `extensions.STAFFING_MAIL`, when it applies)."""

    def help_links() -> list[extensions.Link]:
        # Called by the template while it renders each language of the mail, so that
        # the providers' labels are in that language.
        return [
            extensions.Link(link.label, settings.SITE_URL + link.url)
            for link in extensions.site_links(extensions.STAFFING_MAIL, user=user, site=site)
        ]

    return {
        "roster_url": settings.SITE_URL + reverse("events:roster", args=[site.pk]),
        "help_links": help_links,
    }


def _mail(user, kind: str, context: dict):
    return person_mail(
        to=user.email,
        user=user,
        subject_template=f"events/email/staffing_{kind}_subject.txt",
        body_template=f"events/email/staffing_{kind}_message.txt",
        context={**context, "profile_url": settings.SITE_URL + PROFILE_PATH},
    )


# --- The daily digest ------------------------------------------------------------------


@dataclass
class SiteGaps:
    """What a site still lacks: its live shifts with open places, and the languages it
    needs that a shift has no confirmed speaker for (codes)."""

    site: Site
    shifts: list[Shift] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def open_places(self) -> int:
        return sum(shift.open_spots for shift in self.shifts)

    @property
    def language_names(self) -> list:
        # Lazy names: the mail shows them in its reader's language.
        return [language_label(code) for code in self.languages]


def edition_gaps(event: Event) -> list[SiteGaps]:
    """The published sites of `event` with unfilled places or uncovered languages, in the
    order of their opening. Two to four queries, whatever the number of sites."""
    sites = {
        site.pk: site
        for site in Site.objects.published()
        .filter(event=event)
        .select_related("location", "branch", "event")
        .order_by("opens_at", "id")
    }
    if not sites:
        return []
    gaps = {pk: SiteGaps(site=site) for pk, site in sites.items()}
    open_shifts = (
        Shift.objects.filter(
            site_id__in=list(sites), is_cancelled=False, confirmed_count__lt=F("capacity")
        )
        .annotate(open_spots=shift_open_spots())
        .order_by("starts_at", "role", "id")
    )
    for shift in open_shifts:
        shift.site = sites[shift.site_id]
        gaps[shift.site_id].shifts.append(shift)
    languages = sites_uncovered_languages(pk for pk, site in sites.items() if site.languages_needed)
    for pk, codes in languages.items():
        gaps[pk].languages = codes
    return [row for row in gaps.values() if row.shifts or row.languages]


def digests_due(now: datetime.datetime) -> list[tuple[str, object]]:
    """(key, message) of each digest due at `now` and not sent yet today."""
    local = timezone.localtime(now, clock.local_zone())
    today = local.date()
    if local.hour < digest_hour():
        return []
    events = list(
        Event.objects.published()
        .filter(date__gt=today, date__lte=today + datetime.timedelta(days=digest_days()))
        .order_by("date", "name")
    )
    if not events:
        return []
    # Who could get one today and has not yet. Every round after the first of the day
    # finds nobody and stops here, before reading any site's shifts (three queries).
    branches = Site.objects.published().filter(event__in=events).values("branch_id")
    recipients = alert_recipients(branches)
    users = {user.pk: user for group in recipients.values() for user in group}
    due = _not_sent(digest_key(pk, today) for pk in users)
    if not due:
        return []
    # Per edition, its sites with gaps, grouped by branch.
    per_event: list[tuple[Event, dict[int, list[SiteGaps]]]] = []
    for event in events:
        by_branch: dict[int, list[SiteGaps]] = defaultdict(list)
        for row in edition_gaps(event):
            by_branch[row.site.branch_id].append(row)
        if by_branch:
            per_event.append((event, by_branch))
    if not per_event:
        return []
    waiting = sorted(
        (user for user in users.values() if digest_key(user.pk, today) in due),
        key=lambda user: user.email,
    )
    _remember_branches(waiting)
    messages = []
    for user in waiting:
        key = digest_key(user.pk, today)
        editions = []
        for event, by_branch in per_event:
            sites = [
                {"gaps": row, **_links(row.site, user)}
                for branch_id, rows in by_branch.items()
                if user in recipients.get(branch_id, [])
                for row in rows
            ]
            if sites:
                editions.append({"event": event, "sites": sites})
        if editions:
            messages.append((key, _mail(user, "digest", {"user": user, "editions": editions})))
    return messages


def staffing_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send the digests due now (see the module's text); returns how many were sent."""
    return send_once(digests_due(now or clock.now()), what="staffing digests")


# --- On the day: a shift started with open places --------------------------------------


def shift_alerts_due(now: datetime.datetime) -> list[tuple[str, object]]:
    """(key, message) of each alert due at `now` (a live shift of a published site that
    has started, has not ended, and has fewer confirmed volunteers than places) and not
    sent yet. Three queries."""
    shifts = list(
        Shift.objects.filter(
            published_sites("site__"),
            is_cancelled=False,
            # A lower bound for the index on the start: without it, every round would
            # read every shift of the past years. No shift lasts a day.
            starts_at__gt=now - ALERT_LOOKBACK,
            starts_at__lte=now,
            ends_at__gt=now,
            confirmed_count__lt=F("capacity"),
        )
        .annotate(open_spots=shift_open_spots())
        .select_related("site__location", "site__event", "site__branch")
        .order_by("starts_at", "id")
    )
    if not shifts:
        return []
    recipients = alert_recipients({shift.site.branch_id for shift in shifts})
    wanted = [
        (shift, user) for shift in shifts for user in recipients.get(shift.site.branch_id, [])
    ]
    due = _not_sent(shift_alert_key(shift.pk, user.pk) for shift, user in wanted)
    _remember_branches(
        {user for shift, user in wanted if shift_alert_key(shift.pk, user.pk) in due}
    )
    messages = []
    for shift, user in wanted:
        key = shift_alert_key(shift.pk, user.pk)
        if key not in due:
            continue
        context = {
            "user": user,
            "shift": shift,
            "site": shift.site,
            "event": shift.site.event,
            **_links(shift.site, user),
        }
        messages.append((key, _mail(user, "alert", context)))
    return messages


def shift_alerts_send(*, now: datetime.datetime | None = None) -> int:
    """Send the alerts due now (see the module's text); returns how many were sent."""
    return send_once(shift_alerts_due(now or clock.now()), what="understaffed shift alerts")
