"""Counting at a site: storing taps from the counter phones, corrections, and totals.

A tap is a `TallyEntry` made on a phone, with a UUID the phone chose. Phones keep their
taps until the server has answered for them, so the same tap can arrive several times
(a lost answer, two tabs, a retry); the unique UUID makes it count once.

Counting happens at approved sites only (`SiteNotApproved`, `SiteCancelled`: the whole
batch is refused and the phone keeps it). Rules for a tap (`tally_record`), each checked
per entry so that good taps in a batch are kept when others are refused:

- the category is one counted at this kind of event (`tallies.categories`);
- the delta is a whole number from -1 (undo) to +50 (a group), never 0;
- `recorded_at` is not in the future (allowing `CLOCK_SKEW`), and lies on the site's day,
  widened by `DAY_MARGIN` on each side. How late it arrives matters only once counting
  has closed (`counting_closed`, `TALLY_CLOSES_AFTER_DAYS` after the site's day): a phone
  that was offline for a day or two still delivers its taps.
- A UUID that is already stored for a different tap (another site, category, delta, or a
  correction) is refused as a conflict: it is never taken for the stored tap, and never
  overwrites it. The time is not compared, because a clock correction (below) can move
  the same tap by the network delay between two sends.
- What one person, and what one device, counts at the site in a category is limited:
  `TALLY_LIMIT_PER_MINUTE` per minute of the taps' time (`rate_limited`), and
  `TALLY_LIMIT_PER_SITE` in all (`total_limited`); undo taps and corrections do not
  count towards them. The minute is the tap's own time, not its arrival, so that a phone
  that was offline for an hour delivers that hour at once; the limit per site bounds
  what made-up times spread over the day could add. The limits are checked with the
  site locked, in the transaction that stores the taps, against the per-minute counts
  kept beside the entries (`TallyMinuteCount`): two batches sent at once cannot both
  slip under them.

Entries are stored together with the summaries beside them
(`tallies.summary.store_entries`): the hourly totals that every figure reads, and the
per-minute counts of the limits, in the same transaction, so that both stay exact.

Refused taps are not stored, but how many were refused, for what reason, from whom and
which device is (`TallyRefusal`), for the audit page.

Phone clocks can be hours off. When the phone says when it sent the batch (`sent_at`),
the difference with the server's clock is added to every `recorded_at` of that batch, so
taps land in the right hour instead of being refused as "in the future". This assumes the
phone's clock was as far off when it counted as when it sent, which holds unless the clock
was changed in between.
"""

from __future__ import annotations

import copy
import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Sum, When
from django.utils.translation import gettext_lazy as _

from common import clock
from common.errors import InvalidInput
from events import locking
from events.models import Site

from .errors import SiteCancelled, SiteNotApproved
from .models import TallyEntry, TallyMinuteCount, TallyRefusal
from .selectors import categories_for, counting_closes_at, tally_totals, tally_window
from .summary import NewEntry, device_counter, minute_of, person_counter, store_entries

logger = logging.getLogger(__name__)

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
    "counting_closed": _(
        "Counting at this site has closed; only the national organisers can still correct "
        "its figures."
    ),
    "rate_limited": _(
        "More was counted in one minute than a door lets through. If it was real, ask a "
        "coordinator to add a correction."
    ),
    "total_limited": _(
        "More was counted by one person or phone than this site could see in a day. If it "
        "was real, ask a coordinator to add a correction."
    ),
}
# Refusals that say someone counted implausibly much: logged as well as stored.
LIMIT_CODES = frozenset({"rate_limited", "total_limited"})


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


def _refuse_unless_countable(site: Site) -> None:
    if site.is_cancelled:
        raise SiteCancelled()
    if not site.is_approved:
        raise SiteNotApproved()


