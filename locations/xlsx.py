"""Read the first worksheet of an Excel workbook (.xlsx) as rows of text, with openpyxl.

Enough for import files typed by people: text, numbers (shown as Excel shows a whole
number: `1234`, not `1234.0`), booleans and the cached results of formulas. Each row keeps
its number as Excel shows it (the header is usually row 1), so a problem is reported where
the person sees the row.

An upload is untrusted: the archive is refused when it would unpack to more than
`MAX_UNPACKED_BYTES` (a small zip can unpack to gigabytes), and openpyxl parses its XML
through defusedxml (installed beside it, which openpyxl then uses: no entity expansion).
"""

import datetime
import zipfile
from io import BytesIO

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import load_workbook

# A sheet of a few thousand rows unpacks to a few megabytes.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 200
# Rows read at most. openpyxl hands over every row up to the last one the sheet names,
# empty ones included: a 5 KB file with one cell on row 1,048,576 took 14 s of CPU. The
# imports take 5,000 rows at most; a sheet reaching further is refused with a message
# (its empty rows below the table can be deleted); past that row nothing is read.
MAX_SHEET_ROWS = 20_000


REFUSED_XML = _lazy(
    "The workbook holds something other than plain data (a declaration of XML "
    "entities); open it in a spreadsheet program and save it again."
)


class WorkbookError(Exception):
    """The file is not a workbook this reader can read; the message says why."""


def is_xlsx(data: bytes) -> bool:
    """A zip archive (every .xlsx file is one); CSV text never starts like this."""
    return data.startswith(b"PK\x03\x04")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx).")) from None
    if "xl/workbook.xml" not in names:
        raise WorkbookError(
            _(
                "The file is a zip archive but no Excel workbook (.xlsx); an old .xls "
                "file or another program's format: save it as .xlsx or CSV."
            )
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(_("The workbook is too large; split it or save it as CSV."))


def read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) of each non-empty row of the first worksheet, in order.

    Raises `WorkbookError` for a file that is not a readable workbook."""
    _check_archive(data)
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises many kinds (KeyError, ValueError, its own) for a damaged file,
        # and wraps defusedxml's refusal in a ValueError.
        if _refused_xml(error):
            raise WorkbookError(REFUSED_XML) from None
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx).")) from None
    try:
        if not workbook.worksheets:
            raise WorkbookError(_("The workbook has no worksheet."))
        return _rows(workbook.worksheets[0])
    except DefusedXmlException:
        raise WorkbookError(REFUSED_XML) from None
    finally:
        workbook.close()


def _refused_xml(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _rows(sheet) -> list[tuple[int, list[str]]]:
    too_long = WorkbookError(
        _(
            "The worksheet reaches beyond row %(count)d: delete the empty rows below the "
            "table, or save it as CSV."
        )
        % {"count": MAX_SHEET_ROWS}
    )
    if (sheet.max_row or 0) > MAX_SHEET_ROWS:
        raise too_long
    rows: list[tuple[int, list[str]]] = []
    for row in sheet.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_SHEET_ROWS + 1):
        # Read-only sheets give EmptyCell (no row or column) for gaps in a row.
        cells = {cell.column - 1: _text(cell.value) for cell in row if hasattr(cell, "column")}
        if not any(text.strip() for text in cells.values()):
            continue
        number = next(cell.row for cell in row if hasattr(cell, "row"))
        if number > MAX_SHEET_ROWS:
            raise too_long
        width = max(index for index, text in cells.items() if text) + 1
        rows.append((number, [cells.get(i, "") for i in range(width)]))
    return rows
