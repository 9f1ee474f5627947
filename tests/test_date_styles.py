"""Dates in one voice: every page writes a day as "zaterdag 25 september 2027" (with ", 11:00"
when a time belongs to it) and a moment as "25 sep 11:00", never a third style."""

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
DATE_FILTER = re.compile(r"""\|date:(["'])(.*?)\1""")


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


def test_the_house_styles_in_dutch():
    moment = aware(2027, 9, 25, 11, 0)
    with translation.override("nl"):
        assert formats.date_format(moment, "l j F Y") == "zaterdag 25 september 2027"
        assert formats.date_format(moment, "j b H:i") == "25 sep 11:00"
