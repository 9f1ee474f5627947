"""Reading and checking a spreadsheet of branches (locations/branch_import.py): CSV and
.xlsx, Dutch and English headers, and every problem reported on its own row."""

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from locations.branch_import import branch_file_read
from locations.importing import ImportFileError
from locations.models import Branch
from tests.branch_files import HEADER, csv_bytes, many_branches, xlsx_bytes

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "branches-example.csv"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def problems_of(file) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in file.problems:
        found.setdefault(problem.row, []).append(f"{problem.field}: {problem.message}")
    return found


def test_a_dutch_csv_with_several_addresses_per_cell_is_read():
    data = csv_bytes(
        [
            HEADER,
            ["Afdeling Assen", "Assen", "Drenthe", "Anna@Example.org"],
            [
                "Afdeling Leeuwarden",
                "Leeuwarden",
                "Fryslân",
                "piet@example.org; sara@example.org,tom@example.org\nyonas@example.org",
            ],
            ["", "", "", ""],
            ["Afdeling Zwolle", "", "", ""],
        ]
    )
    file = branch_file_read(data=data)
    assert file.kind == "csv" and file.problems == []
    assert [(row.row, row.name, row.province) for row in file.rows] == [
        (2, "Afdeling Assen", "DR"),
        (3, "Afdeling Leeuwarden", "FR"),
        (5, "Afdeling Zwolle", ""),
    ]
    assert file.rows[0].coordinators == ["anna@example.org"]
    assert file.rows[1].coordinators == [
        "piet@example.org",
        "sara@example.org",
        "tom@example.org",
        "yonas@example.org",
    ]


def test_english_headers_in_another_order_with_commas():
    data = csv_bytes(
        [
            ["Coordinators", "Province", "Branch name", "Town", "Notes"],
            ["a@example.org b@example.org", "Zuid-Holland", "Rotterdam-Zuid", "Rotterdam", "x"],
        ],
        delimiter=",",
    )
    file = branch_file_read(data=data)
    row = file.rows[0]
    assert (row.name, row.town, row.province) == ("Rotterdam-Zuid", "Rotterdam", "ZH")
    assert row.coordinators == ["a@example.org", "b@example.org"]
    assert file.ignored_columns == ["Notes"]


def test_an_xlsx_workbook_is_read_with_excels_row_numbers():
    data = xlsx_bytes(
        [
            ["Naam", "Plaats", "Provincie", "E-mailadressen"],
            ["Afdeling Nijmegen", "Nijmegen", "GE", "n@example.org; m@example.org"],
            ["Afdeling 1234", 1234, "utrecht", ""],
            ["", "Ede", "Gelderland", "kapot"],
        ],
        skip_rows=(3,),
    )
    file = branch_file_read(data=data)
    assert file.kind == "xlsx"
    assert [(row.row, row.name, row.town, row.province) for row in file.rows] == [
        (2, "Afdeling Nijmegen", "Nijmegen", "GE"),
        (4, "Afdeling 1234", "1234", "UT"),  # a number as Excel shows it, not 1234.0
        (5, "", "Ede", "GE"),
    ]
    assert file.rows[0].coordinators == ["n@example.org", "m@example.org"]
    # The problems name the row as Excel numbers it (row 3 was empty).
    assert sorted(problems_of(file)) == [5]


def test_an_xlsx_workbook_with_strings_in_its_cells():
    data = xlsx_bytes(
        [["Branch", "Province", "Coordinators"], ["Afdeling Ede & Wageningen", "GE", "a@e.org"]],
    )
    (row,) = branch_file_read(data=data).rows
    assert (row.name, row.province, row.coordinators) == (
        "Afdeling Ede & Wageningen",
        "GE",
        ["a@e.org"],
    )


