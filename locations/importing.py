"""Import locations from a CSV file saved by Excel (or anything else).

The file: comma- or semicolon-separated (told apart by the header line), UTF-8 with or
without a byte order mark, or Windows-1252 (detected with charset-normalizer; any other
encoding is refused with a clear message). The first line names the columns, in Dutch or
English, in any order; see `COLUMNS` and README (Locations, Import).

Each row is checked on its own: a bad row is reported with its row number (as Excel shows
it: the header is row 1) and the reason, and the good rows are imported. A row updates the
location with the same `reference`; a row without a reference updates the location with
the same name and postcode (or name and town when it has no postcode) when there is
exactly one. Rows with coordinates are placed by hand; rows without are looked up through
the geocoding chain, except that a pin placed by hand earlier is never moved by an import.

`location_import()` is the service; the management command `import_locations` and a future
upload page only read the file and show the report.
"""

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import charset_normalizer
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from common.errors import DomainError, InvalidInput
from common.text import plain_text_problem

from .addresses import parse_house_number, province_code, split_street_and_number
from .gazetteer import fold
from .geocoding import GeocodingError
from .models import Location
from .postcodes import normalise_postcode
from .services import IMPORT_SOURCE, LocationInput, location_save

# Column → the header names that mean it (compared without case, accents, spaces, hyphens).
COLUMNS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "referentie", "ref", "id", "code"),
    "name": ("name", "naam", "locatie", "location"),
    "kind": ("kind", "soort", "type"),
    "street": ("street", "straat", "adres", "address"),
    "house_number": ("house_number", "huisnummer", "nummer", "number", "nr"),
    "house_number_addition": ("addition", "toevoeging", "huisnummertoevoeging"),
    "postcode": ("postcode", "postal_code", "zip"),
    "city": ("city", "plaats", "town", "woonplaats", "stad"),
    "municipality": ("municipality", "gemeente"),
    "province": ("province", "provincie"),
    "latitude": ("latitude", "lat", "breedtegraad"),
    "longitude": ("longitude", "lon", "lng", "lengtegraad"),
}
REQUIRED = ("name", "city")
# Columns of text that people read (on pages, in feeds and in mails): one line each, no
# control characters or bidi overrides (`common.text`).
TEXT_COLUMNS = {
    "reference": gettext_lazy("Reference"),
    "name": gettext_lazy("Name"),
    "street": gettext_lazy("Street"),
    "house_number": gettext_lazy("House number"),
    "house_number_addition": pgettext_lazy("house number addition (e.g. the A in 12A)", "Addition"),
    "postcode": gettext_lazy("Postcode"),
    "city": gettext_lazy("Town"),
    "municipality": gettext_lazy("Municipality"),
}

KINDS = {
    "azc": Location.Kind.AZC,
    "asielzoekerscentrum": Location.Kind.AZC,
    "public space": Location.Kind.PUBLIC_SPACE,
    "public_space": Location.Kind.PUBLIC_SPACE,
    "openbare ruimte": Location.Kind.PUBLIC_SPACE,
    "plein": Location.Kind.PUBLIC_SPACE,
    "other": Location.Kind.OTHER,
    "anders": Location.Kind.OTHER,
    "overig": Location.Kind.OTHER,
    "": Location.Kind.OTHER,
}

_WINDOWS_1252 = "windows-1252"


class ImportFileError(DomainError):
    """The file as a whole cannot be read: wrong encoding, no header, missing columns."""

    code = "import_file_invalid"
    status_code = 400


@dataclass
class RowProblem:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row}
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class ImportReport:
    encoding: str
    delimiter: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    precisions: Counter = field(default_factory=Counter)
    fallbacks: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({problem.row for problem in self.problems})