class _Limits:
    """What one person and one device have counted at a site so far, per category: per
    minute of the taps' time and in all. Only taps that add (delta above 0) count
    towards the limits; corrections never do. Read from the per-minute counts
    (`TallyMinuteCount`: a row per person or device, category and minute), which must
    be read with the site locked."""

    def __init__(self, *, site_id: int, by_id: int | None, device_id: str, taps: list[TallyTap]):
        self.keys: dict[str, str] = {}
        if by_id is not None:
            self.keys["person"] = person_counter(by_id)
        if device_id:
            self.keys["device"] = device_counter(device_id)
        self.per_minute: dict[tuple, int] = defaultdict(int)
        self.per_site: dict[tuple, int] = defaultdict(int)
        adding = [tap for tap in taps if tap.delta > 0]
        if not self.keys or not adding:
            return
        names = {counter: name for name, counter in self.keys.items()}
        # One query: per category and minute for the minutes of this batch, and one row
        # per category (minute empty) for all other minutes, which only count in all.
        minutes = [minute_of(tap.recorded_at) for tap in adding]
        in_batch = Case(
            When(minute__gte=min(minutes), minute__lte=max(minutes), then=F("minute")),
            default=None,
        )
        rows = (
            TallyMinuteCount.objects.filter(
                site_id=site_id,
                counter__in=sorted(names),
                category__in=sorted({tap.category for tap in adding}),
            )
            .annotate(in_batch=in_batch)
            .values_list("counter", "category", "in_batch")
            .annotate(added=Sum("added"))
            .order_by()
        )
        for counter, category, at, added in rows:
            name = names[counter]
            self.per_site[name, category] += added
            if at is not None:
                self.per_minute[name, category, minute_of(at)] += added

    def fit(self, taps: Iterable[TallyTap]) -> bool:
        """Whether all of `taps` fit under the limits (tried on a copy)."""
        trial = copy.copy(self)
        trial.per_minute = defaultdict(int, self.per_minute)
        trial.per_site = defaultdict(int, self.per_site)
        return all(trial.take(tap) is None for tap in taps)

    def take(self, tap: TallyTap) -> str | None:
        """Count `tap` in, or say which limit it would go over (and leave it out)."""
        if tap.delta <= 0 or not self.keys:
            return None
        minute = minute_of(tap.recorded_at)
        per_minute, per_site = settings.TALLY_LIMIT_PER_MINUTE, settings.TALLY_LIMIT_PER_SITE
        for name in self.keys:
            if self.per_minute[name, tap.category, minute] + tap.delta > per_minute:
                return "rate_limited"
        for name in self.keys:
            if self.per_site[name, tap.category] + tap.delta > per_site:
                return "total_limited"
        for name in self.keys:
            self.per_minute[name, tap.category, minute] += tap.delta
            self.per_site[name, tap.category] += tap.delta
        return None


@dataclass
class _Outcome:
    """The answer being built for one upload, and its refused taps as (code, delta), to
    store for the audit page."""

    result: TallyRecordResult
    refused: list[tuple[str, int]] = field(default_factory=list)

    def refuse(self, tap: TallyTap, code: str) -> None:
        self.result.refused.append(Refusal(tap.client_id, code))
        self.refused.append((code, tap.delta))


_STORED = ("client_id", "site_id", "category", "delta", "is_correction")


def _settle_stored(
    client_ids: list[uuid.UUID],
    *,
    candidates: dict[uuid.UUID, TallyTap],
    site_id: int,
    outcome: _Outcome,
) -> set[uuid.UUID]:
    """Of `client_ids` (of `candidates`), those stored already, by an earlier upload or
    by a concurrent one that committed first: the same tap is a duplicate, another
    entry under its UUID a conflict (refused; the stored entry stays as it was).
    Returns the ids found stored."""
    if not client_ids:
        return set()
    settled = set()
    stored = TallyEntry.objects.filter(client_id__in=client_ids).values_list(*_STORED)
    for client_id, stored_site_id, category, delta, is_correction in stored:
        mine = candidates[client_id]
        settled.add(client_id)
        if (stored_site_id, category, delta, is_correction) == (
            site_id,
            mine.category,
            mine.delta,
            False,
        ):
            outcome.result.duplicates += 1
        else:
            outcome.refuse(mine, "id_conflict")
    return settled


def _store_refusals(
    refused: list[tuple[str, int]],
    *,
    site_id: int,
    by_id: int | None,
    device_id: str,
    now: datetime.datetime,
) -> None:
    """One `TallyRefusal` per reason: how many taps, and what the taps in range would
    have added (a delta out of range adds nothing: it is the phone's number, any size)."""
    per_code: dict[str, list[int]] = {}
    for code, delta in refused:
        taps_and_sum = per_code.setdefault(code, [0, 0])
        taps_and_sum[0] += 1
        if TallyEntry.TAP_DELTA_MIN <= delta <= TallyEntry.TAP_DELTA_MAX:
            taps_and_sum[1] += delta
    TallyRefusal.objects.bulk_create(
        TallyRefusal(
            site_id=site_id,
            code=code,
            taps=taps,
            counted=counted,
            received_at=now,
            recorded_by_id=by_id,
            device_id=device_id,
        )
        for code, (taps, counted) in sorted(per_code.items())
    )
    limited = {code: per_code[code][0] for code in LIMIT_CODES & per_code.keys()}
    if limited:
        logger.warning(
            "tally limits: site %s, user %s, device %r: refused %s",
            site_id,
            by_id,
            device_id,
            ", ".join(f"{taps} {code}" for code, taps in sorted(limited.items())),
        )


