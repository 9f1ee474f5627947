"""Storing tally entries together with the summaries kept beside them.

`TallyHour` holds the sums per site, category and hour that every total, the dashboard,
its exports and the impact report read; `TallyMinuteCount` what each person and device
added per minute, which the limits read. They are only exact if every entry that is
stored is added to them in the same transaction, and nothing else: so entries are stored
here only (`store_entries`, called by the tally services), with one
`INSERT … ON CONFLICT (client_id) DO NOTHING RETURNING client_id` that says which rows
this call stored, without reading them back. A UUID already stored (a resend, or one a
concurrent request stored first) is not returned, and so never added twice.

Data written around the services (the benchmark's seed with COPY, a restored backup)
is summed afresh with `refill` (INSERT … SELECT), and `summary_differences` compares
summaries and entries (the tests after every writing path; `manage.py tally_summary`).

The SQL is written by hand because Django has no upsert that adds to a row
(`bulk_create(update_conflicts=True)` overwrites) and its `ignore_conflicts` returns no
ids. It runs on PostgreSQL and on SQLite 3.35 or later (RETURNING, upserts).
"""

from __future__ import annotations

import datetime
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from common import published

from .models import TallyEntry, TallyHour, TallyMinuteCount

ENTRY_TABLE = TallyEntry._meta.db_table
HOUR_TABLE = TallyHour._meta.db_table
MINUTE_TABLE = TallyMinuteCount._meta.db_table
ENTRY_COLUMNS = (
    "client_id",
    "site_id",
    "category",
    "delta",
    "recorded_at",
    "received_at",
    "recorded_by_id",
    "device_id",
    "is_correction",
    "reason",
    "sync_id",
    "imported",
)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry to store at a site (a tap, a correction with its reason, or a total read
    from a spreadsheet of a past edition: `imported`)."""

    client_id: uuid.UUID
    category: str
    delta: int
    recorded_at: datetime.datetime
    is_correction: bool = False
    reason: str = ""
    imported: bool = False


def hour_of(moment: datetime.datetime) -> datetime.datetime:
    """The hour of the summary that `moment` falls in (see `TallyHour`)."""
    return moment.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def minute_of(moment: datetime.datetime) -> datetime.datetime:
    """The whole UTC minute `moment` falls in: the unit of `TALLY_LIMIT_PER_MINUTE`."""
    return moment.astimezone(datetime.UTC).replace(second=0, microsecond=0)


def person_counter(user_id: int) -> str:
    return f"u{user_id}"


def device_counter(device_id: str) -> str:
    return f"d{device_id}"


# --- Storing -----------------------------------------------------------------------------


def _max_params() -> int:
    """How many parameters one statement may carry: SQLite's own limit (Django assumes
    the old default of 999), PostgreSQL's 65535."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def _uuid_param(value: uuid.UUID | None):
    if value is None or connection.features.has_native_uuid_field:
        return value
    return value.hex


