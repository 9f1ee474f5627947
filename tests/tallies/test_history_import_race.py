"""The same past edition imported several times at the same moment (two organisers, a
double click): one edition, one site per place, every total once.

Real threads with their own connections (transaction=True), on SQLite (writers queue on
the IMMEDIATE lock) and PostgreSQL (the edition's unique slug and the entries' unique
client ids make the later import wait, then find the work done: it reports a conflict
and writes nothing, or finds nothing left to do)."""

import pytest

from events.models import Event, Site
from locations.models import Branch, Location
from tallies.history_import import HistoryImportConflict, history_import
from tallies.models import TallyEntry
from tallies.summary import summary_differences
from tests.branch_files import csv_bytes

from .test_concurrency import SENDERS, run_together

HEADER = ["Location", "Town", "Branch", "Date", "Opens", "Closes", "Visitors", "Children"]


def file_with(visitors: int) -> bytes:
    counts = [visitors, 1]
    return csv_bytes(
        [
            HEADER,
            ["azc Zwolle", "Zwolle", "Afdeling Zwolle", "2018-09-22", "11:00", "16:00", *counts],
            ["azc Ede", "Ede", "Afdeling Ede", "2018-09-22", "11:00", "16:00", "300", "40"],
        ]
    )


def written(reports: list) -> list:
    """The reports of the imports that wrote something (the others met the first one's
    work: a conflict, a place just entered, or nothing left to do)."""
    return [r for r in reports if r is not None and r.written and r.changed]


def import_at_once(data: bytes) -> list:
    def work(_i):
        try:
            return history_import(
                data=data, name="Open azc dag 2018", kind="open_day", create_branches=True
            )
        except HistoryImportConflict:
            return None

    return run_together(work)


def visitors() -> int:
    return sum(TallyEntry.objects.filter(category="visitors").values_list("delta", flat=True))


@pytest.mark.django_db(transaction=True)
def test_imports_at_the_same_moment_store_everything_once():
    reports = import_at_once(file_with(500))
    assert len(written(reports)) == 1
    assert Event.objects.count() == 1 and Site.objects.count() == 2
    assert Location.objects.count() == 2 and Branch.objects.count() == 2
    assert visitors() == 800 and TallyEntry.objects.count() == 4
    # A changed figure, imported several times at once: one correction.
    reports = import_at_once(file_with(530))
    assert len(written(reports)) == 1 and written(reports)[0].corrections == 1
    assert visitors() == 830 and TallyEntry.objects.filter(is_correction=True).count() == 1
    assert summary_differences() == []
    assert len(reports) == SENDERS
