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
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common import clock
from common.errors import InvalidInput
from events.models import Site

from .errors import SiteCancelled
from .models import TallyEntry
from .selectors import categories_for, tally_totals, tally_window

MAX_BATCH = 500
CLOCK_SKEW = datetime.timedelta(minutes=2)
# A correction may move a total a long way (a counter that was reset), but not absurdly.
CORRECTION_LIMIT = 100_000

REFUSAL_MESSAGES = {
    "category_not_counted": _("This is not counted at this kind of event."),
    "delta_out_of_range": _("A tap counts from -1 to +50, and not 0."),
    "recorded_in_future": _("The time of the tap is in the future; check the phone's clock."),
    "recorded_off_day": _("The time of the tap is too far from the day of this site."),
    "id_conflict": _("This id is already used for a different tap."),
}


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

    The caller has checked that `by` may count at `site` (`tallies.record_tally`) and that
    the batch has the right shape and at most `MAX_BATCH` entries. Taps that break a rule
    are refused one by one (see the module docstring); the others are stored. Safe to
    call concurrently with overlapping batches: the database's unique index on the UUID
    decides which request stores a tap, and each request reports only what it stored
    itself as accepted.

    Raises `SiteCancelled` for a cancelled site.
    """
    if site.is_cancelled:
        raise SiteCancelled()
    now = now or clock.now()
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
    has closed. The caller has checked `tallies.correct_tally`. Raises `InvalidInput`
    naming the field. A `client_id` makes a resent correction count once.
    """
    now = now or clock.now()
    if recorded_at is None:
        recorded_at = min(now, site.closes_at)
    errors: dict[str, list[str]] = {}
    if category not in categories_for(site):
        errors["category"] = [_("This is not counted at this kind of event.")]
    if delta == 0:
        errors["delta"] = [_("A change of zero counts nothing.")]
    elif abs(delta) > CORRECTION_LIMIT:
        errors["delta"] = [
            _("A correction can change a total by at most %(limit)s.") % {"limit": CORRECTION_LIMIT}
        ]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("A correction needs a reason.")]
    window = tally_window(site)
    if recorded_at > now + CLOCK_SKEW:
        errors["recorded_at"] = [_("A correction cannot be about a time in the future.")]
    elif not window[0] <= recorded_at < window[1]:
        errors["recorded_at"] = [_("Choose a time on the day of this site.")]
    if site.is_cancelled:
        raise SiteCancelled()
    if errors:
        raise InvalidInput(fields=errors)

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
        raise InvalidInput(_("This id is already used for a different entry."), field="client_id")
    return stored
