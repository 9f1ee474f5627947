"""Spreadsheets of branches for the tests: CSV text, an .xlsx workbook (written by
openpyxl), and a generator of a large file with some bad rows."""

import io

from openpyxl import Workbook

PROVINCES = [
    "Drenthe",
    "Flevoland",
    "Fryslân",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
]


def csv_bytes(rows: list[list[str]], delimiter: str = ";") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list], *, start_row: int = 1, skip_rows: tuple[int, ...] = ()) -> bytes:
    """A workbook written by openpyxl whose first sheet holds `rows` (text as text, numbers
    as numbers) from row `start_row` on; rows numbered in `skip_rows` are left empty."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Afdelingen"
    number = start_row
    for cells in rows:
        while number in skip_rows:
            number += 1
        for index, value in enumerate(cells, start=1):
            if value is not None and value != "":
                sheet.cell(row=number, column=index, value=value)
        number += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = ["Afdeling", "Plaats", "Provincie", "Coördinatoren"]


def many_branches(count: int = 200, bad: tuple[int, ...] = ()) -> list[list[str]]:
    """A header and `count` branches, each with one or two coordinators; the rows at the
    (0-based) positions in `bad` are spoilt, each in another way."""
    spoilers = [
        lambda row: ["", *row[1:]],  # no name
        lambda row: [*row[:2], "Vlaanderen", *row[3:]],  # no Dutch province
        lambda row: [*row[:3], "iemand@@example.org"],  # a malformed address
        lambda row: ["Afdeling 0001", *row[1:]],  # the same branch as the first row
        lambda row: [*row[:3], f"{row[3]}, {row[3].upper()}"],  # an address twice
    ]
    rows = [HEADER]
    for number in range(1, count + 1):
        town = f"Dorp {number:04d}"
        coordinators = f"coordinator{number:04d}@example.org"
        if number % 3 == 0:
            coordinators += f"; tweede{number:04d}@example.org"
        row = [f"Afdeling {number:04d}", town, PROVINCES[number % 12], coordinators]
        if number - 1 in bad:
            row = spoilers[bad.index(number - 1) % len(spoilers)](row)
        rows.append(row)
    return rows
