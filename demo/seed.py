"""Demo data: real Dutch towns, plausible azc's and city squares, past and coming editions.

Everything is written through the services, as a person would: editions with
`event_create`, sites with `site_create` and the review workflow, places with
`signup_create`, counts with `tally_record`, the past editions with
`edition_history_record`, places with `location_save` (positions from the geocoding
chain: offline, they are town centres, precision "town"; the demo never pretends to know
a building's exact spot). The coming editions are the next Bakkie Doen (20 June) and the
next Open azc dag (the fourth Saturday of September) from the day the demo is loaded, with
their registration open, so each demo role can do its work on that day.

Running the seed again adds nothing: what exists (found by e-mail, reference, slug) is
kept as it is. It lives in the top layer because it fills every app.
"""

import datetime
import random
import uuid
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from accounts.models import Volunteer
from accounts.services import volunteer_get_or_create, volunteer_update_profile
from common import clock
from common.errors import DomainError
from events import services
from events.models import Event, Shift, Site
from events.services.editions import TemplateSpec
from locations.models import Branch, Location, Province
from locations.services import (
    LocationInput,
    branch_coordinator_add,
    branch_create,
    location_save,
)
from tallies.models import TallyEntry
from tallies.services import TallyTap, tally_record

DEMO_PASSWORD = "actiedag-demo-2027"  # noqa: S105 (published on purpose: demo only)
DEMO_ORGANISER = "organiser@example.org"
DEMO_COORDINATOR = "coordinator@example.org"
DEMO_VOLUNTEER = "volunteer@example.org"
DEMO_COORDINATOR_BRANCH = "Afdeling Utrecht"
DEMO_VOLUNTEER_NAMES = [
    ("Anouk", "de Vries"),
    ("Yusuf", "Haddad"),
    ("Merel", "Jansen"),
    ("Tesfay", "Gebremedhin"),
    ("Sanne", "Bakker"),
    ("Rahim", "Ahmadi"),
    ("Lotte", "Visser"),
    ("Nour", "Al-Khatib"),
    ("Daan", "Smit"),
    ("Samira", "El Idrissi"),
    ("Joris", "Mulder"),
    ("Hiwet", "Tekle"),
    ("Fleur", "de Boer"),
    ("Omar", "Sayed"),
    ("Ruben", "Meijer"),
    ("Layla", "Hassan"),
]

TALLY_NAMESPACE = uuid.UUID("6f1c2a52-7d0e-4c55-9d55-2c6a3b1f0a18")

# (town as written in Dutch, name in the gazetteer, province)
AZC_TOWNS = [
    ("Ter Apel", "Ter Apel", Province.GRONINGEN),
    ("Musselkanaal", "Musselkanaal", Province.GRONINGEN),
    ("Winschoten", "Winschoten", Province.GRONINGEN),
    ("Delfzijl", "Delfzijl", Province.GRONINGEN),
    ("Groningen", "Groningen", Province.GRONINGEN),
    ("Assen", "Assen", Province.DRENTHE),
    ("Emmen", "Emmen", Province.DRENTHE),
    ("Hoogeveen", "Hoogeveen", Province.DRENTHE),
    ("Veenhuizen", "Veenhuizen", Province.DRENTHE),
    ("Leeuwarden", "Leeuwarden", Province.FRIESLAND),
    ("Sneek", "Sneek", Province.FRIESLAND),
    ("Drachten", "Drachten", Province.FRIESLAND),
    ("Burgum", "Burgum", Province.FRIESLAND),
    ("Zwolle", "Zwolle", Province.OVERIJSSEL),
    ("Almelo", "Almelo", Province.OVERIJSSEL),
    ("Enschede", "Enschede", Province.OVERIJSSEL),
    ("Dronten", "Dronten", Province.FLEVOLAND),
    ("Luttelgeest", "Luttelgeest", Province.FLEVOLAND),
    ("Zeewolde", "Zeewolde", Province.FLEVOLAND),
    ("Apeldoorn", "Apeldoorn", Province.GELDERLAND),
    ("Arnhem", "Arnhem", Province.GELDERLAND),
    ("Nijmegen", "Nijmegen", Province.GELDERLAND),
    ("Wageningen", "Wageningen", Province.GELDERLAND),
    ("Ede", "Ede", Province.GELDERLAND),
    ("Utrecht", "Utrecht", Province.UTRECHT),
    ("Amersfoort", "Amersfoort", Province.UTRECHT),
    ("Zeist", "Zeist", Province.UTRECHT),
    ("Amsterdam", "Amsterdam", Province.NOORD_HOLLAND),
    ("Den Helder", "Den Helder", Province.NOORD_HOLLAND),
    ("Heerhugowaard", "Heerhugowaard", Province.NOORD_HOLLAND),
    ("Rijswijk", "Rijswijk", Province.ZUID_HOLLAND),
    ("Alphen aan den Rijn", "Alphen aan den Rijn", Province.ZUID_HOLLAND),
    ("Rotterdam", "Rotterdam", Province.ZUID_HOLLAND),
    ("Dordrecht", "Dordrecht", Province.ZUID_HOLLAND),
    ("Middelburg", "Middelburg", Province.ZEELAND),
    ("Oisterwijk", "Oisterwijk", Province.NOORD_BRABANT),
    ("Gilze", "Gilze", Province.NOORD_BRABANT),
    ("Budel", "Budel", Province.NOORD_BRABANT),
    ("Overloon", "Overloon", Province.NOORD_BRABANT),
    ("Echt", "Echt", Province.LIMBURG),
    ("Weert", "Weert", Province.LIMBURG),
    ("Maastricht", "Maastricht", Province.LIMBURG),
]