def _time_param(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def store_entries(
    *,
    site_id: int,
    entries: Sequence[NewEntry],
    received_at: datetime.datetime,
    by_id: int | None,
    device_id: str,
    sync_id: uuid.UUID,
    limit_counters: Iterable[str] = (),
) -> set[uuid.UUID]:
    """Insert `entries` at the site, each UUID at most once (one that is stored already,
    at this site or another, is skipped), and add exactly those stored to the hourly
    totals and, for taps that add (delta above 0, no correction), to the per-minute
    counts of `limit_counters` (`person_counter`, `device_counter`). Returns the UUIDs
    this call stored. Runs inside the caller's transaction.

    Rows go in UUID order: two requests storing overlapping UUIDs (at two sites) then
    wait for each other's keys in the same order, and cannot deadlock. On PostgreSQL an
    insert of a UUID that a concurrent transaction is inserting waits for it to finish,
    and skips the row if it committed."""
    if not entries:
        return set()
    # The dashboard's stored figures (`common.published`) are old once this commits.
    published.changed(published.TALLIES)
    rows = sorted(entries, key=lambda entry: entry.client_id)
    constant = {
        "site_id": site_id,
        "received_at": _time_param(received_at),
        "recorded_by_id": by_id,
        "device_id": device_id,
        "sync_id": _uuid_param(sync_id),
    }
    per_statement = max(1, _max_params() // len(ENTRY_COLUMNS))
    stored: set[uuid.UUID] = set()
    native_uuid = connection.features.has_native_uuid_field
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list = []
            for entry in chunk:
                params += [
                    _uuid_param(entry.client_id),
                    constant["site_id"],
                    entry.category,
                    entry.delta,
                    _time_param(entry.recorded_at),
                    constant["received_at"],
                    constant["recorded_by_id"],
                    constant["device_id"],
                    entry.is_correction,
                    entry.reason,
                    constant["sync_id"],
                    entry.imported,
                ]
            placeholders = "(" + ", ".join(["%s"] * len(ENTRY_COLUMNS)) + ")"
            cursor.execute(
                f"INSERT INTO {ENTRY_TABLE} ({', '.join(ENTRY_COLUMNS)}) "  # noqa: S608
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                "ON CONFLICT (client_id) DO NOTHING RETURNING client_id",
                params,
            )
            for (client_id,) in cursor.fetchall():
                stored.add(client_id if native_uuid else uuid.UUID(client_id))
    if stored:
        new = [entry for entry in rows if entry.client_id in stored]
        _add_to_hours(site_id, new)
        counters = sorted(set(limit_counters))
        if counters:
            _add_to_minutes(site_id, new, counters)
    return stored


def _upsert(table: str, key: Sequence[str], values: Sequence[str], rows: list[tuple]) -> None:
    """Insert `rows` (key columns, then value columns), adding the values to a row that
    is there already."""
    columns = [*key, *values]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adding = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in values)
    per_statement = max(1, _max_params() // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {adding}",
                [value for row in chunk for value in row],
            )


def _add_to_hours(site_id: int, entries: Iterable[NewEntry]) -> None:
    sums: dict[tuple[str, datetime.datetime], list[int]] = defaultdict(lambda: [0, 0, 0])
    for entry in entries:
        row = sums[entry.category, hour_of(entry.recorded_at)]
        row[0] += entry.delta
        row[1] += 1
        row[2] += entry.is_correction
    _upsert(
        HOUR_TABLE,
        ("site_id", "category", "hour"),
        ("total", "entries", "corrections"),
        [
            (site_id, category, _time_param(hour), *sums[category, hour])
            for category, hour in sorted(sums)
        ],
    )


def _add_to_minutes(site_id: int, entries: Iterable[NewEntry], counters: list[str]) -> None:
    sums: dict[tuple[str, str, datetime.datetime], int] = defaultdict(int)
    for entry in entries:
        if entry.delta > 0 and not entry.is_correction and not entry.imported:
            minute = minute_of(entry.recorded_at)
            for counter in counters:
                sums[counter, entry.category, minute] += entry.delta
    if sums:
        _upsert(
            MINUTE_TABLE,
            ("site_id", "counter", "category", "minute"),
            ("added",),
            [
                (site_id, counter, category, _time_param(minute), sums[counter, category, minute])
                for counter, category, minute in sorted(sums)
            ],
        )


# --- Summing afresh, and checking --------------------------------------------------------

# The hour and minute of `recorded_at` in UTC, in SQL. SQLite holds datetimes as UTC
# text ("2027-09-25 10:15:00.000000"), as Django writes them.
_TRUNCATE = {
    "postgresql": "date_trunc('{unit}', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "strftime('{format}', recorded_at)",
}
_SQLITE_FORMATS = {"hour": "%%Y-%%m-%%d %%H:00:00", "minute": "%%Y-%%m-%%d %%H:%%M:00"}


def _truncate(unit: str, vendor: str) -> str:
    return _TRUNCATE[vendor].format(unit=unit, format=_SQLITE_FORMATS[unit])


def _sites_condition(site_ids: Sequence[int] | None) -> tuple[str, list]:
    """`AND site_id IN (…)` and its parameters; nothing for all sites."""
    if site_ids is None:
        return "", []
    ids = sorted(set(site_ids)) or [0]
    return f"AND site_id IN ({', '.join(['%s'] * len(ids))})", ids


def hours_sql(vendor: str, site_ids: Sequence[int] | None = None) -> tuple[str, list]:
    """SELECT the hourly totals from the entries (of `site_ids`, default all): site_id,
    category, hour, total, entries, corrections; and its parameters."""
    hour = _truncate("hour", vendor)
    sites, ids = _sites_condition(site_ids)
    return (
        f"SELECT site_id, category, {hour} AS hour, SUM(delta), COUNT(*), "  # noqa: S608
        f"SUM(CASE WHEN is_correction THEN 1 ELSE 0 END) FROM {ENTRY_TABLE} "
        f"WHERE TRUE {sites} GROUP BY site_id, category, {hour}"
    ), ids


def minutes_sql(vendor: str, site_ids: Sequence[int] | None = None) -> tuple[str, list]:
    """SELECT the per-minute counts from the entries (of `site_ids`, default all):
    site_id, counter, category, minute, added; and its parameters."""
    minute = _truncate("minute", vendor)
    sites, ids = _sites_condition(site_ids)
    # Imported totals of past editions (`imported`) count towards no limit, as corrections.
    adding = f"delta > 0 AND NOT is_correction AND NOT imported {sites}"
    return (
        "SELECT site_id, counter, category, minute, SUM(delta) FROM ("  # noqa: S608
        "SELECT site_id, 'u' || CAST(recorded_by_id AS TEXT) AS counter, category, "
        f"{minute} AS minute, delta FROM {ENTRY_TABLE} "
        f"WHERE recorded_by_id IS NOT NULL AND {adding} "
        "UNION ALL "
        f"SELECT site_id, 'd' || device_id, category, {minute}, delta FROM {ENTRY_TABLE} "
        f"WHERE device_id <> '' AND {adding}"
        ") adding GROUP BY site_id, counter, category, minute"
    ), ids * 2


_SUMMARIES = (
    (HOUR_TABLE, 3, "site_id, category, hour, total, entries, corrections", hours_sql),
    (MINUTE_TABLE, 4, "site_id, counter, category, minute, added", minutes_sql),
)


def refill(site_ids: Sequence[int] | None = None) -> None:
    """Sum the summaries afresh from the entries (of `site_ids`, default all), each with
    one INSERT … SELECT: after entries were written around the services (the
    benchmark's seed with COPY), or deleted (`benchmarks/seed_large.py` resets its
    counting sites). Run it in a transaction, with nobody counting at those sites."""
    sites, ids = _sites_condition(site_ids)
    with connection.cursor() as cursor:
        for table, _key_size, columns, select in _SUMMARIES:
            sql, params = select(connection.vendor, site_ids)
            cursor.execute(f"DELETE FROM {table} WHERE TRUE {sites}", ids)  # noqa: S608
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


def _key(values: tuple) -> tuple:
    """A summary's key with its moment written one way: SQLite gives a stored column back
    as a datetime but a computed one as text, PostgreSQL both as datetimes."""
    return tuple(
        (value.astimezone(datetime.UTC) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, datetime.datetime)
        else value
        for value in values
    )


def summary_differences(site_ids: Sequence[int] | None = None) -> list[tuple]:
    """Where the summaries do not equal the sums of the entries (of `site_ids`, default
    all): `(table, key, from the entries, stored)` per differing row; empty when exact."""
    sites, ids = _sites_condition(site_ids)
    differences = []
    with connection.cursor() as cursor:
        for table, key_size, columns, select in _SUMMARIES:
            cursor.execute(*select(connection.vendor, site_ids))
            expected = {_key(row[:key_size]): tuple(map(int, row[key_size:])) for row in cursor}
            cursor.execute(f"SELECT {columns} FROM {table} WHERE TRUE {sites}", ids)  # noqa: S608
            stored = {_key(row[:key_size]): tuple(map(int, row[key_size:])) for row in cursor}
            for key in sorted(expected.keys() | stored.keys(), key=str):
                if expected.get(key) != stored.get(key):
                    differences.append((table, key, expected.get(key), stored.get(key)))
    return differences
