"""Read a spreadsheet of branches and their coordinators, and check every row.

The file: CSV (comma or semicolon, UTF-8 or Windows-1252, read as the location import
reads it: `locations.importing.decode`) or an Excel workbook (.xlsx, its first sheet). The
first non-empty row names the columns, in Dutch or English, in any order (`COLUMNS`; README,
"Branches and coordinators from a spreadsheet"): the branch's name (required), town,
province, and the coordinators' e-mail addresses, several in one cell separated by commas,
semicolons, spaces or line breaks.

This module only reads and checks: `branch_file_read()` returns each row with its problems
and the existing branch it matches (by name, whatever the case). Creating accounts and
inviting people is for the layer that knows them: `accounts.coordinator_invites`.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.text import plain_text_problem

from .addresses import province_code
from .importing import ImportFileError, RowProblem, decode, header_lookup, match_header
from .models import Branch
from .xlsx import WorkbookError, is_xlsx, read_xlsx

# Column → the header names that mean it (compared without case, accents, spaces, hyphens).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "naam",
        "branch",
        "branch name",
        "afdeling",
        "afdelingsnaam",
        "naam afdeling",
        "local group",
        "lokale groep",
        "groep",
    ),
    "town": ("town", "city", "plaats", "woonplaats", "stad"),
    "province": ("province", "provincie"),
    "coordinators": (
        "coordinators",
        "coordinator",
        "coordinators e-mail",
        "coordinator e-mail",
        "coordinators email",
        "coordinator email",
        "e-mail",
        "email",
        "e-mail addresses",
        "email addresses",
        "e-mailadres",
        "e-mailadressen",
        "coordinatoren",
        "coordinator e-mailadressen",
        "e-mailadressen coordinatoren",
        "e-mail coordinatoren",
    ),
}
REQUIRED = ("name",)
LABELS = {
    "name": gettext_lazy("Name"),
    "town": gettext_lazy("Town"),
    "province": gettext_lazy("Province"),
    "coordinators": gettext_lazy("Coordinators"),
}
MAX_ROWS = 5000
MAX_ADDRESSES_PER_ROW = 20
# Between the addresses of one cell.
_ADDRESS_SEPARATORS = re.compile(r"[,;\s]+")


_HEADER_TO_COLUMN = header_lookup(COLUMNS)


def name_key(name: str) -> str:
    """Two branch names that differ only in case (or spacing) name the same branch."""
    return " ".join(name.casefold().split())


@dataclass
class BranchRow:
    """One row of the file, as read: `province` is the two-letter code (or empty),
    `coordinators` the addresses in lower case, `branch` the existing branch of that name."""

    row: int
    name: str
    town: str = ""
    province: str = ""
    coordinators: list[str] = field(default_factory=list)
    branch: Branch | None = None


@dataclass
class BranchFile:
    kind: str  # "csv" or "xlsx"
    rows: list[BranchRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # Listed, but not in the way: the same address for two branches (one person may well
    # coordinate two neighbouring branches).
    notes: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[int]:
        return {problem.row for problem in self.problems}

    @property
    def good_rows(self) -> list[BranchRow]:
        bad = self.bad_rows
        return [row for row in self.rows if row.row not in bad]

    def problems_by_row(self) -> dict[int, list[RowProblem]]:
        grouped: dict[int, list[RowProblem]] = {}
        for problem in sorted(self.problems, key=lambda p: p.row):
            grouped.setdefault(problem.row, []).append(problem)
        return grouped


def read_table(data: bytes) -> tuple[str, list[tuple[int, list[str]]]]:
    """("csv" or "xlsx", the non-empty rows with their numbers as a spreadsheet shows them)
    of an uploaded spreadsheet; also read by the import of past editions. Raises
    `ImportFileError` for a file that cannot be read."""
    if is_xlsx(data):
        try:
            return "xlsx", read_xlsx(data)
        except WorkbookError as error:
            raise ImportFileError(str(error)) from None
    text, _encoding = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [
            (number, cells)
            for number, cells in enumerate(reader, start=1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as error:
        raise ImportFileError(
            _("The file is no readable CSV: %(reason)s"), reason=str(error)
        ) from None
    return "csv", rows


def _columns(header: list[str]) -> tuple[list[str], list[str]]:
    return match_header(
        header,
        lookup=_HEADER_TO_COLUMN,
        required=REQUIRED,
        label=lambda column: f"{COLUMNS[column][0]} / {COLUMNS[column][1]}",
    )


def split_addresses(cell: str) -> list[str]:
    return [part for part in _ADDRESS_SEPARATORS.split(cell) if part]


def _check_row(number: int, cells: dict[str, str], problems: list[RowProblem]) -> BranchRow:
    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(number, str(LABELS[column]), message))

    row = BranchRow(row=number, name=cells.get("name", ""), town=cells.get("town", ""))
    if not row.name:
        problem("name", _("The branch has no name."))
    for column in ("name", "town"):
        text = getattr(row, column)
        message = plain_text_problem(text, LABELS[column])
        if message:
            problem(column, message)
        elif len(text) > 200:
            problem(column, _("At most 200 characters."))
    province = cells.get("province", "")
    if province:
        row.province = province_code(province)
        if not row.province:
            problem(
                "province",
                _("“%(value)s” is no Dutch province.") % {"value": province},
            )
    seen: set[str] = set()
    addresses = split_addresses(cells.get("coordinators", ""))
    if len(addresses) > MAX_ADDRESSES_PER_ROW:
        problem(
            "coordinators",
            _("At most %(count)d addresses per branch.") % {"count": MAX_ADDRESSES_PER_ROW},
        )
        addresses = []
    for address in addresses:
        try:
            if len(address) > 254 or plain_text_problem(address, ""):
                raise ValidationError("")
            validate_email(address)
        except ValidationError:
            problem(
                "coordinators",
                _("“%(address)s” is not an e-mail address.") % {"address": address[:100]},
            )
            continue
        lowered = address.lower()
        if lowered in seen:
            problem(
                "coordinators",
                _("%(address)s is listed twice.") % {"address": lowered},
            )
            continue
        seen.add(lowered)
        row.coordinators.append(lowered)
    return row


def branch_file_read(*, data: bytes) -> BranchFile:
    """Read and check a file of branches (see the module's text).

    Raises `ImportFileError` when the file as a whole cannot be read (encoding, no header,
    no name column, too many rows); never for a bad row: those are `problems`, one per
    thing wrong, with the row's number as the spreadsheet shows it."""
    kind, table = read_table(data)
    if not table:
        raise ImportFileError(_("The file is empty."))
    (_header_number, header), *body = table
    if len(body) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(count)d rows: split it."), count=MAX_ROWS)
    columns, ignored = _columns(header)
    result = BranchFile(kind=kind, ignored_columns=ignored)
    existing: dict[str, list[Branch]] = {}
    for branch in Branch.objects.all():
        existing.setdefault(name_key(branch.name), []).append(branch)
    first_row_of_name: dict[str, int] = {}
    rows_of_address: dict[str, int] = {}
    for number, cells in body:
        by_column = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column
        }
        before = len(result.problems)
        row = _check_row(number, by_column, result.problems)
        if row.name:
            key = name_key(row.name)
            if key in first_row_of_name:
                result.problems.append(
                    RowProblem(
                        number,
                        str(LABELS["name"]),
                        _("The same branch as row %(row)d.") % {"row": first_row_of_name[key]},
                    )
                )
            else:
                first_row_of_name[key] = number
            matches = existing.get(key, [])
            if len(matches) > 1:
                result.problems.append(
                    RowProblem(
                        number,
                        str(LABELS["name"]),
                        _("Several branches have this name apart from capitals; rename one."),
                    )
                )
            elif matches:
                row.branch = matches[0]
        if len(result.problems) == before:
            for address in row.coordinators:
                if address in rows_of_address:
                    result.notes.append(
                        RowProblem(
                            number,
                            str(LABELS["coordinators"]),
                            _("%(address)s also coordinates the branch of row %(row)d.")
                            % {"address": address, "row": rows_of_address[address]},
                        )
                    )
                else:
                    rows_of_address[address] = number
        result.rows.append(row)
    return result
