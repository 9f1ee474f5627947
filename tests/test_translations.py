"""Every catalogue of every language is complete, keeps its placeholders, is compiled, and
is what Django serves."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
CATALOGS = sorted(
    path
    for language in CATALOGUE_LANGUAGES
    for path in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/*.po")
    if ".venv" not in path.parts
)
# What Python's % formatting, Django's interpolate() and our templates fill in.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdg]|%[sdg]|%%")


def test_there_are_catalogs_for_every_language_but_the_source():
    for language in CATALOGUE_LANGUAGES:
        django = [p for p in CATALOGS if p.parent.parent.name == language and p.stem == "django"]
        assert len(django) >= 6, language


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    language = po_path.parent.parent.name
    assert po.metadata["Language"] == language

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


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_keep_the_placeholders_of_their_source(po_path):
    """A translation that drops a named placeholder only loses a word; one that invents a
    placeholder or loses a positional one breaks the page (KeyError, TypeError)."""
    nplurals = int(polib.pofile(str(po_path)).metadata["Plural-Forms"].split("nplurals=")[1][0])
    problems = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        source = set(PLACEHOLDER.findall(entry.msgid)) | set(
            PLACEHOLDER.findall(entry.msgid_plural or "")
        )
        forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)] or [entry.msgstr]
        if entry.msgid_plural:
            assert len(forms) == nplurals, entry.msgid
        for form in forms:
            found = set(PLACEHOLDER.findall(form))
            positional = {p for p in source if not p.startswith("%(")}
            if (
                found - source
                or (positional - found)
                or (not entry.msgid_plural and found != source)
            ):
                problems.append((entry.msgid, form))
    assert problems == []


@pytest.mark.parametrize("language", ["ar", "fa", "ti"])
def test_drafted_translations_say_they_await_a_native_speaker(language):
    for po_path in (p for p in CATALOGS if p.parent.parent.name == language):
        po = polib.pofile(str(po_path))
        waiting = [e for e in po if "needs review by a native speaker" in e.tcomment]
        if waiting:
            assert "X-Review" in po.metadata, po_path


def test_django_serves_each_language_from_the_compiled_catalogs():
    with translation.override("nl"):
        assert translation.gettext("Upcoming action days") == "Komende actiedagen"
        assert translation.gettext("Enter a Dutch postcode written like 1234 AB.").startswith(
            "Vul een Nederlandse postcode"
        )
    with translation.override("en"):
        assert translation.gettext("Upcoming action days") == "Upcoming action days"
    for language, script in (("ar", "\u0600"), ("fa", "\u0600"), ("ti", "\u1200")):
        with translation.override(language):
            text = translation.gettext("Upcoming action days")
        assert any(script <= c <= chr(ord(script) + 0xFF) for c in text), (language, text)
