"""A past edition from a spreadsheet: its sites as published history, its totals as
imported tally entries (README, "Past editions from a spreadsheet").

The file: CSV (comma or semicolon, UTF-8 or Windows-1252) or an Excel workbook (.xlsx, its
first sheet), read as the branch import reads it (`locations.branch_import.read_table`).
One row per site; the first non-empty row names the columns, in Dutch or English:

- the location, as the location import takes it (`locations.importing.COLUMNS`: name and
  town required; street, house number, postcode, …, latitude and longitude optional);
- the branch that ran the site (by name, whatever the case);
- the date, the opening and the closing time;
- one column per category counted at the edition's kind, named by the category's slug
  or name in English or Dutch (`tallies.categories.categories_of`); an empty cell is 0;
- a note (ignored: e.g. "illustrative figure"). Any other column refuses the file.

The edition's name, slug and kind are given beside the file (command options, form
fields); its date is the rows' date. `history_import()` checks every row and lists every
problem by row; a file with a problem imports nothing. Otherwise, in one transaction:

- the edition is created as history (`events.services.edition_history_record`), with a
  `HistoryImport` record; an edition of that slug made otherwise is never imported into;
- each location is matched as the location import matches it (reference, or name and
  postcode, or name and town) and used as it is, or created and placed by the geocoding
  chain: an address that cannot be found is a row problem, never placed at a guess. The
  lookups happen before the transaction (the geocoder may call the network), and the
  write finds them in the geocoding cache;
- a site per location, published, with the row's hours and branch;
- per site and category, the row's total as one tally entry marked `imported`, counted at
  the site's opening hour, stored by `tallies.summary.store_entries` like every entry (so
  the hourly totals, the dashboard, its comparison and the impact report see it). Its
  client id is a UUID5 of the edition's slug, the location and the category: importing
  the same file again stores nothing.

A changed figure on a later import is recorded, not overwritten: a correction entry (also
marked imported) adds the difference between the site's total and the file's figure,
with a reason naming both, so every total stays traceable. Importing the same file again
then changes nothing, as the totals already match. A site already in the edition keeps
its hours and branch; a row that says otherwise is a problem. New rows add sites.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import clock
from common.errors import DomainError, InvalidInput
from common.text import plain_text_problem
from events import locking
from events.models import Event, Site
from events.services import PastSite, edition_history_record, past_sites_add
from locations import importing
from locations.branch_import import name_key, read_table
from locations.geocoding import GeocodingError
from locations.importing import ImportFileError, RowProblem
from locations.models import Branch, Location
from locations.services import IMPORT_SOURCE, LocationInput, branch_create, location_save

from .categories import categories_of
from .models import HistoryImport, TallyEntry
from .summary import NewEntry, store_entries

__all__ = [
    "HistoryImportConflict",
    "HistoryImportReport",
    "ImportFileError",
    "history_import",
]

# Namespace of the client ids of imported totals (uuid5 over slug, location, category).
ENTRY_NAMESPACE = uuid.UUID("0d7b1f38-5a8e-4c1e-9f61-3f2f0a6c9b27")
MAX_ROWS = 5000
MAX_COUNT = 1_000_000
DEVICE = "history-import"

# Beside the location import's columns (compared without case, accents, spaces, hyphens).
COLUMNS: dict[str, tuple[str, ...]] = {
    "branch": (
        "branch",
        "branch name",
        "afdeling",
        "afdelingsnaam",
        "naam afdeling",
        "local group",
        "lokale groep",
    ),
    "date": ("date", "datum", "day", "dag"),
    "opens": ("opens", "opens at", "open", "opening", "from", "geopend van", "van", "begin"),
    "closes": (
        "closes",
        "closes at",
        "closing",
        "until",
        "to",
        "tot",
        "sluit",
        "sluiting",
        "gesloten",
        "einde",
    ),
    "note": ("note", "notes", "remark", "comment", "notitie", "opmerking", "toelichting"),
}
LABELS = {
    "branch": gettext_lazy("Branch"),
    "date": gettext_lazy("Date"),
    "opens": gettext_lazy("Opens"),
    "closes": gettext_lazy("Closes"),
}
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_WHOLE = re.compile(r"^\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")


class HistoryImportConflict(DomainError):
    """The edition or its places changed while the import was writing; nothing was
    written."""

    code = "history_import_conflict"
    default_message = gettext_lazy(
        "The edition or its places were changed at the same moment; nothing was imported. "
        "Import the file again."
    )


@dataclass
class HistoryRow:
    """One row as read: the location (existing, or to be made from `location_input`),
    the branch (existing, or `branch_name` to create), hours and totals per category."""

    row: int
    location_input: LocationInput | None = None
    location: Location | None = None
    branch_name: str = ""
    branch: Branch | None = None
    date: datetime.date | None = None
    opens: datetime.time | None = None
    closes: datetime.time | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.location is not None:
            return self.location.name
        return self.location_input.name if self.location_input else ""


@dataclass
class HistoryImportReport:
    file_kind: str  # "csv" or "xlsx"
    dry_run: bool
    name: str
    slug: str
    kind: str
    date: datetime.date | None = None
    categories: list = field(default_factory=list)  # `Counted`, in their order
    rows: list[HistoryRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    existing_edition: bool = False
    locations_created: int = 0
    locations_matched: int = 0
    branches_created: int = 0
    sites_created: int = 0
    sites_unchanged: int = 0
    entries_created: int = 0
    corrections: int = 0
    written: bool = False

    @property
    def bad_rows(self) -> set[int]:
        return {problem.row for problem in self.problems}

    @property
    def totals(self) -> dict[str, int]:
        """The file's totals per category slug."""
        return {
            category.slug: sum(row.counts.get(category.slug, 0) for row in self.rows)
            for category in self.categories
        }

    def total_rows(self) -> list[tuple[str, int]]:
        """(category name, the file's total), for the page."""
        totals = self.totals
        return [(category.name, totals[category.slug]) for category in self.categories]

    @property
    def changed(self) -> bool:
        return bool(
            not self.existing_edition
            or self.locations_created
            or self.branches_created
            or self.sites_created
            or self.entries_created
            or self.corrections
        )

    def problems_by_row(self) -> list[tuple[int, list[RowProblem]]]:
        grouped: dict[int, list[RowProblem]] = {}
        for problem in sorted(self.problems, key=lambda p: p.row):
            grouped.setdefault(problem.row, []).append(problem)
        return list(grouped.items())