def _store_new_taps(
    candidates: dict[uuid.UUID, TallyTap],
    *,
    site: Site,
    by_id: int | None,
    device_id: str,
    now: datetime.datetime,
    sync_id: uuid.UUID,
    outcome: _Outcome,
) -> None:
    """Within the site's lock: refuse the taps when counting has closed or when they
    would go over a limit, store the others (with the summaries), and sort them into
    accepted, duplicates and conflicts.

    A tap that is already stored (a resend) is a duplicate, never refused: it must not
    count towards the limits twice, and is not "closed". So when some tap would be
    refused, the taps already stored are set aside first; in the common case, where all
    fit, that read is saved (counting the stored ones twice can only refuse more): the
    insert itself says which taps it stored, and only the others are looked up."""
    site_id = site.pk
    new = sorted(candidates.values(), key=lambda tap: (tap.recorded_at, tap.client_id))
    closed = now >= counting_closes_at(site)
    limits = (
        None if closed else _Limits(site_id=site_id, by_id=by_id, device_id=device_id, taps=new)
    )
    if limits is None or not limits.fit(new):
        settled = _settle_stored(
            list(candidates), candidates=candidates, site_id=site_id, outcome=outcome
        )
        new = [tap for tap in new if tap.client_id not in settled]
    if limits is None:
        for tap in new:
            outcome.refuse(tap, "counting_closed")
        return
    rows = []
    for tap in new:
        code = limits.take(tap)
        if code is not None:
            outcome.refuse(tap, code)
            continue
        rows.append(NewEntry(tap.client_id, tap.category, tap.delta, tap.recorded_at))
    stored = store_entries(
        site_id=site_id,
        entries=rows,
        received_at=now,
        by_id=by_id,
        device_id=device_id,
        sync_id=sync_id,
        limit_counters=limits.keys.values(),
    )
    outcome.result.accepted += len(stored)
    # The others were stored before (a resend), or by a concurrent upload that
    # committed first (on PostgreSQL the insert waited for it, so this read sees it).
    _settle_stored(
        [row.client_id for row in rows if row.client_id not in stored],
        candidates=candidates,
        site_id=site_id,
        outcome=outcome,
    )


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
    call concurrently with overlapping batches: the site's lock serialises the limits,
    the database's unique index on the UUID decides which request stores a tap, and each
    request reports only what it stored itself as accepted. `now` is when the batch
    arrived (default: the clock's now).

    Raises `SiteCancelled` for a cancelled site and `SiteNotApproved` for a site that is
    not approved (a draft, or waiting for review); nothing is stored then.
    """
    _refuse_unless_countable(site)
    now = now or clock.now()
    offset = clock_offset(sent_at=sent_at, now=now)
    categories = categories_for(site)
    window = tally_window(site)
    latest = now + CLOCK_SKEW
    outcome = _Outcome(TallyRecordResult(clock_offset=offset))
    refuse = outcome.refuse
    sync_id = uuid.uuid4()
    # Ids rather than objects: `by` is often the request's lazy user, and going through
    # it and the relation descriptors for every entry costs more than the insert.
    site_id, by_id = site.pk, by.pk if by is not None else None

    candidates: dict[uuid.UUID, TallyTap] = {}
    for tap in entries:
        if offset:
            try:
                shifted = tap.recorded_at + offset
            except OverflowError:  # a clock thousands of years off: not this day anyway
                refuse(tap, "recorded_off_day")
                continue
            tap = TallyTap(tap.client_id, tap.category, tap.delta, shifted)
        code = _refusal_code(tap, categories=categories, window=window, latest=latest)
        if code is not None:
            refuse(tap, code)
            continue
        earlier = candidates.get(tap.client_id)
        if earlier is not None:
            if (earlier.category, earlier.delta) == (tap.category, tap.delta):
                outcome.result.duplicates += 1
            else:
                refuse(tap, "id_conflict")
            continue
        candidates[tap.client_id] = tap

    if candidates or outcome.refused:
        with locking.write_transaction():
            # The site's lock makes the limits hold for batches sent at the same moment
            # (on SQLite the IMMEDIATE transaction already runs writers one at a time).
            _refuse_unless_countable(locking.lock_site(site_id, related=()))
            if candidates:
                _store_new_taps(
                    candidates,
                    site=site,
                    by_id=by_id,
                    device_id=device_id,
                    now=now,
                    sync_id=sync_id,
                    outcome=outcome,
                )
            if outcome.refused:
                _store_refusals(
                    outcome.refused, site_id=site_id, by_id=by_id, device_id=device_id, now=now
                )

    outcome.result.totals = tally_totals(site)
    return outcome.result


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

    client_id = client_id or uuid.uuid4()
    with transaction.atomic():
        stored = store_entries(
            site_id=site.pk,
            entries=[NewEntry(client_id, category, delta, recorded_at, True, reason)],
            received_at=now,
            by_id=by.pk if by is not None else None,
            device_id=device_id,
            sync_id=uuid.uuid4(),
        )
        entry = TallyEntry.objects.get(client_id=client_id)
    if not stored and (entry.site_id, entry.category, entry.delta, entry.is_correction) != (
        site.pk,
        category,
        delta,
        True,
    ):
        raise InvalidInput(_("This id is already used for a different entry."), field="client_id")
    return entry
