"""The demo's editions: the organisation's history (2018, 2019) and the coming Bakkie Doen
and Open azc dag, dated from the day the demo is loaded."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from common import clock
from events.models import Site

from .places import AZC_TOWNS, COFFEE_SPOTS

# The 2018 Open azc dag as an organiser would import it (README, "Past editions from a
# spreadsheet"): the demo imports the same file, so the example has one home.
OPEN_DAY_2018_FILE = Path(__file__).resolve().parent.parent / "docs/samples/open-azc-dag-2018.csv"


@dataclass
class EditionPlan:
    slug: str
    name: str
    kind: str
    date: datetime.date
    opens: datetime.time
    closes: datetime.time
    description: str
    towns: list = field(default_factory=list)
    # Totals per category, spread over the sites, for editions that have happened.
    tallies: dict[str, int] = field(default_factory=dict)
    # Sites that are not yet published: town -> status.
    unpublished: dict[str, str] = field(default_factory=dict)
    # A past edition imported from this spreadsheet (its sites and totals) instead.
    import_file: Path | None = None

    @property
    def is_history(self) -> bool:
        return bool(self.tallies)


def next_bakkie_doen(today: datetime.date) -> datetime.date:
    """World Refugee Day, 20 June, this year or the next: the coming Bakkie Doen."""
    day = datetime.date(today.year, 6, 20)
    return day if day >= today else datetime.date(today.year + 1, 6, 20)


def next_open_day(today: datetime.date) -> datetime.date:
    """The fourth Saturday of September (22 September 2018, 25 September 2027), this year
    or the next: the coming Open azc dag."""
    for year in (today.year, today.year + 1):
        first = datetime.date(year, 9, 1)
        day = first + datetime.timedelta(days=(5 - first.weekday()) % 7 + 21)
        if day >= today:
            return day
    raise AssertionError("unreachable")


def editions(today: datetime.date | None = None) -> list[EditionPlan]:
    today = today or clock.today()
    coffee_day, open_day = next_bakkie_doen(today), next_open_day(today)
    azc_2018 = [town for town, *_ in AZC_TOWNS[:40]]
    azc_coming = [town for town, *_ in AZC_TOWNS[::2]]
    coffee_2019 = [spot[0] for spot in COFFEE_SPOTS[:18]]
    coffee_coming = [spot[0] for spot in COFFEE_SPOTS]
    return [
        EditionPlan(
            slug="open-azc-dag-2018",
            name="Open azc dag 2018",
            kind="open_day",
            date=datetime.date(2018, 9, 22),
            opens=datetime.time(11, 0),
            closes=datetime.time(16, 0),
            description="Veertig azc's openden hun deuren voor buren en belangstellenden.",
            towns=azc_2018,
            tallies={"visitors": 19_250, "children": 4_120},
            import_file=OPEN_DAY_2018_FILE,
        ),
        EditionPlan(
            slug="bakkie-doen-2019",
            name="Bakkie Doen 2019",
            kind="coffee",
            date=datetime.date(2019, 6, 20),
            opens=datetime.time(10, 0),
            closes=datetime.time(14, 0),
            description=(
                "Op Wereldvluchtelingendag schonken vluchtelingen koffie voor voorbijgangers."
            ),
            towns=coffee_2019,
            tallies={
                "coffees": 2_140,
                "conversations": 860,
            },
        ),
        EditionPlan(
            slug=f"bakkie-doen-{coffee_day.year}",
            name=f"Bakkie Doen {coffee_day.year}",
            kind="coffee",
            date=coffee_day,
            opens=datetime.time(10, 0),
            closes=datetime.time(14, 0),
            description=(
                "Op Wereldvluchtelingendag schenken vluchtelingen koffie en raken ze in gesprek "
                "met voorbijgangers. Kom langs of help mee."
            ),
            towns=coffee_coming,
            unpublished={"Venlo": Site.Status.SUBMITTED, "Maastricht": Site.Status.DRAFT},
        ),
        EditionPlan(
            slug=f"open-azc-dag-{open_day.year}",
            name=f"Open azc dag {open_day.year}",
            kind="open_day",
            date=open_day,
            opens=datetime.time(11, 0),
            closes=datetime.time(16, 0),
            description=(
                "Azc's in het hele land openen hun deuren: maak kennis met de bewoners, "
                "krijg een rondleiding en drink een kop koffie mee."
            ),
            towns=azc_coming,
            unpublished={"Weert": Site.Status.SUBMITTED, "Gilze": Site.Status.DRAFT},
        ),
    ]


def coming_slugs(today: datetime.date | None = None) -> list[str]:
    return [plan.slug for plan in editions(today) if not plan.is_history]
