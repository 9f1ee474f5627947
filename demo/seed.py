"""Demo data: real Dutch towns, plausible azc's and city squares, past and coming editions.

Everything is written through the services, as a person would: editions with
`event_create`, sites with `site_create` and the review workflow, places with
`signup_create`, counts with `tally_record`, the past editions with
`edition_history_record` (the 2018 Open azc dag by importing its example spreadsheet,
`tallies.history_import`, as an organiser would), places with `location_save`
(positions from the geocoding chain: offline, they are town centres, precision "town";
the demo never pretends to know a building's exact spot). The coming editions are the
next Bakkie Doen (20 June) and the next Open azc dag (the fourth Saturday of September)
from the day the demo is loaded, with their registration open, so each demo role can do
its work on that day.

Running the seed again adds nothing: what exists (found by e-mail, reference, slug) is
kept as it is. It lives in the top layer because it fills every app.
"""

import datetime
import random
import uuid

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from accounts.models import Volunteer
from accounts.services import volunteer_get_or_create, volunteer_update_profile
from common import clock
from common.errors import DomainError
from events import notifications, services
from events.models import Event, Shift, Site
from events.services.editions import TemplateSpec
from locations.models import Branch, Location, Province
from locations.services import (
    LocationInput,
    branch_coordinator_add,
    branch_create,
    location_save,
)
from tallies.history_import import history_import
from tallies.public_results import results_publish
from tallies.services import TallyTap, tally_record

