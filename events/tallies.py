"""Counting at a site: storing taps from the counter phones, corrections, and totals.

A tap is a `TallyEntry` made on a phone, with a UUID the phone chose. Phones keep their
taps until the server has answered for them, so the same tap can arrive several times
(a lost answer, two tabs, a retry); the unique UUID makes it count once.

Rules for a tap (`tally_record`), each checked per entry so that good taps in a batch
are kept when others are refused:

- the category is one counted at this kind of event (`CATEGORIES_BY_KIND`);
- the delta is a whole number from -1 (undo) to +50 (a group), never 0;
- `recorded_at` is not in the future (allowing `CLOCK_SKEW`), and lies on the site's day,
  widened by `DAY_MARGIN` on each side. How late it arrives does not matter: a phone that
  was offline for days still delivers its taps.
- A UUID that is already stored for a different tap (another site, category, delta, or a
  correction) is refused as a conflict: it is never taken for the stored tap, and never
  overwrites it. The time is not compared, because a clock correction (below) can move
  the same tap by the network delay between two sends.

Phone clocks can be hours off. When the phone says when it sent the batch (`sent_at`),
the difference with the server's clock is added to every `recorded_at` of that batch, so
taps land in the right hour instead of being refused as "in the future". This assumes the
phone's clock was as far off when it counted as when it sent, which holds unless the clock
was changed in between.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError

from .models import Event, Site, TallyEntry

Category = TallyEntry.Category

# What is counted at each kind of event; the first is the headline figure.
CATEGORIES_BY_KIND: dict[str, tuple[str, ...]] = {
    Event.Kind.OPEN_DAY: (Category.VISITORS, Category.CHILDREN),
    Event.Kind.COFFEE: (Category.COFFEES, Category.CONVERSATIONS),
}

MAX_BATCH = 500
CLOCK_SKEW = datetime.timedelta(minutes=2)
DAY_MARGIN = datetime.timedelta(hours=6)
# A correction may move a total a long way (a counter that was reset), but not absurdly.
CORRECTION_LIMIT = 100_000

REFUSAL_MESSAGES = {
    "category_not_counted": _("This is not counted at this kind of event."),
    "delta_out_of_range": _("A tap counts from -1 to +50, and not 0."),
    "recorded_in_future": _("The time of the tap is in the future; check the phone's clock."),
    "recorded_off_day": _("The time of the tap is too far from the day of this site."),
    "id_conflict": _("This id is already used for a different tap."),
}


class TallyError(DomainError):
    code = "tally_error"


class SiteCancelled(TallyError):
    code = "site_cancelled"
    status_code = 409
    default_message = _("This site is cancelled; nothing can be counted there.")


@dataclass(frozen=True, slots=True)
class TallyTap:
    """One tap as the phone sent it (already checked for shape)."""

    client_id: uuid.UUID
    category: str
    delta: int
    recorded_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class Refusal:
    client_id: uuid.UUID
    code: str

    @property
    def reason(self) -> str:
        return str(REFUSAL_MESSAGES[self.code])


@dataclass
class TallyRecordResult:
    """What became of a batch: every entry is accepted, a duplicate, or refused."""

    accepted: int = 0
    duplicates: int = 0
    refused: list[Refusal] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    clock_offset: datetime.timedelta = datetime.timedelta(0)


def categories_for(site: Site) -> tuple[str, ...]:
    return CATEGORIES_BY_KIND[site.event.kind]


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def tally_window(site: Site) -> tuple[datetime.datetime, datetime.datetime]:
    """The times a tap at `site` may carry: the site's day(s) in Amsterdam, widened by
    `DAY_MARGIN` on both sides."""
    zone = local_zone()
    first_day = timezone.localtime(site.opens_at, zone).date()
    last_day = timezone.localtime(site.closes_at, zone).date()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start - DAY_MARGIN, end + DAY_MARGIN


def clock_offset(
    *, sent_at: datetime.datetime | None, now: datetime.datetime
) -> datetime.timedelta:
    """How far the phone's clock is behind the server's; zero within `CLOCK_SKEW`."""
    if sent_at is None:
        return datetime.timedelta(0)
    offset = now - sent_at
    return offset if abs(offset) > CLOCK_SKEW else datetime.timedelta(0)


def _refusal_code(
    tap: TallyTap,
    *,
    categories: tuple[str, ...],
    window: tuple[datetime.datetime, datetime.datetime],
    latest: datetime.datetime,
) -> str | None:
    if tap.category not in categories:
        return "category_not_counted"
    if (
        tap.delta == 0
        or tap.delta < TallyEntry.TAP_DELTA_MIN
        or tap.delta > TallyEntry.TAP_DELTA_MAX
    ):
        return "delta_out_of_range"
    if tap.recorded_at > latest:
        return "recorded_in_future"
    if not window[0] <= tap.recorded_at < window[1]:
        return "recorded_off_day"
    return None


def tally_record(
    *,
    site: Site,
    entries: Sequence[TallyTap],
    by,
    device_id: str = "",
    sent_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> TallyRecordResult:
    """Store a batch of taps at `site`, each once by its UUID, and return the new totals.

    The caller has checked that `by` may count at `site` (`events.record_tally`) and that
    the batch has the right shape and at most `MAX_BATCH` entries. Taps that break a rule
    are refused one by one (see the module docstring); the others are stored. Safe to
    call concurrently with overlapping batches: the database's unique index on the UUID
    decides which request stores a tap, and each request reports only what it stored
    itself as accepted.

    Raises `SiteCancelled` for a cancelled site.
    """
    if site.status == Site.Status.CANCELLED:
        raise SiteCancelled()
    now = now or timezone.now()
    offset = clock_offset(sent_at=sent_at, now=now)
    categories = categories_for(site)
    window = tally_window(site)
    latest = now + CLOCK_SKEW
    result = TallyRecordResult(clock_offset=offset)
    sync_id = uuid.uuid4()
    # Ids rather than objects: `by` is often the request's lazy user, and going through
    # it and the relation descriptors for every entry costs more than the insert.
    site_id, by_id = site.pk, by.pk if by is not None else None

    candidates: dict[uuid.UUID, TallyEntry] = {}
    for tap in entries:
        if offset:
            try:
                shifted = tap.recorded_at + offset
            except OverflowError:  # a clock thousands of years off: not this day anyway
                result.refused.append(Refusal(tap.client_id, "recorded_off_day"))
                continue
            tap = TallyTap(tap.client_id, tap.category, tap.delta, shifted)
        code = _refusal_code(tap, categories=categories, window=window, latest=latest)
        if code is not None:
            result.refused.append(Refusal(tap.client_id, code))
            continue
        earlier = candidates.get(tap.client_id)
        if earlier is not None:
            if (earlier.category, earlier.delta) == (tap.category, tap.delta):
                result.duplicates += 1
            else:
                result.refused.append(Refusal(tap.client_id, "id_conflict"))
            continue
        candidates[tap.client_id] = TallyEntry(
            site_id=site_id,
            category=tap.category,
            delta=tap.delta,
            client_id=tap.client_id,
            recorded_at=tap.recorded_at,
            received_at=now,
            recorded_by_id=by_id,
            device_id=device_id,
            is_correction=False,
            reason="",
            sync_id=sync_id,
        )

    if candidates:
        # ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite): a tap some request stored
        # before, or stores at this moment, is skipped here. The re-read then shows whose
        # copy is in the table; on PostgreSQL the insert waited for a concurrent writer of
        # the same UUID to commit, so its row is visible to this read. Rows go in UUID
        # order: two requests with overlapping batches then wait for each other's keys in
        # the same order, and cannot deadlock.
        TallyEntry.objects.bulk_create(
            sorted(candidates.values(), key=lambda entry: entry.client_id),
            ignore_conflicts=True,
        )
        stored = TallyEntry.objects.filter(client_id__in=list(candidates)).values_list(
            "client_id", "sync_id", "site_id", "category", "delta", "is_correction"
        )
        for client_id, stored_sync, stored_site_id, category, delta, is_correction in stored:
            mine = candidates[client_id]
            if stored_sync == sync_id:
                result.accepted += 1
            elif (stored_site_id, category, delta, is_correction) == (
                site_id,
                mine.category,
                mine.delta,
                False,
            ):
                result.duplicates += 1
            else:
                result.refused.append(Refusal(client_id, "id_conflict"))

    result.totals = tally_totals(site)
    return result


def tally_correct(
    *,
    site: Site,
    category: str,
    delta: int,
    reason: str,
    by,
    recorded_at: datetime.datetime | None = None,
    device_id: str = "",
    client_id: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
) -> TallyEntry:
    """Add a correction: an entry of any size with a reason, e.g. "counter reset at 14:00,
    add 120". Earlier entries are never changed, so totals stay traceable.

    `recorded_at` is the time the correction is about (it places the correction in the
    per-hour figures); it defaults to now, or to the site's closing time once the site
    has closed. The caller has checked `events.correct_tally`. Raises `ValidationError`
    naming the field. A `client_id` makes a resent correction count once.
    """
    now = now or timezone.now()
    if recorded_at is None:
        recorded_at = min(now, site.closes_at)
    errors: dict[str, str] = {}
    if category not in categories_for(site):
        errors["category"] = _("This is not counted at this kind of event.")
    if delta == 0:
        errors["delta"] = _("A change of zero counts nothing.")
    elif abs(delta) > CORRECTION_LIMIT:
        errors["delta"] = _("A correction can change a total by at most %(limit)s.") % {
            "limit": CORRECTION_LIMIT
        }
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("A correction needs a reason.")
    window = tally_window(site)
    if recorded_at > now + CLOCK_SKEW:
        errors["recorded_at"] = _("A correction cannot be about a time in the future.")
    elif not window[0] <= recorded_at < window[1]:
        errors["recorded_at"] = _("Choose a time on the day of this site.")
    if site.status == Site.Status.CANCELLED:
        raise SiteCancelled()
    if errors:
        raise ValidationError(errors)

    entry = TallyEntry(
        site=site,
        category=category,
        delta=delta,
        client_id=client_id or uuid.uuid4(),
        recorded_at=recorded_at,
        received_at=now,
        recorded_by=by,
        device_id=device_id,
        is_correction=True,
        reason=reason,
        sync_id=uuid.uuid4(),
    )
    with transaction.atomic():
        TallyEntry.objects.bulk_create([entry], ignore_conflicts=True)
        stored = TallyEntry.objects.get(client_id=entry.client_id)
    if stored.sync_id != entry.sync_id and (
        stored.site_id,
        stored.category,
        stored.delta,
        stored.is_correction,
    ) != (site.pk, category, delta, True):
        raise ValidationError({"client_id": _("This id is already used for a different entry.")})
    return stored


# --- Reads --------------------------------------------------------------------------------


def tally_totals(site: Site) -> dict[str, int]:
    """The site's total per category of its kind of event (zero when nothing counted)."""
    totals = dict.fromkeys(categories_for(site), 0)
    rows = (
        TallyEntry.objects.filter(site=site)
        .values_list("category")
        .annotate(total=Sum("delta"))
        .order_by()
    )
    for category, total in rows:
        totals[category] = total
    return totals