def test_every_problem_is_reported_on_its_own_row():
    Branch.objects.create(name="Afdeling Assen", slug="afdeling-assen")
    data = csv_bytes(
        [
            HEADER,
            ["", "Ergens", "Utrecht", "a@example.org"],  # 2: no name
            ["Afdeling Gent", "Gent", "Oost-Vlaanderen", "g@example.org"],  # 3: province
            ["Afdeling Ede", "Ede", "Gelderland", "ede@example, b@example.org"],  # 4: address
            ["Afdeling Baarn", "Baarn", "Utrecht", "c@example.org"],  # 5: fine
            ["afdeling  BAARN", "Baarn", "Utrecht", "d@example.org"],  # 6: same as row 5
            ["Afdeling Hoorn", "Hoorn", "", "e@example.org; E@example.org"],  # 7: twice
            ["AFDELING ASSEN", "Assen", "Drenthe", "c@example.org"],  # 8: fine; c again
            ["Afdeling\u202eNep", "", "", ""],  # 9: a bidi override
        ]
    )
    file = branch_file_read(data=data)
    found = problems_of(file)
    assert sorted(found) == [2, 3, 4, 6, 7, 9]
    assert found[2] == ["Name: The branch has no name."]
    assert found[3] == ["Province: “Oost-Vlaanderen” is no Dutch province."]
    assert found[4] == ["Coordinators: “ede@example” is not an e-mail address."]
    assert found[6] == ["Name: The same branch as row 5."]
    assert found[7] == ["Coordinators: e@example.org is listed twice."]
    assert found[9][0].startswith("Name:")
    # The same person for two branches is allowed, and pointed out.
    assert [(note.row, note.message) for note in file.notes] == [
        (8, "c@example.org also coordinates the branch of row 5.")
    ]
    # An existing branch is matched by name, whatever the case.
    assert next(row for row in file.rows if row.row == 8).branch.name == "Afdeling Assen"
    assert [row.row for row in file.good_rows] == [5, 8]


def test_a_file_without_a_name_column_or_rows_is_refused_as_a_whole():
    with pytest.raises(ImportFileError, match="is missing"):
        branch_file_read(data=csv_bytes([["Plaats", "Provincie"], ["Assen", "Drenthe"]]))
    with pytest.raises(ImportFileError, match="empty"):
        branch_file_read(data=b"\n\n")


def test_a_zip_that_is_no_workbook_and_a_workbook_with_a_dtd_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="no Excel workbook"):
        branch_file_read(data=out.getvalue())

    # A worksheet that declares an entity (the start of a "billion laughs").
    workbook = io.BytesIO(xlsx_bytes([["Naam"], ["Afdeling Assen"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            text = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = b'<!DOCTYPE lol [<!ENTITY lol "lol">]>' + text
            target.writestr(name, text)
    with pytest.raises(ImportFileError, match="something other than plain data"):
        branch_file_read(data=out.getvalue())

    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        branch_file_read(data=b"PK\x03\x04 broken")


def test_the_example_file_has_no_problems():
    file = branch_file_read(data=SAMPLE.read_bytes())
    assert file.problems == []
    assert len(file.rows) >= 3
    assert all(
        address.endswith("@example.org") for row in file.rows for address in row.coordinators
    )


def test_200_branches_with_5_bad_rows_report_exactly_those_rows():
    bad = (9, 49, 99, 149, 199)
    rows = many_branches(200, bad=bad)
    for data in (csv_bytes(rows), xlsx_bytes(rows)):
        file = branch_file_read(data=data)
        assert len(file.rows) == 200
        # Position p in the list is spreadsheet row p + 2 (after the header).
        assert sorted(problems_of(file)) == [p + 2 for p in bad]
        assert len(file.good_rows) == 195


def test_a_workbook_reaching_the_last_row_is_refused_at_once():
    # Found by attacking it: a 5 KB workbook with one cell on Excel's last row made the
    # reader walk a million empty rows (14 s of CPU per upload).
    data = xlsx_bytes([HEADER, ["Afdeling Assen", "Assen", "Drenthe", ""]], skip_rows=())
    workbook = io.BytesIO(data)
    from openpyxl import load_workbook

    book = load_workbook(workbook)
    book.active.cell(row=1_048_576, column=1, value="x")
    out = io.BytesIO()
    book.save(out)
    with translation.override("en"), pytest.raises(ImportFileError, match="beyond row 20000"):
        branch_file_read(data=out.getvalue())