# --- Reading --------------------------------------------------------------------------------


def _category_lookup(kind: str) -> dict[str, str]:
    """{header key: category slug} for the categories counted at `kind`, retired ones
    too (a past edition counted them): the slug, and the name in every language."""
    lookup: dict[str, str] = {}
    for category in categories_of(kind, retired=True):
        for alias in (category.slug, *category.names.values()):
            if alias:
                lookup.setdefault(importing.header_key(alias), category.slug)
    return lookup


def _columns(header: list[str], kind: str) -> tuple[list[str], list[str]]:
    """The column of each header cell ("" for a note), and the note columns' names.
    Raises `ImportFileError` for an unknown column, a column named twice, or a required
    one missing."""
    lookup = {
        **importing.header_lookup(importing.COLUMNS),
        **importing.header_lookup(COLUMNS),
    }
    categories = _category_lookup(kind)
    for key, slug in categories.items():
        lookup.setdefault(key, f"count:{slug}")
    unknown = [
        name.strip() for name in header if name.strip() and importing.header_key(name) not in lookup
    ]
    if unknown:
        counted = ", ".join(sorted({c.slug for c in categories_of(kind, retired=True)}))
        raise ImportFileError(
            _(
                "Unknown columns: %(names)s. A count column is named after a category "
                "counted at this kind of action day (%(categories)s); see the README for "
                "the other columns."
            ),
            names=", ".join(f"“{name}”" for name in unknown),
            categories=counted,
        )
    columns, _ignored = importing.match_header(
        header,
        lookup=lookup,
        required=(*importing.REQUIRED, "branch", "date", "opens", "closes"),
        label=lambda column: _column_label(column),
    )
    notes = [name.strip() for name, column in zip(header, columns, strict=True) if column == "note"]
    return ["" if column == "note" else column for column in columns], notes


