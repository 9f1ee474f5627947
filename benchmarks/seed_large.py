"""A large PostgreSQL dataset for `make bench`: 5,000 sites, 50,000 shifts, 200,000 sign-ups,
1,000,000 tally entries, written in bulk (bulk_create in big batches, COPY for the two
largest tables), not through the services: it is data to measure with, made in minutes.

Called by `benchmarks/run_all.py` with Django set up on the benchmark database. What it
makes (the `World` it returns names the parts the measurements use):

- 5,000 locations spread over the Netherlands (every tenth site shown approximately);
- three published editions: *Open azc dag 2027* with 2,000 sites (the feed edition),
  *Bakkie Doen 2027* with 2,960 sites, and an edition **today** with 40 sites where the
  tally volunteer has a counting shift (tallies are accepted on the site's day only);
- 10 shifts of 10 places a site (50,000), 4 confirmed volunteers a shift (200,000 sign-ups
  by 20,000 volunteers), 200 tally entries a site on the past editions (1,000,000);
- a volunteer with 50 confirmed shifts (the volunteer feed), a shift of 10 places and 200
  fresh verified volunteers with API tokens (the simultaneous claims), an organiser.

`seed(...)` is idempotent: when the counts are already there it only tops up what the
measurements changed, so a second `make bench` skips the minutes of seeding.
"""

import datetime
import io
import secrets
import time
import uuid
from dataclasses import dataclass, field

SIZES = {"sites": 5000, "shifts": 50000, "signups": 200000, "tallies": 1000000}
FEED_EDITION = ("open-azc-dag-2027", 2000)
OTHER_EDITION = ("bakkie-doen-2027", 2960)
TODAY_SITES = 40
VOLUNTEERS = 20000
CLAIMERS = 200
CLAIM_PLACES = 10
FEED_SHIFTS = 50
SHIFTS_PER_SITE = 10
PASSWORD = "!"  # Django's mark of an unusable password  # noqa: S105

TOWNS = [
    "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede", "Amersfoort",
    "Zaanstad", "Den Bosch", "Zwolle", "Leiden", "Maastricht", "Dordrecht", "Ede", "Alkmaar",
    "Emmen", "Delft", "Venlo", "Deventer", "Sittard", "Helmond", "Oss", "Leeuwarden", "Assen",
]  # fmt: skip