# (town, name in the gazetteer, province, square where coffee is handed out)
COFFEE_SPOTS = [
    ("Groningen", "Groningen", Province.GRONINGEN, "Grote Markt"),
    ("Leeuwarden", "Leeuwarden", Province.FRIESLAND, "Nieuwestad"),
    ("Zwolle", "Zwolle", Province.OVERIJSSEL, "Grote Markt"),
    ("Enschede", "Enschede", Province.OVERIJSSEL, "Oude Markt"),
    ("Deventer", "Deventer", Province.OVERIJSSEL, "Brink"),
    ("Apeldoorn", "Apeldoorn", Province.GELDERLAND, "Marktplein"),
    ("Arnhem", "Arnhem", Province.GELDERLAND, "Korenmarkt"),
    ("Nijmegen", "Nijmegen", Province.GELDERLAND, "Grote Markt"),
    ("Utrecht", "Utrecht", Province.UTRECHT, "Neude"),
    ("Amersfoort", "Amersfoort", Province.UTRECHT, "Hof"),
    ("Amsterdam", "Amsterdam", Province.NOORD_HOLLAND, "Dam"),
    ("Haarlem", "Haarlem", Province.NOORD_HOLLAND, "Grote Markt"),
    ("Alkmaar", "Alkmaar", Province.NOORD_HOLLAND, "Waagplein"),
    ("Hilversum", "Hilversum", Province.NOORD_HOLLAND, "Kerkbrink"),
    ("Leiden", "Leiden", Province.ZUID_HOLLAND, "Beestenmarkt"),
    ("Den Haag", "The Hague", Province.ZUID_HOLLAND, "Plein"),
    ("Delft", "Delft", Province.ZUID_HOLLAND, "Markt"),
    ("Rotterdam", "Rotterdam", Province.ZUID_HOLLAND, "Binnenrotte"),
    ("Dordrecht", "Dordrecht", Province.ZUID_HOLLAND, "Statenplein"),
    ("Gouda", "Gouda", Province.ZUID_HOLLAND, "Markt"),
    ("Middelburg", "Middelburg", Province.ZEELAND, "Markt"),
    ("Breda", "Breda", Province.NOORD_BRABANT, "Grote Markt"),
    ("Tilburg", "Tilburg", Province.NOORD_BRABANT, "Heuvel"),
    ("Eindhoven", "Eindhoven", Province.NOORD_BRABANT, "Markt"),
    ("Maastricht", "Maastricht", Province.LIMBURG, "Vrijthof"),
    ("Venlo", "Venlo", Province.LIMBURG, "Markt"),
]

