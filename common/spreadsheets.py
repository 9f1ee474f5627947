"""CSV files for spreadsheet programs (the roster, the dashboard exports).

Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark ("Café",
"Fryslân"), and runs a cell that starts with = + - @ (or a tab or carriage return) as a
formula, so text from users is written with a leading quote.
"""

import csv

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """`value` as a cell: text a spreadsheet would run as a formula gets a leading quote;
    numbers stay numbers, None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(filename: str) -> tuple[HttpResponse, "csv._writer"]:
    """An attachment `filename` with the byte-order mark written, and a writer for it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response)