from .editions import EditionPlan, coming_slugs, editions
from .places import (
    AZC_TOWNS,
    COFFEE_SHIFTS,
    COFFEE_SPOTS,
    DEMO_COORDINATOR,
    DEMO_COORDINATOR_BRANCH,
    DEMO_COORDINATOR_FREE_PLACE,
    DEMO_ORGANISER,
    DEMO_PASSWORD,
    DEMO_VOLUNTEER,
    DEMO_VOLUNTEER_NAMES,
    OPEN_DAY_SHIFTS,
    TALLY_NAMESPACE,
)


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
        self._free_place()
        # Invented people: nobody to mail about their claims and sites.
        with transaction.atomic(), notifications.quiet():
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
        self,
        *,
        reference: str,
        name: str,
        kind: str,
        town: str,
        province: str,
        branch: Branch,
        street: str = "",
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
            location = location_save(location=None, data=data, branch=branch).location
            self._count("locations", True)
        return location

    def _free_place(self) -> Location:
        """A square of the demo coordinator's branch that no coming edition uses yet: the
        place the coordinator registers on the day the demo is run."""
        name, street = DEMO_COORDINATOR_FREE_PLACE
        return self._location(
            reference="demo-square-utrecht-free",
            name=name,
            kind=Location.Kind.PUBLIC_SPACE,
            town="Utrecht",
            province=Province.UTRECHT,
            street=street,
            branch=self._branch("Utrecht", Province.UTRECHT),
        )

    def _place(self, plan: EditionPlan, town: str) -> tuple[Location, Branch]:
        """The place in `town` and the town's branch, which looks after it."""
        if plan.kind == "open_day":
            _, _gazetteer_name, province = next(t for t in AZC_TOWNS if t[0] == town)
            branch = self._branch(town, province)
            location = self._location(
                reference=f"demo-azc-{slugify(town)}",
                name=f"azc {town}",
                kind=Location.Kind.AZC,
                town=town,
                province=province,
                branch=branch,
            )
        else:
            _, _gazetteer_name, province, square = next(s for s in COFFEE_SPOTS if s[0] == town)
            branch = self._branch(town, province)
            location = self._location(
                reference=f"demo-square-{slugify(town)}-{slugify(square)}",
                name=f"{square}, {town}",
                kind=Location.Kind.PUBLIC_SPACE,
                town=town,
                province=province,
                street=square,
                branch=branch,
            )
        return location, branch

    def _edition(self, plan: EditionPlan, places: list, *, organiser) -> None:
        pattern = OPEN_DAY_SHIFTS if plan.kind == "open_day" else COFFEE_SHIFTS
        if plan.import_file is not None:
            self._import_history(plan, places, organiser=organiser)
            return
        if plan.is_history:
            self._history(plan, places, organiser=organiser)
            return
        event = self._coming_event(plan, organiser=organiser)
        for town, location, branch in places:
            site = services.site_create(
                event=event,
                location=location,
                branch=branch,
                by=organiser,
                public_description=self._site_text(plan.kind, town),
                languages_needed=["nl", "en", "ar"] if plan.kind == "open_day" else ["nl", "en"],
                show_approximate_location=plan.kind == "open_day" and town in {"Ter Apel", "Budel"},
            )
            if location.kind == Location.Kind.AZC:
                self._host(site, town, by=organiser)
            status = plan.unpublished.get(town, Site.Status.PUBLISHED)
            if status != Site.Status.DRAFT:
                services.site_submit(site=site, by=organiser)
            if status == Site.Status.PUBLISHED:
                services.site_publish(site=site, by=organiser)
            self._count("sites", True)
            self._count("shifts", True, len(pattern))

    def _host(self, site: Site, town: str, *, by) -> None:
        """The azc's host (COA) and their consent: an azc site is reviewed only with it."""
        services.site_host_record(
            site=site,
            by=by,
            details=services.HostDetails(
                organisation="COA",
                contact_name=f"Locatiemanager azc {town}",
                contact_phone="088 715 80 00",
                contact_email=f"locatie-{slugify(town)}@example.org",
                consent_given_by_name=f"Locatiemanager azc {town}",
                consent_given_by_role="locatiemanager",
                consent_given_on=clock.today() - datetime.timedelta(days=14),
                no_photos_inside=True,
                visitor_limit=150,
                id_required=town in {"Ter Apel", "Budel"},
                other_conditions="Woonunits en slaapkamers van bewoners blijven gesloten.",
            ),
        )
        self._count("site hosts", True)

    def _coming_event(self, plan: EditionPlan, *, organiser) -> Event:
        """A coming edition, published, with its shift templates and registration open."""
        pattern = OPEN_DAY_SHIFTS if plan.kind == "open_day" else COFFEE_SHIFTS
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
            # Open since a month before the demo was loaded, until the day begins: the
            # demo coordinator can register a site today.
            registration_opens_at=clock.now() - datetime.timedelta(days=30),
        )
        self._count("events", True)
        self._count("shift templates", True, len(pattern))
        return event

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
        results_publish(event=event, by=organiser)

    def _import_history(self, plan: EditionPlan, places: list, *, organiser) -> None:
        """A past edition from its spreadsheet, as an organiser imports it: the places
        and branches made above are matched by name and town, nothing is looked up."""
        report = history_import(
            data=plan.import_file.read_bytes(),
            name=plan.name,
            slug=plan.slug,
            kind=plan.kind,
            description=plan.description,
            by=organiser,
        )
        if not report.written:
            raise DomainError("; ".join(str(problem) for problem in report.problems))
        expected = {str(category): total for category, total in plan.tallies.items()}
        if report.totals != expected or len(report.rows) != len(places):
            raise DomainError(f"{plan.import_file.name} does not add up to {expected}")
        self._count("events", True)
        self._count("sites", True, report.sites_created)
        self._count("tally entries", True, report.entries_created)
        # Its results public, as the organisation publishes them (/results/<slug>/).
        results_publish(event=Event.objects.get(slug=plan.slug), by=organiser)

    @staticmethod
    def _site_text(kind: str, town: str) -> str:
        if kind == "open_day":
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
            # Received at closing time, as the phones would have sent them: counting at a
            # past edition's sites has long closed.
            result = tally_record(
                site=site, entries=taps, by=None, device_id="demo", now=site.closes_at
            )
            self._count("tally entries", True, result.accepted)
