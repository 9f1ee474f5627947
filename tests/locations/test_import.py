"""`import_locations`: Excel's CSV flavours, bad rows with their numbers, re-runs that update."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from locations.importing import ImportFileError, location_import
from locations.models import Location

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "samples" / "locations.csv"

HEADER = (
    "referentie;naam;soort;straat;huisnummer;postcode;plaats;provincie;breedtegraad;lengtegraad"
)


def csv_bytes(*lines: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def test_the_sample_file_imports_cleanly_and_keeps_diacritics_and_arabic(db):
    report = location_import(data=SAMPLE.read_bytes())
    assert report.problems == []
    assert report.created == report.rows == 8
    assert Location.objects.get(reference="moskee-almere").name == "Koffie bij مسجد السلام"
    assert Location.objects.get(reference="bakkie-leeuwarden").name == (
        "Bakkie Doen Nieuwestad (Sûdwest-kant)"
    )
    neude = Location.objects.get(reference="bakkie-utrecht-neude")
    assert (neude.latitude, neude.longitude, neude.position_precision) == (
        52.0927,
        5.1189,
        "manual",
    )


def test_bad_rows_are_reported_with_row_number_and_reason_and_good_rows_imported(db):
    data = csv_bytes(
        HEADER,
        "a1;azc Ter Apel;azc;Havenstraat;10;9561 AA;Ter Apel;Groningen;;",  # row 2: good
        "a2;Kapot;azc;Dorpsstraat;1;1234 SS;Ter Apel;;;",  # row 3: SS is never issued
        "a3;;azc;;;;Utrecht;;;",  # row 4: no name
        "a4;Ergens;azc;;;;Nergenshuizen;;;",  # row 5: not found anywhere
        "a5;Over de grens;other;;;;Aken;;50,776;6,084",  # row 6: Aachen
        "a6;Half;other;;;;Utrecht;;52,09;",  # row 7: latitude without longitude
        "a7;Nummer;azc;Laan;0;;Utrecht;;;",  # row 8: house number 0
        "a8;Provincie;azc;;;;Utrecht;Beieren;;",  # row 9: no province
        "a1;Dubbel;azc;;;;Utrecht;;;",  # row 10: reference of row 2 again
        "a9;Soort;kasteel;;;;Utrecht;;;",  # row 11: unknown kind
        "",
        "a10;azc Budel;azc;;;;Budel;;;",  # row 13: good (row 12 is empty)
    )
    report = location_import(data=data)
    assert report.created == 2
    assert sorted(Location.objects.values_list("reference", flat=True)) == ["a1", "a10"]
    problems = {(p.row, p.field) for p in report.problems}
    assert problems == {
        (3, "postcode"),
        (4, "name"),
        (5, "address"),
        (6, "latitude"),
        (7, "longitude"),
        (8, "house_number"),
        (9, "province"),
        (10, "reference"),
        (11, "kind"),
    }
    messages = {p.row: p.message for p in report.problems}
    assert "1234 SS" in messages[3]
    assert "not found" in messages[5] or "niet gevonden" in messages[5]
    assert "row 2" in messages[10] or "rij 2" in messages[10]


def test_rerun_updates_by_reference_instead_of_duplicating(db):
    first = location_import(data=SAMPLE.read_bytes())
    assert first.created == 8
    again = location_import(data=SAMPLE.read_bytes())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert Location.objects.count() == 8

    changed = SAMPLE.read_text(encoding="utf-8").replace("azc Vaals", "azc Vaals (nieuw)")
    third = location_import(data=changed.encode("utf-8"))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 7)
    assert Location.objects.get(reference="azc-vaals").name == "azc Vaals (nieuw)"


def test_rerun_without_reference_matches_on_name_and_postcode_or_town(db):
    data = csv_bytes(
        "naam,plaats,postcode,huisnummer",
        "azc Ter Apel,Ter Apel,9561 AA,10",
        "Bakkie Doen,Utrecht,,",
    )
    assert location_import(data=data).created == 2
    rerun = location_import(data=data.replace(b",10\r\n", b",12\r\n"))
    assert (rerun.created, rerun.updated, rerun.unchanged) == (0, 1, 1)
    assert Location.objects.get(name="azc Ter Apel").house_number == 12


def test_a_rerun_never_moves_a_pin_placed_by_hand(db, coordinator):
    location_import(
        data=csv_bytes(HEADER, "r1;azc Ter Apel;azc;Havenstraat;10;9561 AA;Ter Apel;;;")
    )
    location = Location.objects.get()
    location.latitude, location.longitude = 52.8801, 7.0712
    location.position_is_manual, location.position_precision = True, "manual"
    location.save()
    report = location_import(
        data=csv_bytes(HEADER, "r1;azc Ter Apel;azc;Sportlaan;1;9561 AA;Ter Apel;;;")
    )
    assert report.updated == 1
    location.refresh_from_db()
    assert (location.latitude, location.longitude, location.position_is_manual) == (
        52.8801,
        7.0712,
        True,
    )
    assert location.street == "Sportlaan"


def test_dry_run_writes_nothing_but_reports_the_same(db):
    report = location_import(data=SAMPLE.read_bytes(), dry_run=True)
    assert (report.created, report.problems) == (8, [])
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", False, ";"),
        ("utf-8", True, ";"),
        ("utf-8", True, ","),
        ("cp1252", False, ";"),
        ("cp1252", False, ","),
    ],
)
def test_excel_flavours(db, encoding, bom, delimiter):
    lines = [
        delimiter.join(["Naam", "Plaats", "Provincie", "Opmerking"]),
        delimiter.join(["Café Coöperatie – “De Brug”", "Sneek", "Fryslân", "€ 1 koffie"]),
    ]
    report = location_import(data=csv_bytes(*lines, encoding=encoding, bom=bom))
    assert report.problems == []
    assert report.delimiter == delimiter
    assert report.encoding == ("utf-8" if encoding == "utf-8" else "windows-1252")
    assert report.ignored_columns == ["Opmerking"]
    location = Location.objects.get()
    assert location.name == "Café Coöperatie – “De Brug”"
    assert location.province == "FR"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("naam;plaats\nمركز اللاجئين;Utrecht\nمقهى;Den Haag\n".encode("cp1256"), "Windows-1252"),
        ("naam;plaats\nCafé;Utrecht\n".encode("utf-16"), "UTF-16"),
        (b"", "empty"),
        (b"naam;straat\nx;y\n", "plaats"),  # no town column
    ],
)
def test_unreadable_files_are_refused_clearly(db, data, message):
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        location_import(data=data)
    assert message in caught.value.detail or message.lower() in caught.value.detail.lower()
    assert not Location.objects.exists()


def test_command_reports_and_exits_with_status_1_on_bad_rows(db, tmp_path, capsys):
    path = tmp_path / "import.csv"
    path.write_bytes(
        csv_bytes(HEADER, "a1;azc Ter Apel;azc;;;;Ter Apel;;;", "a2;Kapot;azc;;;0123 AB;Utrecht;;;")
    )
    with translation.override("nl"), pytest.raises(SystemExit) as caught:
        call_command("import_locations", str(path), "--no-progress")
    assert caught.value.code == 1
    out, err = capsys.readouterr()
    assert "1 were created" in out
    assert "rij 3, postcode: 0123 AB is geen geldige Nederlandse postcode" in err
    assert Location.objects.count() == 1


def test_command_refuses_a_missing_file(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_locations", "/no/such/file.csv")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_command_shows_a_progress_bar_on_a_terminal(db):
    terminal = Terminal()
    call_command("import_locations", str(SAMPLE), stdout=io.StringIO(), stderr=terminal)
    assert "8/8" in terminal.getvalue()
    quiet = Terminal()
    call_command(
        "import_locations", str(SAMPLE), "--no-progress", stdout=io.StringIO(), stderr=quiet
    )
    assert "8/8" not in quiet.getvalue()