@dataclass
class World:
    feed_slug: str
    other_slug: str
    today_slug: str
    feed_volunteer_token: str
    tally_token: str
    tally_site_ids: list[int]
    claim_shift_id: int
    baseline_claim_shift_id: int
    claimer_tokens: list[str]
    claimer_volunteer_ids: list[int]
    organiser_token: str
    coordinator_token: str
    sample_site_id: int
    seeded_seconds: float = 0.0
    counts: dict = field(default_factory=dict)


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples of str) into `table`, in blocks of text."""
    count = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        block = io.StringIO()
        for row in rows:
            block.write("\t".join(row))
            block.write("\n")
            count += 1
            if count % 50000 == 0:
                copy.write(block.getvalue())
                block = io.StringIO()
        copy.write(block.getvalue())
    return count


def _counts() -> dict:
    from events.models import Shift, Signup, Site
    from tallies.models import TallyEntry

    return {
        "sites": Site.objects.count(),
        "shifts": Shift.objects.count(),
        "signups": Signup.objects.count(),
        "tallies": TallyEntry.objects.count(),
    }


def seed(*, log=print) -> World:
    """The dataset, made once; later calls find it and only reset what runs changed."""
    from events.models import Event

    started = time.perf_counter()
    if not Event.objects.filter(slug=FEED_EDITION[0]).exists():
        _make_everything(log)
    _keep_summaries(log)
    world = _world()
    reset_measured_changes(world)
    world.counts = _counts()
    world.seeded_seconds = time.perf_counter() - started
    return world


def _keep_summaries(log) -> None:
    """What the services keep beside the rows they write, made for rows written in bulk: the
    shifts' confirmed counts and the hourly tally totals and per-minute counts. Checked on
    every run (a database seeded by an older version has none) and made where they differ."""
    from events.services.signups import shift_count_differences, shift_counts_refresh
    from tallies import summary

    drifted = len(shift_count_differences())
    if drifted:
        step = time.perf_counter()
        shift_counts_refresh()
        log(f"  confirmed counts of {drifted} shifts made: {time.perf_counter() - step:.1f} s")
    if summary.summary_differences():
        step = time.perf_counter()
        summary.refill()
        log(f"  hourly tally totals made: {time.perf_counter() - step:.1f} s")


def _make_everything(log) -> None:
    from allauth.account.models import EmailAddress
    from django.db import connection, transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import User, Volunteer
    from events.models import Event, Shift, Site
    from locations.models import Branch, Location

    amsterdam = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        log(f"  {what}: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()

    with transaction.atomic():
        branches = Branch.objects.bulk_create(
            Branch(name=f"Afdeling {n} {TOWNS[n % len(TOWNS)]}", slug=f"afdeling-{n}")
            for n in range(200)
        )
        editions = {
            "feed": Event.objects.create(
                name="Open azc dag 2027",
                slug=FEED_EDITION[0],
                kind_id="open_day",
                date=datetime.date(2027, 9, 25),
                is_published=True,
            ),
            "other": Event.objects.create(
                name="Bakkie Doen 2027",
                slug=OTHER_EDITION[0],
                kind_id="coffee",
                date=datetime.date(2027, 6, 20),
                is_published=True,
            ),
            "today": Event.objects.create(
                name="Telling vandaag",
                slug="bench-vandaag",
                kind_id="open_day",
                date=today,
                is_published=True,
            ),
        }
        total = FEED_EDITION[1] + OTHER_EDITION[1] + TODAY_SITES
        locations = Location.objects.bulk_create(
            (
                Location(
                    name=f"azc {TOWNS[n % len(TOWNS)]} {n}",
                    kind=Location.Kind.AZC if n % 3 else Location.Kind.PUBLIC_SPACE,
                    street="Stationsplein",
                    house_number=n % 300 + 1,
                    postcode=f"{1000 + n % 8999} AB",
                    city=TOWNS[n % len(TOWNS)],
                    # Spread over the country; an irrational step keeps them distinct.
                    latitude=50.80 + (n * 0.6180339887 % 1) * 2.60,
                    longitude=3.40 + (n * 0.7548776662 % 1) * 3.70,
                    position_precision=Location.Precision.ADDRESS,
                )
                for n in range(total)
            ),
            batch_size=2500,
        )
        done(f"{len(branches)} branches, {len(locations)} locations")

        def day(edition) -> tuple[datetime.datetime, datetime.datetime]:
            if edition is editions["today"]:
                return (
                    datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=amsterdam),
                    datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=amsterdam),
                )
            opens = datetime.datetime.combine(edition.date, datetime.time(10), tzinfo=amsterdam)
            return opens, opens + datetime.timedelta(hours=10)

        plan = (
            [editions["feed"]] * FEED_EDITION[1]
            + [editions["other"]] * OTHER_EDITION[1]
            + [editions["today"]] * TODAY_SITES
        )
        sites = Site.objects.bulk_create(
            (
                Site(
                    event=edition,
                    location=location,
                    branch=branches[n % len(branches)],
                    opens_at=day(edition)[0],
                    closes_at=day(edition)[1],
                    status=Site.Status.PUBLISHED,
                    show_approximate_location=n % 10 == 0,
                    public_description="Open huis met rondleidingen, koffie en muziek.",
                )
                for n, (edition, location) in enumerate(zip(plan, locations, strict=True))
            ),
            batch_size=2500,
        )
        done(f"{len(sites)} sites")

        roles = [Shift.Role.RECEPTION, Shift.Role.TOUR_GUIDE]
        shifts = Shift.objects.bulk_create(
            (
                Shift(
                    site=site,
                    role=roles[k % 2],
                    starts_at=day(site.event)[0] + datetime.timedelta(hours=k),
                    ends_at=day(site.event)[0] + datetime.timedelta(hours=k + 1),
                    capacity=10,
                )
                for site in sites
                for k in range(SHIFTS_PER_SITE)
            ),
            batch_size=5000,
        )
        done(f"{len(shifts)} shifts")

        users = User.objects.bulk_create(
            (
                User(email=f"vrijwilliger{n}@example.org", password=PASSWORD, first_name="Vrij")
                for n in range(VOLUNTEERS + CLAIMERS + 3)
            ),
            batch_size=5000,
        )
        organiser, coordinator, tally_user = users[-3:]
        User.objects.filter(pk=organiser.pk).update(
            email="organiser@example.org", is_organiser=True, is_staff=True
        )
        User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.org")
        User.objects.filter(pk=tally_user.pk).update(email="teller@example.org")
        branches[0].coordinators.add(coordinator)
        EmailAddress.objects.bulk_create(
            (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
            batch_size=5000,
        )
        volunteers = Volunteer.objects.bulk_create(
            (
                Volunteer(user=u, phone="0612345678", languages=["nl"])
                for u in [*users[: VOLUNTEERS + CLAIMERS], tally_user]
            ),
            batch_size=5000,
        )
        with_tokens = [*users[VOLUNTEERS : VOLUNTEERS + CLAIMERS], organiser, coordinator]
        Token.objects.bulk_create(
            Token(user=u, key=secrets.token_hex(20)) for u in [*with_tokens, tally_user]
        )
        done(f"{len(users)} users, {len(volunteers)} volunteers")

        # 200,000 sign-ups: shift i gets volunteers 4 in a row (4 of 5 places taken);
        # the first volunteer also takes 50 reception shifts of the feed edition.
        feed_volunteer = volunteers[0]
        moment = (now - datetime.timedelta(days=30)).isoformat()

        def signup_rows():
            made = 0
            feed_shifts = shifts[: FEED_EDITION[1] * SHIFTS_PER_SITE : 40][:FEED_SHIFTS]
            for shift in feed_shifts:
                yield (str(shift.pk), str(feed_volunteer.pk), "confirmed", moment, moment, moment)
                made += 1
            n = 0
            while made < SIZES["signups"]:
                shift = shifts[(n // 4) % len(shifts)]
                volunteer = volunteers[1 + (n % (VOLUNTEERS - 1))]
                n += 1
                if shift.site.event is editions["today"]:
                    continue
                yield (str(shift.pk), str(volunteer.pk), "confirmed", moment, moment, moment)
                made += 1

        with connection.cursor() as cursor:
            count = _copy(
                cursor,
                "events_signup",
                ["shift_id", "volunteer_id", "status", "created_at", "updated_at", "confirmed_at"],
                signup_rows(),
            )
        done(f"{count} sign-ups (COPY)")

        # The tally volunteer counts at the 40 sites of today.
        tally_volunteer = volunteers[-1]
        today_sites = [s for s in sites if s.event is editions["today"]]
        with connection.cursor() as cursor:
            _copy(
                cursor,
                "events_signup",
                ["shift_id", "volunteer_id", "status", "created_at", "updated_at", "confirmed_at"],
                (
                    (
                        str(shifts[sites.index(s) * SHIFTS_PER_SITE].pk),
                        str(tally_volunteer.pk),
                        *("confirmed", moment, moment, moment),
                    )
                    for s in today_sites
                ),
            )
            # Shift 0 of each today-site spans the whole day, so every tap is "on shift".
            cursor.execute(
                "UPDATE events_shift SET starts_at = %s, ends_at = %s WHERE id = ANY(%s)",
                [
                    day(editions["today"])[0],
                    day(editions["today"])[1],
                    [shifts[sites.index(s) * SHIFTS_PER_SITE].pk for s in today_sites],
                ],
            )

        # 1,000,000 tally entries on the past-edition sites, 200 a site.
        categories = {"open_day": ["visitors", "children"], "coffee": ["coffees", "conversations"]}
        received = now.isoformat()

        def tally_rows():
            per_site = SIZES["tallies"] // (len(sites) - TODAY_SITES)
            rest = SIZES["tallies"] - per_site * (len(sites) - TODAY_SITES)
            for index, site in enumerate(s for s in sites if s.event is not editions["today"]):
                kinds = categories[site.event.kind_id]
                opens = site.opens_at
                for k in range(per_site + (1 if index < rest else 0)):
                    yield (
                        str(site.pk),
                        kinds[k % 2],
                        "1" if k % 9 else "2",
                        uuid.uuid4().hex,
                        (opens + datetime.timedelta(seconds=k * 170)).isoformat(),
                        received,
                        str(tally_user.pk),
                        "bench",
                        "f",
                        "",
                    )

        with connection.cursor() as cursor:
            count = _copy(
                cursor,
                "tallies_tallyentry",
                [
                    "site_id",
                    "category",
                    "delta",
                    "client_id",
                    "recorded_at",
                    "received_at",
                    "recorded_by_id",
                    "device_id",
                    "is_correction",
                    "reason",
                ],
                tally_rows(),
            )
        done(f"{count} tally entries (COPY)")

        # The claims: a shift of 10 places at a feed-edition site, and a twin for the
        # baseline's bare INSERTs.
        claim_site = sites[1]
        for role in (Shift.Role.SETUP, Shift.Role.OTHER):
            Shift.objects.create(
                site=claim_site,
                role=role,
                starts_at=claim_site.opens_at - datetime.timedelta(hours=3),
                ends_at=claim_site.opens_at - datetime.timedelta(hours=1),
                capacity=CLAIM_PLACES,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    done("ANALYZE")


def _world() -> World:
    from rest_framework.authtoken.models import Token

    from accounts.models import User, Volunteer
    from events.models import Shift, Site

    feed_volunteer = Volunteer.objects.get(user__email="vrijwilliger0@example.org")
    claimers = list(
        Token.objects.filter(user__email__startswith="vrijwilliger", user__volunteer__isnull=False)
        .order_by("user_id")
        .values_list("key", "user__volunteer__id")
    )
    claim_shifts = list(
        Shift.objects.filter(role__in=["setup", "other"], capacity=CLAIM_PLACES)
        .order_by("role")
        .values_list("pk", flat=True)
    )
    if not User.objects.exists():
        raise RuntimeError("the benchmark database is empty")
    return World(
        feed_slug=FEED_EDITION[0],
        other_slug=OTHER_EDITION[0],
        today_slug="bench-vandaag",
        feed_volunteer_token=feed_volunteer.calendar_token,
        tally_token=Token.objects.get(user__email="teller@example.org").key,
        tally_site_ids=list(
            Site.objects.filter(event__slug="bench-vandaag")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        claim_shift_id=claim_shifts[1],  # by role: "other", then "setup"
        baseline_claim_shift_id=claim_shifts[0],
        claimer_tokens=[key for key, _ in claimers],
        claimer_volunteer_ids=[pk for _, pk in claimers],
        organiser_token=Token.objects.get(user__email="organiser@example.org").key,
        coordinator_token=Token.objects.get(user__email="coordinator@example.org").key,
        sample_site_id=Site.objects.filter(event__slug=FEED_EDITION[0]).order_by("pk")[1].pk,
    )


def reset_measured_changes(world: World) -> None:
    """Undo what measurements add: claims on the two claim shifts, today's tally entries
    (with the counts and totals kept beside them)."""
    from events.models import Signup
    from events.services.signups import shift_counts_refresh
    from tallies import summary
    from tallies.models import TallyEntry

    claim_shifts = [world.claim_shift_id, world.baseline_claim_shift_id]
    Signup.objects.filter(shift_id__in=claim_shifts).delete()
    shift_counts_refresh(shift_ids=claim_shifts)
    TallyEntry.objects.filter(site_id__in=world.tally_site_ids).delete()
    summary.refill(world.tally_site_ids)