OPEN_DAY_SHIFTS = [
    # (role, start, end, places)
    (Shift.Role.SETUP, datetime.time(9, 30), datetime.time(11, 0), 2),
    (Shift.Role.RECEPTION, datetime.time(11, 0), datetime.time(13, 30), 3),
    (Shift.Role.RECEPTION, datetime.time(13, 30), datetime.time(16, 0), 3),
    (Shift.Role.TOUR_GUIDE, datetime.time(11, 0), datetime.time(13, 30), 4),
    (Shift.Role.TOUR_GUIDE, datetime.time(13, 30), datetime.time(16, 0), 4),
    (Shift.Role.COFFEE, datetime.time(11, 0), datetime.time(16, 0), 2),
    (Shift.Role.COUNTING, datetime.time(11, 0), datetime.time(13, 30), 1),
    (Shift.Role.COUNTING, datetime.time(13, 30), datetime.time(16, 0), 1),
]

COFFEE_SHIFTS = [
    (Shift.Role.SETUP, datetime.time(9, 30), datetime.time(10, 0), 2),
    (Shift.Role.COFFEE, datetime.time(10, 0), datetime.time(12, 0), 3),
    (Shift.Role.COFFEE, datetime.time(12, 0), datetime.time(14, 0), 3),
    (Shift.Role.CONVERSATION, datetime.time(10, 0), datetime.time(14, 0), 4),
]


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
            kind=Event.Kind.OPEN_DAY,
            date=datetime.date(2018, 9, 22),
            opens=datetime.time(11, 0),
            closes=datetime.time(16, 0),
            description="Veertig azc's openden hun deuren voor buren en belangstellenden.",
            towns=azc_2018,
            tallies={TallyEntry.Category.VISITORS: 19_250, TallyEntry.Category.CHILDREN: 4_120},
        ),
        EditionPlan(
            slug="bakkie-doen-2019",
            name="Bakkie Doen 2019",
            kind=Event.Kind.COFFEE,
            date=datetime.date(2019, 6, 20),
            opens=datetime.time(10, 0),
            closes=datetime.time(14, 0),
            description=(
                "Op Wereldvluchtelingendag schonken vluchtelingen koffie voor voorbijgangers."
            ),
            towns=coffee_2019,
            tallies={
                TallyEntry.Category.COFFEES: 2_140,
                TallyEntry.Category.CONVERSATIONS: 860,
            },
        ),
        EditionPlan(
            slug=f"bakkie-doen-{coffee_day.year}",
            name=f"Bakkie Doen {coffee_day.year}",
            kind=Event.Kind.COFFEE,
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
            kind=Event.Kind.OPEN_DAY,
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


class DemoSeeder:
    """Creates the demo data; returns how many rows of each kind it created."""

    def __init__(self) -> None:
        self.created: dict[str, int] = {}

    def _count(self, label: str, created: bool, number: int = 1) -> None:
        if created and number:
            self.created[label] = self.created.get(label, 0) + number

    def run(self) -> dict[str, int]:
        # Locations are looked up through the geocoding chain, which is never called inside
        # a transaction: they come first, each saved on its own.
        users = self._users()
        organiser = users[DEMO_ORGANISER]
        plans = [plan for plan in editions() if not Event.objects.filter(slug=plan.slug).exists()]
        places = {
            plan.slug: [(town, *self._place(plan, town)) for town in plan.towns] for plan in plans
        }
        with transaction.atomic():
            for plan in plans:
                self._edition(plan, places[plan.slug], organiser=organiser)
            coordinator_branch = Branch.objects.get(name=DEMO_COORDINATOR_BRANCH)
            branch_coordinator_add(branch=coordinator_branch, user=users[DEMO_COORDINATOR])
            if not Volunteer.objects.filter(user=users[DEMO_VOLUNTEER]).exists():
                volunteer_update_profile(
                    volunteer=volunteer_get_or_create(user=users[DEMO_VOLUNTEER]),
                    first_name="Vera",
                    last_name="Vrijwilliger",
                    phone="06 12345678",
                    languages=["nl", "en", "ar"],
                    home_branch=coordinator_branch,
                )
                self._count("volunteers", True)
            self._signups(coordinator_branch, coming_slugs())
        return self.created

    def _signups(self, home_branch: Branch, slugs: list[str]) -> None:
        """Volunteers with places on the coming editions, claimed through the claiming
        service, so rosters, open spots and a waitlist have something to show.

        Only on a first run (no demo volunteers yet): a second run must change nothing.
        """
        User = get_user_model()
        if User.objects.filter(email__startswith="demo-volunteer-").exists():
            return
        profiles = []
        for number, (first, last) in enumerate(DEMO_VOLUNTEER_NAMES, start=1):
            email = f"demo-volunteer-{number:02d}@example.org"
            user = User.objects.create_user(email=email, password=None)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            profiles.append(
                volunteer_update_profile(
                    volunteer=volunteer_get_or_create(user=user),
                    first_name=first,
                    last_name=last,
                    phone=f"06 {20000000 + number * 1371:08d}",
                    languages=["nl", "en"] if number % 3 else ["nl", "ar", "ti"],
                    home_branch=home_branch,
                )
            )
        self._count("users", True, len(profiles))
        self._count("volunteers", True, len(profiles))
        shifts = sorted(
            Shift.objects.filter(
                site__in=Site.objects.published(), site__event__slug__in=slugs
            ).select_related("site__event", "site__location"),
            # Reception before the other shifts of the same hour, so that its extra
            # volunteer finds it full and joins its waitlist.
            key=lambda shift: (
                shift.site.event.date,
                shift.site.location.city,
                shift.starts_at,
                shift.role != Shift.Role.RECEPTION,
                shift.pk,
            ),
        )
        rng = random.Random("demo-signups")
        claimed = 0
        # The home branch's own sites fill up (one shift gets a waitlist); elsewhere a
        # place here and there.
        for shift in shifts:
            own = shift.site.branch_id == home_branch.pk
            wanted = (
                shift.capacity + 1
                if own and shift.role == Shift.Role.RECEPTION
                else (shift.capacity if own else rng.choice([0, 0, 1, 1, 2]))
            )
            for profile in rng.sample(profiles, k=min(wanted, len(profiles))):
                try:
                    services.signup_create(shift=shift, volunteer=profile)
                except DomainError:
                    continue  # an overlap with an earlier claim: as a real volunteer would
                claimed += 1
        self._count("sign-ups", True, claimed)

    def _users(self) -> dict:
        User = get_user_model()
        people = {
            DEMO_ORGANISER: {
                "first_name": "Olga",
                "last_name": "Organisator",
                "is_organiser": True,
                "is_staff": True,
            },
            DEMO_COORDINATOR: {"first_name": "Karim", "last_name": "Coördinator"},
            DEMO_VOLUNTEER: {"first_name": "Vera", "last_name": "Vrijwilliger"},
        }
        users = {}
        for email, fields in people.items():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, **fields)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                self._count("users", True)
            users[email] = user
        return users

    def _branch(self, town: str, province: str) -> Branch:
        branch = Branch.objects.filter(slug=slugify(f"Afdeling {town}")).first()
        if branch is None:
            branch = branch_create(name=f"Afdeling {town}", town=town, province=province)
            self._count("branches", True)
        return branch

    def _location(
        self, *, reference: str, name: str, kind: str, town: str, province: str, street: str = ""
    ) -> Location:
        location = Location.objects.filter(reference=reference).first()
        if location is None:
            data = LocationInput(
                name=name,
                city=town,
                kind=kind,
                reference=reference,
                street=street,
                municipality=town,
                province=province,
                position_is_manual=False,
            )
            location = location_save(location=None, data=data).location
            self._count("locations", True)
        return location

    def _place(self, plan: EditionPlan, town: str) -> tuple[Location, Branch]:
        if plan.kind == Event.Kind.OPEN_DAY:
            _, _gazetteer_name, province = next(t for t in AZC_TOWNS if t[0] == town)
            location = self._location(
                reference=f"demo-azc-{slugify(town)}",
                name=f"azc {town}",
                kind=Location.Kind.AZC,
                town=town,
                province=province,
            )
        else:
            _, _gazetteer_name, province, square = next(s for s in COFFEE_SPOTS if s[0] == town)
            location = self._location(
                reference=f"demo-square-{slugify(town)}-{slugify(square)}",
                name=f"{square}, {town}",
                kind=Location.Kind.PUBLIC_SPACE,
                town=town,
                province=province,
                street=square,
            )
        return location, self._branch(town, province)

    def _edition(self, plan: EditionPlan, places: list, *, organiser) -> None:
        pattern = OPEN_DAY_SHIFTS if plan.kind == Event.Kind.OPEN_DAY else COFFEE_SHIFTS
        if plan.is_history:
            self._history(plan, places, organiser=organiser)
            return
        event = services.event_create(
            name=plan.name,
            slug=plan.slug,
            kind=plan.kind,
            date=plan.date,
            by=organiser,
            templates=[TemplateSpec(*row) for row in pattern],
            default_opens_at=plan.opens,
            default_closes_at=plan.closes,
            description=plan.description,
            is_published=True,
        )
        self._count("events", True)
        self._count("shift templates", True, len(pattern))
        for town, location, branch in places:
            site = services.site_create(
                event=event,
                location=location,
                branch=branch,
                by=organiser,
                public_description=self._site_text(plan.kind, town),
                languages_needed=["nl", "en", "ar"]
                if plan.kind == Event.Kind.OPEN_DAY
                else ["nl", "en"],
                show_approximate_location=plan.kind == Event.Kind.OPEN_DAY
                and town in {"Ter Apel", "Budel"},
            )
            status = plan.unpublished.get(town, Site.Status.PUBLISHED)
            if status != Site.Status.DRAFT:
                services.site_submit(site=site, by=organiser)
            if status == Site.Status.PUBLISHED:
                services.site_publish(site=site, by=organiser)
            self._count("sites", True)
            self._count("shifts", True, len(pattern))

    def _history(self, plan: EditionPlan, places: list, *, organiser) -> None:
        event = services.edition_history_record(
            name=plan.name,
            slug=plan.slug,
            kind=plan.kind,
            date=plan.date,
            by=organiser,
            description=plan.description,
            sites=[
                services.PastSite(
                    location=location,
                    branch=branch,
                    opens_at=clock.at_local(plan.date, plan.opens),
                    closes_at=clock.at_local(plan.date, plan.closes),
                    public_description=self._site_text(plan.kind, town),
                )
                for town, location, branch in places
            ],
        )
        self._count("events", True)
        self._count("sites", True, len(places))
        sites = list(event.sites.order_by("pk"))
        for category, total in plan.tallies.items():
            self._tallies(plan, sites, category, total)

    @staticmethod
    def _site_text(kind: str, town: str) -> str:
        if kind == Event.Kind.OPEN_DAY:
            return (
                f"Het azc in {town} zet de deuren open. Bewoners geven rondleidingen, er is "
                "koffie en thee, en er is tijd voor een gesprek."
            )
        return f"Vluchtelingen uit {town} en omgeving schenken koffie en maken een praatje."

    def _tallies(self, plan: EditionPlan, sites: list[Site], category: str, total: int) -> None:
        """Spread `total` over the sites as taps and small groups on the day's busy hours,
        stored by the tally service as the counter phones would have sent them."""
        rng = random.Random(f"{plan.slug}-{category}")
        weights = [rng.uniform(0.4, 1.6) for _ in sites]
        shares = [int(total * w / sum(weights)) for w in weights]
        shares[0] += total - sum(shares)
        opens = clock.at_local(plan.date, plan.opens)
        minutes_open = int((clock.at_local(plan.date, plan.closes) - opens).total_seconds() // 60)
        for site, share in zip(sites, shares, strict=True):
            taps, counted = [], 0
            while counted < share:
                delta = min(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 8]), share - counted)
                minute = int(rng.triangular(0, minutes_open - 1, minutes_open * 0.55))
                taps.append(
                    TallyTap(
                        client_id=uuid.uuid5(TALLY_NAMESPACE, f"{site.pk}-{category}-{len(taps)}"),
                        category=category,
                        delta=delta,
                        recorded_at=opens + datetime.timedelta(minutes=minute),
                    )
                )
                counted += delta
            result = tally_record(site=site, entries=taps, by=None, device_id="demo")
            self._count("tally entries", True, result.accepted)