def _column_label(column: str) -> str:
    if column in COLUMNS:
        return f"{COLUMNS[column][0]} / {COLUMNS[column][2 if column == 'branch' else 1]}"
    return f"{column} / {importing.COLUMNS[column][1]}"


def _parse_date(text: str) -> datetime.date:
    text = text.strip()
    if "T" in text:  # a date cell of a workbook: 2018-09-22T00:00:00
        text = text.split("T", 1)[0]
    match = _DATE_DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None


def _parse_time(text: str) -> datetime.time:
    text = text.strip()
    if "T" in text:  # a date and time cell of a workbook
        text = text.split("T", 1)[1]
    match = _TIME.match(text)
    if not match:
        raise ValueError(text)
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    return datetime.time(hour, minute, second)


def _parse_count(text: str) -> int:
    """A whole number of zero or more ("19250", "19.250", "19 250"); raises ValueError."""
    text = text.strip().replace("\u00a0", " ")
    if not text:
        return 0
    if _WHOLE.match(text):
        return int(text)
    if _THOUSANDS.match(text):
        return int(re.sub(r"[.,\s]", "", text))
    raise ValueError(text)


# The action days began in the 2010s; a year before this is a typing error (and a year
# near 1 lies outside what the databases' date arithmetic handles).
EARLIEST_DATE = datetime.date(2000, 1, 1)


def _read_row(
    number: int, cells: dict[str, str], categories: list, problems: list[RowProblem]
) -> HistoryRow:
    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(number, column, message))

    row = HistoryRow(row=number)
    location_cells = dict.fromkeys(importing.COLUMNS, "")
    location_cells.update({k: v for k, v in cells.items() if k in importing.COLUMNS})
    try:
        row.location_input = importing.parse_row(location_cells)
        row.location_input.position_source = IMPORT_SOURCE
    except importing.RowError as error:
        problem(str(importing.TEXT_COLUMNS.get(error.column, error.column)), error.message)

    row.branch_name = cells.get("branch", "")
    label = str(LABELS["branch"])
    if not row.branch_name:
        problem(label, _("Which branch ran this site?"))
    else:
        message = plain_text_problem(row.branch_name, LABELS["branch"])
        if message:
            problem(label, message)
        elif len(row.branch_name) > 200:
            problem(label, _("At most 200 characters."))

    text = cells.get("date", "")
    if not text:
        problem(str(LABELS["date"]), _("The date is missing."))
    else:
        try:
            row.date = _parse_date(text)
        except ValueError:
            problem(
                str(LABELS["date"]),
                _("“%(value)s” is no date; write it as 2018-09-22 or 22-09-2018.")
                % {"value": text[:40]},
            )
        else:
            if row.date < EARLIEST_DATE:
                problem(
                    str(LABELS["date"]),
                    _("%(date)s lies before %(earliest)s: check the year.")
                    % {"date": row.date.isoformat(), "earliest": EARLIEST_DATE.year},
                )
            elif row.date >= clock.today():
                problem(
                    str(LABELS["date"]),
                    _("%(date)s has not passed: only a past edition is imported; plan this one.")
                    % {"date": row.date.isoformat()},
                )
    for column in ("opens", "closes"):
        text = cells.get(column, "")
        if not text:
            problem(str(LABELS[column]), _("The time is missing."))
            continue
        try:
            setattr(row, column, _parse_time(text))
        except ValueError:
            problem(
                str(LABELS[column]),
                _("“%(value)s” is no time of day; write it as 11:00.") % {"value": text[:40]},
            )
    if row.opens is not None and row.closes is not None and row.closes <= row.opens:
        problem(str(LABELS["closes"]), _("The site closes before it opens."))

    for category in categories:
        text = cells.get(f"count:{category.slug}", "")
        try:
            count = _parse_count(text)
        except ValueError:
            problem(
                category.name,
                _("“%(value)s” is no whole number of zero or more.") % {"value": text[:40]},
            )
            continue
        if count > MAX_COUNT:
            problem(
                category.name,
                _("More than %(max)s at one site: check the figure.") % {"max": MAX_COUNT},
            )
            continue
        row.counts[category.slug] = count
    return row


