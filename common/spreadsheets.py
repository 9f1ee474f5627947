"""CSV files for spreadsheet programs (the roster, the dashboard exports).

Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark ("Café",
"Fryslân"), and runs a cell that starts with = + - @ (or a tab or carriage return) as a
formula, so text from users is written with a leading quote.

Which character separates the cells is Excel's choice, not the file's: Dutch Excel splits
on `;`, English Excel on `,`, and either ends a row at a line break when it does not see
the cell's quotes (a cell quoted for `,` is not quoted for `;`). A cell `x;=HYPERLINK(…)`
is one harmless cell to us but two to Dutch Excel, the second a formula. So every part of
a cell that follows a `;`, `,` or line break is guarded as the start of a cell is.
"""

import csv
import re

from django.http import HttpResponse

# The start of a cell (or of a part Excel may take for one) that a spreadsheet would run as
# a formula: = + - @, a tab or a carriage return, perhaps after spaces or quotes.
_FORMULA_PART = re.compile(r"(^|[;,\r\n])(?=[ \"]*[=+\-@\t\r])")


def spreadsheet_cell(value):
    """`value` as a cell: text a spreadsheet would run as a formula, in the cell or in a
    part of it Excel may split off, gets a quote in front (`x;'=1+1`); numbers stay
    numbers, None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _FORMULA_PART.sub(r"\1'", value)
    return value


def csv_response(filename: str) -> tuple[HttpResponse, "csv._writer"]:
    """An attachment `filename` with the byte-order mark written, and a writer for it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response)
