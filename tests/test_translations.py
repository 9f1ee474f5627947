"""The Dutch translations are complete, compiled, and what Django serves."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(
    path for path in ROOT.glob("**/locale/nl/LC_MESSAGES/django.po") if ".venv" not in path.parts
)


def test_there_are_catalogs():
    assert len(CATALOGS) >= 4


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []

    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run scripts/po_fill.py"
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(mo_path))
    }
    for entry in po.translated_entries():
        expected = (entry.msgstr, dict(entry.msgstr_plural))
        assert compiled.get((entry.msgctxt, entry.msgid)) == expected, (
            f"{entry.msgid!r} differs in {mo_path.name}: run scripts/po_fill.py"
        )


def test_django_serves_dutch_from_the_compiled_catalogs():
    with translation.override("nl"):
        assert translation.gettext("Upcoming action days") == "Komende actiedagen"
        assert translation.gettext("Enter a Dutch postcode written like 1234 AB.").startswith(
            "Vul een Nederlandse postcode"
        )
    with translation.override("en"):
        assert translation.gettext("Upcoming action days") == "Upcoming action days"