def _match_branches(report: HistoryImportReport, create_branches: bool) -> None:
    existing: dict[str, list[Branch]] = {}
    for branch in Branch.objects.all():
        existing.setdefault(name_key(branch.name), []).append(branch)
    label = str(LABELS["branch"])
    for row in report.rows:
        if not row.branch_name:
            continue
        matches = existing.get(name_key(row.branch_name), [])
        if len(matches) > 1:
            report.problems.append(
                RowProblem(
                    row.row,
                    label,
                    _("Several branches have this name apart from capitals; rename one."),
                )
            )
        elif matches:
            row.branch = matches[0]
        elif not create_branches:
            report.problems.append(
                RowProblem(
                    row.row,
                    label,
                    _(
                        "No branch is called “%(name)s”. Import the branches first, correct "
                        "the name, or let the import create the branches it does not know."
                    )
                    % {"name": row.branch_name[:200]},
                )
            )


def _check_one_day(report: HistoryImportReport) -> None:
    first: HistoryRow | None = None
    for row in report.rows:
        if row.date is None:
            continue
        if first is None:
            first = row
            report.date = row.date
        elif row.date != first.date:
            report.problems.append(
                RowProblem(
                    row.row,
                    str(LABELS["date"]),
                    _("Another day than row %(row)d (%(date)s): an edition is one day.")
                    % {"row": first.row, "date": first.date.isoformat()},
                )
            )


