"""Dates in one voice: every page and mail writes a day as "zaterdag 25 september 2027" (with
", 11:00" when a time belongs to it) and a moment as "25 sep 11:00", never a third style; a
mail's subject may shorten the day to "25 september 2027"."""

import re
from pathlib import Path

from django.utils import formats, translation

from tests.conftest import aware

ROOT = Path(__file__).resolve().parent.parent
HOUSE_STYLES = {
    "l j F Y",  # a day: zaterdag 25 september 2027
    "l j F Y, H:i",  # a day with its time
    "j b H:i",  # a moment: 25 sep 11:00
    "j b H:i:s",  # a moment in the tally audit, where the second is evidence
    "c",  # machine-readable (datetime attributes)
    "Y-m-d",
}
TIMES_OF_DAY = {"H:i", "H:i:s"}
SUBJECT_STYLES = {"j F Y", "j F"}  # a day in a mail's subject line, where room is short
DATE_FILTER = re.compile(r"""\|date:(["'])(.*?)\1""")
# Dates formatted in Python: `date_format(moment, "…")`, and the map's `when(iso, "…")`.
PYTHON_CALL = re.compile(r"\b(?:date_format|when)\(")
STRING = re.compile(r"""(["'])(.*?)\1""")


def python_formats(text: str) -> list[str]:
    """The format (the last string literal) of each call, nested parentheses and all."""
    found = []
    for match in PYTHON_CALL.finditer(text):
        depth, end = 1, match.end()
        while depth and end < len(text):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        literals = STRING.findall(text[match.end() : end - 1])
        if literals:
            found.append(literals[-1][1])
    return found


def _sources(pattern: str):
    paths = [
        path
        for path in ROOT.glob(pattern)
        if not {".venv", "node_modules", "tests", "benchmarks"} & set(path.parts)
    ]
    assert paths
    return paths


def test_every_template_writes_dates_in_a_house_style():
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert templates
    odd = {
        f"{path.relative_to(ROOT)}: {match.group(2)}"
        for path in templates
        for match in DATE_FILTER.finditer(path.read_text())
        if match.group(2) not in HOUSE_STYLES
    }
    assert not odd


def test_every_mail_and_every_format_in_python_uses_a_house_style():
    odd = set()
    for path in _sources("**/templates/**/*.txt"):
        allowed = HOUSE_STYLES | (SUBJECT_STYLES if path.name.endswith("_subject.txt") else set())
        odd |= {
            f"{path.relative_to(ROOT)}: {match.group(2)}"
            for match in DATE_FILTER.finditer(path.read_text())
            if match.group(2) not in allowed
        }
    for path in _sources("**/*.py"):
        odd |= {
            f"{path.relative_to(ROOT)}: {pattern}"
            for pattern in python_formats(path.read_text())
            if pattern not in HOUSE_STYLES | TIMES_OF_DAY
        }
    assert not odd


def test_the_scan_finds_formats_in_nested_calls():
    text = 'date_format(timezone.localtime(moment, zone()), "D j M")\nwhen(p["at"], "H:i")'
    assert python_formats(text) == ["D j M", "H:i"]


def test_the_house_styles_in_dutch():
    moment = aware(2027, 9, 25, 11, 0)
    with translation.override("nl"):
        assert formats.date_format(moment, "l j F Y") == "zaterdag 25 september 2027"
        assert formats.date_format(moment, "j b H:i") == "25 sep 11:00"