# --- Reading the file ----------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and its encoding: UTF-8 (with or without BOM) or Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            _(
                "The file is saved as UTF-16 (Excel's “Unicode text”). Save it as "
                "“CSV UTF-8 (comma delimited)” and import that."
            )
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8. Ask charset-normalizer whether Windows-1252 reads as sensible text (an
    # Arabic or Greek Windows code page does not), rather than trusting its overall guess,
    # which is unsteady on short files.
    if charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best() is not None:
        return data.decode("cp1252"), _WINDOWS_1252
    guess = charset_normalizer.from_bytes(data).best()
    raise ImportFileError(
        _(
            "The file is neither UTF-8 nor Windows-1252 (it looks like %(encoding)s). "
            "Save it as “CSV UTF-8 (comma delimited)” and import that."
        ),
        encoding=guess.encoding if guess else _("binary data"),
    )


def header_key(name: str) -> str:
    """A header name as it is compared: without case, accents, spaces and hyphens."""
    return fold(name).replace(" ", "_").strip("_")


def header_lookup(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{header key: column} for a table of columns and the header names that mean them."""
    return {header_key(alias): column for column, aliases in columns.items() for alias in aliases}


def match_header(
    header: list[str], *, lookup: dict[str, str], required, label
) -> tuple[list[str], list[str]]:
    """(the column of each header cell, "" for one not used; the header names not used) of
    a spreadsheet's first row. Refuses a column named twice, or a `required` one missing
    (named by `label(column)`, as the README lists it)."""
    columns: list[str] = []
    ignored: list[str] = []
    for name in header:
        column = lookup.get(header_key(name), "")
        if column and column in columns:
            raise ImportFileError(_("The column “%(name)s” appears twice."), name=name.strip())
        if not column and name.strip():
            ignored.append(name.strip())
        columns.append(column)
    missing = [column for column in required if column not in columns]
    if missing:
        raise ImportFileError(
            _(
                "The first line must name the columns; “%(missing)s” is missing. Found: "
                "%(found)s. See the README for the columns."
            ),
            missing=", ".join(label(column) for column in missing),
            found=", ".join(h.strip() for h in header) or "-",
        )
    return columns, ignored


_HEADER_TO_COLUMN = header_lookup(COLUMNS)


def read_rows(text: str) -> tuple[str, list[str], list[dict[str, str]], list[str]]:
    """(delimiter, columns, rows as {column: text}, ignored header names) of a CSV text."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise ImportFileError(_("The file is empty."))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    columns, ignored = match_header(
        header,
        lookup=_HEADER_TO_COLUMN,
        required=REQUIRED,
        label=lambda column: f"{column} / {COLUMNS[column][1]}",
    )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            rows.append({})  # an empty line keeps its row number, and is skipped
            continue
        row = dict.fromkeys(COLUMNS, "")
        for column, cell in zip(columns, cells, strict=False):
            if column:
                row[column] = cell.strip()
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            row["_extra"] = "1"
        rows.append(row)
    return delimiter, columns, rows, ignored


# --- One row ---------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# What `parse_row` and `find_existing` raise for a bad row (read by other imports too).
RowError = _RowError


def _number(text: str, column: str, low: float, high: float) -> float | None:
    if not text:
        return None
    try:
        # Dutch Excel writes decimals with a comma.
        value = float(text.replace(",", "."))
    except ValueError:
        raise _RowError(column, _("“%(value)s” is not a number.") % {"value": text}) from None
    if not low <= value <= high:
        raise _RowError(
            column,
            _("%(value)s lies outside %(low)g to %(high)g.")
            % {"value": text, "low": low, "high": high},
        )
    return value


def parse_row(row: dict[str, str]) -> LocationInput:
    if row.get("_extra"):
        raise _RowError("", _("The row has more cells than the header has columns."))
    for column in REQUIRED:
        if not row[column]:
            raise _RowError(column, _("This column is required."))
    for column, label in TEXT_COLUMNS.items():
        problem = plain_text_problem(row[column], label)
        if problem:
            raise _RowError(column, problem)
    if len(row["name"]) > 200:
        raise _RowError("name", _("At most 200 characters."))
    reference = row["reference"] or None
    if reference and len(reference) > 100:
        raise _RowError("reference", _("At most 100 characters."))
    kind = KINDS.get(fold(row["kind"]).replace("_", " "), KINDS.get(row["kind"].strip().lower()))
    if kind is None:
        raise _RowError(
            "kind",
            _("“%(value)s” is no kind of location; use azc, public space or other.")
            % {"value": row["kind"]},
        )
    street, number_text = row["street"], row["house_number"]
    if street and not number_text:
        street, number_text = split_street_and_number(street)
    number, addition = None, ""
    if number_text or row["house_number_addition"]:
        try:
            house = parse_house_number(number_text, row["house_number_addition"])
        except ValidationError as error:
            raise _RowError("house_number", error.messages[0]) from None
        number, addition = house.number, house.suffix
    postcode = ""
    if row["postcode"]:
        try:
            postcode = normalise_postcode(row["postcode"])
        except ValidationError as error:
            raise _RowError("postcode", error.messages[0]) from None
    province = ""
    if row["province"]:
        province = province_code(row["province"])
        if not province:
            raise _RowError(
                "province", _("“%(value)s” is no Dutch province.") % {"value": row["province"]}
            )
    latitude = _number(row["latitude"], "latitude", -90, 90)
    longitude = _number(row["longitude"], "longitude", -180, 180)
    if (latitude is None) != (longitude is None):
        raise _RowError(
            "longitude" if longitude is None else "latitude",
            _("Give both latitude and longitude, or neither."),
        )
    return LocationInput(
        name=row["name"],
        city=row["city"],
        kind=kind,
        reference=reference,
        street=street,
        house_number=number,
        house_number_addition=addition,
        postcode=postcode,
        municipality=row["municipality"],
        province=province,
        latitude=latitude,
        longitude=longitude,
        position_is_manual=True if latitude is not None else None,
        position_source=IMPORT_SOURCE,
    )


def natural_key(data: LocationInput) -> tuple:
    if data.reference:
        return ("reference", data.reference)
    if data.postcode:
        return ("name+postcode", fold(data.name), data.postcode)
    return ("name+city", fold(data.name), fold(data.city))


def find_existing(data: LocationInput) -> Location | None:
    """The location this row updates (see the module's docstring), or None for a new one.
    Raises `_RowError` when the fallback key matches several locations."""
    if data.reference:
        return Location.objects.filter(reference=data.reference).first()
    if data.postcode:
        matches = Location.objects.filter(name__iexact=data.name, postcode=data.postcode)
    else:
        matches = Location.objects.filter(name__iexact=data.name, city__iexact=data.city)
    found = list(matches[:2])
    if len(found) > 1:
        raise _RowError(
            "reference",
            _("Several locations have this name and postcode or town; give the row a reference."),
        )
    return found[0] if found else None


# --- The import -------------------------------------------------------------------------------


def location_import(
    *,
    data: bytes,
    dry_run: bool = False,
    by=None,
    progress: Callable[[Iterable, int], Iterable] | None = None,
) -> ImportReport:
    """Import the locations in a CSV file (bytes) and report what happened to each row.

    Raises `ImportFileError` when the file as a whole cannot be read; never for one bad
    row. With `dry_run`, every row is checked and looked up but nothing is written (the
    geocoding cache may still learn). `progress(rows, total)` may wrap the rows, e.g. in
    a tqdm progress bar.
    """
    text, encoding = decode(data)
    delimiter, _columns, rows, ignored = read_rows(text)
    report = ImportReport(
        encoding=encoding, delimiter=delimiter, dry_run=dry_run, ignored_columns=ignored
    )
    seen: dict[tuple, int] = {}
    numbered = list(enumerate(rows, start=2))
    iterable = progress(numbered, len(numbered)) if progress else numbered
    for number, row in iterable:
        if not row:
            continue
        report.rows += 1
        try:
            location_input = parse_row(row)
            key = natural_key(location_input)
            if key in seen:
                raise _RowError(
                    "reference" if location_input.reference else "name",
                    _("The same location as row %(row)d.") % {"row": seen[key]},
                )
            seen[key] = number
            existing = find_existing(location_input)
            outcome = location_save(
                location=existing, data=location_input, by=by, commit=not dry_run
            )
        except _RowError as error:
            report.problems.append(RowProblem(number, error.column, error.message))
            continue
        except InvalidInput as error:
            for column, messages in error.field_errors.items():
                for message in messages:
                    report.problems.append(
                        RowProblem(number, "" if column == "__all__" else column, message)
                    )
            continue
        except GeocodingError as error:
            report.problems.append(
                RowProblem(
                    number,
                    "address",
                    _("%(reason)s (Or give its latitude and longitude.)")
                    % {"reason": error.detail},
                )
            )
            continue
        if outcome.created:
            report.created += 1
        elif outcome.changed:
            report.updated += 1
        else:
            report.unchanged += 1
        report.precisions[outcome.location.position_precision] += 1
        if outcome.geocoded is not None and outcome.geocoded.failures:
            report.fallbacks.append(
                _("row %(row)d: %(description)s")
                % {"row": number, "description": outcome.geocoded.describe()}
            )
    return report