def _locate(report: HistoryImportReport) -> None:
    """Match each row's location, or look its address up (outside any transaction: the
    geocoder may call the network; what it finds is cached for the write)."""
    seen: dict[tuple, int] = {}
    for row in report.rows:
        data = row.location_input
        if data is None:
            continue
        key = importing.natural_key(data)
        if key in seen:
            report.problems.append(
                RowProblem(
                    row.row,
                    str(importing.TEXT_COLUMNS["name"]),
                    _("The same location as row %(row)d.") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = row.row
        try:
            row.location = importing.find_existing(data)
            if row.location is None:
                location_save(location=None, data=data, commit=False, branch=None)
        except importing.RowError as error:
            report.problems.append(RowProblem(row.row, error.column, error.message))
        except InvalidInput as error:
            for column, messages in error.field_errors.items():
                for message in messages:
                    report.problems.append(
                        RowProblem(row.row, "" if column == "__all__" else column, message)
                    )
        except GeocodingError as error:
            report.problems.append(
                RowProblem(
                    row.row,
                    _("address"),
                    _("%(reason)s (Or give its latitude and longitude.)")
                    % {"reason": error.detail},
                )
            )


def _existing_edition(slug: str, kind: str) -> Event | None:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        return None
    if not HistoryImport.objects.filter(event=event).exists():
        raise ImportFileError(
            _(
                "The edition “%(name)s” (%(slug)s) was not made by an import: an import "
                "never changes it. Choose another slug."
            ),
            name=event.name,
            slug=slug,
        )
    if event.kind_id != kind:
        raise ImportFileError(
            _("The imported edition “%(name)s” is of another kind of action day."),
            name=event.name,
        )
    return event


def _local_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, clock.local_zone()).strftime("%H:%M")


def _check_existing_sites(report: HistoryImportReport, event: Event) -> None:
    if report.date is not None and report.date != event.date:
        report.problems.append(
            RowProblem(
                report.rows[0].row if report.rows else 0,
                str(LABELS["date"]),
                _("The imported edition took place on %(date)s, not on this day.")
                % {"date": event.date.isoformat()},
            )
        )
        return
    sites = {
        site.location_id: site for site in Site.objects.filter(event=event).select_related("branch")
    }
    for row in report.rows:
        site = sites.get(row.location.pk) if row.location is not None else None
        if site is None or row.date is None or row.opens is None or row.closes is None:
            continue
        hours = (clock.at_local(row.date, row.opens), clock.at_local(row.date, row.closes))
        if hours != (site.opens_at, site.closes_at):
            report.problems.append(
                RowProblem(
                    row.row,
                    str(LABELS["opens"]),
                    _("This site was imported open %(opens)s–%(closes)s; its hours stay so.")
                    % {
                        "opens": _local_time(site.opens_at),
                        "closes": _local_time(site.closes_at),
                    },
                )
            )
        if row.branch is not None and row.branch.pk != site.branch_id:
            report.problems.append(
                RowProblem(
                    row.row,
                    str(LABELS["branch"]),
                    _("This site was imported as run by %(branch)s; that stays so.")
                    % {"branch": site.branch.name},
                )
            )


# --- Writing --------------------------------------------------------------------------------


def entry_id(*, slug: str, location: Location, category: str, step: int = 0) -> uuid.UUID:
    """The client id of an imported total (step 0) or of its `step`th correction."""
    return uuid.uuid5(ENTRY_NAMESPACE, f"{slug}|{location.pk}|{category}|{step}")


def _write(report: HistoryImportReport, *, by, event: Event | None, description: str) -> None:
    """Everything, in the caller's transaction (see the module's text)."""
    branches: dict[str, Branch] = {}
    for row in report.rows:
        if row.branch is None:
            key = name_key(row.branch_name)
            if key not in branches:
                branches[key] = branch_create(
                    name=row.branch_name,
                    town=row.location_input.city if row.location_input else "",
                    province=row.location_input.province if row.location_input else "",
                )
                report.branches_created += 1
            row.branch = branches[key]
        if row.location is None:
            # Found in the geocoding cache: `_locate` looked it up before the transaction.
            row.location = location_save(
                location=None, data=row.location_input, by=by, branch=row.branch
            ).location
            report.locations_created += 1
        else:
            report.locations_matched += 1

    def past(row: HistoryRow) -> PastSite:
        return PastSite(
            location=row.location,
            branch=row.branch,
            opens_at=clock.at_local(row.date, row.opens),
            closes_at=clock.at_local(row.date, row.closes),
        )

    if event is None:
        event = edition_history_record(
            name=report.name,
            slug=report.slug,
            kind=report.kind,
            date=report.date,
            sites=[past(row) for row in report.rows],
            by=by,
            description=description,
        )
        HistoryImport.objects.create(event=event, imported_by=by)
        report.sites_created = len(report.rows)
    else:
        have = set(Site.objects.filter(event=event).values_list("location_id", flat=True))
        new = [row for row in report.rows if row.location.pk not in have]
        past_sites_add(event=event, sites=[past(row) for row in new], by=by)
        report.sites_created = len(new)
        report.sites_unchanged = len(report.rows) - len(new)

    sites = {site.location_id: site for site in Site.objects.filter(event=event)}
    now = clock.now()
    sync_id = uuid.uuid4()
    by_id = by.pk if by is not None else None
    for row in report.rows:
        site = sites[row.location.pk]
        stored = dict(
            TallyEntry.objects.filter(site=site)
            .values_list("category")
            .annotate(total=Sum("delta"))
            .order_by()
        )
        steps = dict(
            TallyEntry.objects.filter(site=site, imported=True)
            .values_list("category")
            .annotate(number=Count("id"))
            .order_by()
        )
        entries = []
        for slug, figure in row.counts.items():
            have = stored.get(slug, 0)
            if figure == have:
                continue
            step = steps.get(slug, 0)
            client_id = entry_id(slug=event.slug, location=row.location, category=slug, step=step)
            if step == 0 and have == 0:
                entries.append(NewEntry(client_id, slug, figure, site.opens_at, imported=True))
            else:
                reason = _("Imported again: the file says %(figure)s instead of %(total)s.") % {
                    "figure": figure,
                    "total": have,
                }
                entries.append(
                    NewEntry(
                        client_id,
                        slug,
                        figure - have,
                        site.opens_at,
                        is_correction=True,
                        reason=reason,
                        imported=True,
                    )
                )
        written = store_entries(
            site_id=site.pk,
            entries=entries,
            received_at=now,
            by_id=by_id,
            device_id=DEVICE,
            sync_id=sync_id,
        )
        if len(written) != len(entries):
            # Another import stored the same ids in the meantime.
            raise HistoryImportConflict()
        for entry in entries:
            if entry.is_correction:
                report.corrections += 1
            else:
                report.entries_created += 1


class _DryRun(Exception):
    """Rolls the dry run's writes back."""


def history_import(
    *,
    data: bytes,
    name: str,
    kind: str,
    slug: str = "",
    description: str = "",
    by=None,
    dry_run: bool = False,
    create_branches: bool = False,
) -> HistoryImportReport:
    """Import a past edition from a spreadsheet (see the module's text) and report.

    Raises `ImportFileError` when the file as a whole cannot be used (unreadable, a
    column unknown, missing or twice, an unknown kind, an edition of that slug that was
    not imported) and `HistoryImportConflict` when a concurrent change got in the way;
    never for a bad row: those are `problems`, and then nothing is written. A dry run
    checks everything and writes nothing (it does the import and rolls it back; the
    geocoding cache may still learn addresses). `create_branches` creates the branches
    the file names and the database does not know, instead of listing them as problems.
    """
    name = " ".join((name or "").split())
    categories = categories_of(kind, retired=True)
    if not categories:
        raise ImportFileError(_("“%(kind)s” is no kind of action day."), kind=kind)
    if not name:
        raise ImportFileError(_("Give the edition a name."))
    message = plain_text_problem(name, _("Name"))
    if message:
        raise ImportFileError(message)
    slug = slugify(slug or name)[:100]
    if not slug:
        raise ImportFileError(_("Give the edition a slug of letters and digits."))

    file_kind, table = read_table(data)
    if not table:
        raise ImportFileError(_("The file is empty."))
    (_header_number, header), *body = table
    if len(body) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(count)d rows: split it."), count=MAX_ROWS)
    columns, notes = _columns(header, kind)
    event = _existing_edition(slug, kind)
    report = HistoryImportReport(
        file_kind=file_kind,
        dry_run=dry_run,
        name=event.name if event else name,
        slug=slug,
        kind=kind,
        categories=categories,
        ignored_columns=notes,
        existing_edition=event is not None,
    )
    for number, cells in body:
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
            report.problems.append(
                RowProblem(number, "", _("The row has more cells than the header has columns."))
            )
        by_column = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column
        }
        report.rows.append(_read_row(number, by_column, categories, report.problems))
    if not report.rows:
        raise ImportFileError(_("The file has no rows under its header."))
    _check_one_day(report)
    _match_branches(report, create_branches)
    _locate(report)
    if event is not None:
        _check_existing_sites(report, event)
    if report.problems:
        return report

    try:
        with locking.write_transaction():
            if event is not None:
                # One import of an edition at a time: the next one waits here and then
                # reads what this one stored (on PostgreSQL two imports reading at once
                # each added the same correction, found by the race test in CI).
                list(Event.objects.select_for_update().filter(pk=event.pk).values_list("pk"))
            # Checked again inside the transaction: another import may have made it.
            if _existing_edition(slug, kind) != event:
                raise HistoryImportConflict()
            _write(report, by=by, event=event, description=description)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        return report
    except IntegrityError:
        raise HistoryImportConflict() from None
    except InvalidInput as error:
        # A rule of the services that the checks above did not foresee (a location
        # entered by someone else meanwhile): nothing was written.
        report.problems.append(RowProblem(0, error.field or "", error.detail))
        return report
    report.written = True
    return report