def hour_range(first: datetime.datetime, last: datetime.datetime) -> Iterable[datetime.datetime]:
    """Every whole local hour from `first` to `last` (both truncated to the hour)."""
    zone = local_zone()
    hour = timezone.localtime(first, zone).replace(minute=0, second=0, microsecond=0)
    end = timezone.localtime(last, zone)
    while hour <= end:
        yield hour
        # Step in UTC so that a day with a clock change still gets every hour once.
        hour = timezone.localtime(hour + datetime.timedelta(hours=1), zone)


def tally_hours(site: Site) -> list[dict]:
    """Per local hour (Europe/Amsterdam), the sum per category: every hour from the site's
    opening to its closing, widened to include hours with entries outside them."""
    zone = local_zone()
    categories = categories_for(site)
    rows = (
        TallyEntry.objects.filter(site=site)
        .annotate(hour=TruncHour("recorded_at", tzinfo=zone))
        .values_list("hour", "category")
        .annotate(total=Sum("delta"))
        .order_by("hour")
    )
    sums: dict[datetime.datetime, dict[str, int]] = {}
    for hour, category, total in rows:
        sums.setdefault(hour, {})[category] = total
    first = min([site.opens_at, *sums])
    last = max([site.closes_at - datetime.timedelta(microseconds=1), *sums])
    return [
        {"hour": hour, **{c: sums.get(hour, {}).get(c, 0) for c in categories}}
        for hour in hour_range(first, last)
    ]
