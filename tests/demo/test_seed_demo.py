"""`seed_demo`: real towns, the historical editions, idempotent, never in production."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Sum

from accounts.models import Volunteer
from common import clock
from demo.editions import coming_slugs, editions, next_bakkie_doen, next_open_day
from demo.places import (
    DEMO_COORDINATOR,
    DEMO_COORDINATOR_FREE_PLACE,
    DEMO_ORGANISER,
    DEMO_PASSWORD,
    DEMO_VOLUNTEER,
)
from demo.seed import DemoSeeder
from events.models import Event, Shift, Signup, Site
from events.services.editions import registration_state
from locations.models import Branch, Location
from tallies.models import TallyEntry

MODELS = [Event, Site, Shift, TallyEntry, Location, Branch, Volunteer, Signup]


def row_counts(django_user_model) -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["User"] = django_user_model.objects.count()
    return counts


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_twice_changes_nothing(seeded, django_user_model, settings):
    first = row_counts(django_user_model)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert row_counts(django_user_model) == first
    assert "nothing was changed" in out.getvalue()
    assert first["Site"] > 80 and first["TallyEntry"] > 1000


def test_2018_open_day_has_40_azcs_and_about_19000_visitors(seeded):
    edition = Event.objects.get(slug="open-azc-dag-2018")
    assert str(edition.date) == "2018-09-22"
    assert edition.date.weekday() == 5  # a Saturday
    assert edition.sites.filter(location__kind=Location.Kind.AZC).count() == 40
    visitors = TallyEntry.objects.filter(site__event=edition, category="visitors").aggregate(
        total=Sum("delta")
    )["total"]
    assert 19_000 <= visitors <= 19_500


def test_the_past_editions_results_are_public(seeded, client):
    page = client.get("/results/open-azc-dag-2018/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    assert "19.250" in page.content.decode()
    assert client.get("/results/bakkie-doen-2019/").status_code == 200


def test_the_coming_editions_are_the_next_ones_from_today():
    assert next_bakkie_doen(datetime.date(2026, 12, 5)) == datetime.date(2027, 6, 20)
    assert next_bakkie_doen(datetime.date(2027, 6, 20)) == datetime.date(2027, 6, 20)
    assert next_bakkie_doen(datetime.date(2027, 6, 21)) == datetime.date(2028, 6, 20)
    assert next_open_day(datetime.date(2026, 12, 5)) == datetime.date(2027, 9, 25)
    assert next_open_day(datetime.date(2018, 1, 1)) == datetime.date(2018, 9, 22)
    assert next_open_day(datetime.date(2027, 9, 26)) == datetime.date(2028, 9, 23)


def test_upcoming_editions_have_published_sites_with_open_shifts(seeded):
    today = clock.today()
    coffee_slug, open_day_slug = coming_slugs()
    coffee = Event.objects.get(slug=coffee_slug)
    assert coffee.date == next_bakkie_doen(today) and (coffee.date.month, coffee.date.day) == (
        6,
        20,
    )
    assert Event.objects.get(slug="bakkie-doen-2019").kind_id == "coffee"
    autumn = Event.objects.get(slug=open_day_slug)
    assert autumn.date.month == 9 and autumn.date.weekday() == 5 and autumn.date >= today
    for edition in (coffee, autumn):
        published = Site.objects.published().filter(event=edition)
        assert published.count() >= 15
        assert Shift.objects.filter(site__in=published, capacity__gt=0).exists()


def test_every_position_is_a_real_dutch_town(seeded):
    for location in Location.objects.all():
        assert 50.7 < location.latitude < 53.6, location
        assert 3.3 < location.longitude < 7.3, location
        assert location.position_precision == Location.Precision.TOWN
    ter_apel = Location.objects.get(name="azc Ter Apel")
    assert (round(ter_apel.latitude, 2), round(ter_apel.longitude, 2)) == (52.88, 7.06)


def test_demo_accounts_can_log_in_with_the_published_password(seeded, client):
    for email in (DEMO_ORGANISER, DEMO_COORDINATOR, DEMO_VOLUNTEER):
        response = client.post(
            "/accounts/login/", {"login": email, "password": DEMO_PASSWORD}, follow=False
        )
        assert response.status_code == 302, email
        client.logout()


def test_demo_roles(seeded, django_user_model):
    assert django_user_model.objects.get(email=DEMO_ORGANISER).is_organiser
    coordinator = django_user_model.objects.get(email=DEMO_COORDINATOR)
    assert list(coordinator.coordinated_branches.values_list("name", flat=True)) == [
        "Afdeling Utrecht"
    ]
    assert Volunteer.objects.filter(user__email=DEMO_VOLUNTEER).exists()


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Event.objects.count() == 0
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Event.objects.count() == 4


def test_coming_shifts_have_volunteers_and_a_waitlist(seeded):
    """Rosters, open spots and the waitlist have something to show in the demo."""
    signups = Signup.objects.filter(shift__site__event__slug__in=coming_slugs())
    assert signups.filter(status=Signup.Status.CONFIRMED).count() >= 30
    assert signups.filter(status=Signup.Status.WAITLISTED).exists()
    assert signups.filter(shift__site__branch__name="Afdeling Utrecht").exists()
    # Never more confirmed than places (the claiming service did the work).
    for shift in Shift.objects.filter(signups__isnull=False).distinct():
        assert shift.signups.filter(status=Signup.Status.CONFIRMED).count() <= shift.capacity


def test_each_demo_role_can_do_its_work_today(seeded, client, django_user_model):
    """Registration of the coming editions is open (until their day begins)."""
    coordinator = django_user_model.objects.get(email=DEMO_COORDINATOR)
    client.force_login(coordinator)
    ahead = Event.objects.filter(slug__in=coming_slugs(), date__gt=clock.today())
    assert ahead.exists()
    for slug in ahead.values_list("slug", flat=True):
        page = client.get(f"/manage/editions/{slug}/register/")
        assert page.status_code == 200
        assert page.context["form"] is not None, slug  # the form, not "registration closed"
    history = Event.objects.get(slug="open-azc-dag-2018")
    assert history.sites.filter(status_changes__comment__startswith="Achteraf ingevoerd").exists()


def test_the_demo_coordinator_registers_a_site_on_the_day_the_demo_is_run(
    seeded, client, django_user_model
):
    """Registration of a coming edition is open today, and the coordinator's branch has a
    place without a site in it: the coordinator's main job works in the demo."""
    from django.urls import reverse

    coordinator = django_user_model.objects.get(email=DEMO_COORDINATOR)
    open_now = [
        event
        for event in Event.objects.filter(slug__in=coming_slugs()).order_by("date")
        if registration_state(event).is_open
    ]
    assert open_now
    event = open_now[0]
    free = Location.objects.get(name=DEMO_COORDINATOR_FREE_PLACE[0])
    assert free.branch.name == "Afdeling Utrecht"
    client.force_login(coordinator)
    url = reverse("events:site_register", args=[event.slug])
    page = client.get(url)
    assert page.context["form"] is not None
    assert free.pk in [
        c.value for c, _label in page.context["form"].fields["location"].choices if c
    ]
    response = client.post(
        url,
        {
            "location": free.pk,
            "opens_at": event.default_opens_at.strftime("%H:%M"),
            "closes_at": event.default_closes_at.strftime("%H:%M"),
            "public_description": "Koffie op het Domplein.",
            "languages_needed": ["nl"],
        },
    )
    site = Site.objects.get(event=event, location=free)
    assert response.status_code == 302 and site.status == Site.Status.DRAFT
    assert site.shifts.exists()


def _coming_events_on(day: datetime.date, django_user_model) -> list[Event]:
    organiser = django_user_model.objects.create_user(
        email=f"org-{day}@example.org", password=None, is_organiser=True
    )
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False):
        return [
            DemoSeeder()._coming_event(plan, organiser=organiser)
            for plan in editions()
            if not plan.is_history and not Event.objects.filter(slug=plan.slug).exists()
        ]


@pytest.mark.parametrize(
    "month_day", [(1, 15), (6, 19), (6, 20), (6, 21), (9, 1), (12, 31)], ids=str
)
def test_on_any_day_a_coming_demo_edition_is_open_for_registration(
    db, django_user_model, month_day
):
    """Also on the coffee day itself (its registration closed when the day began) and on
    the Open azc dag: the other coming edition is open."""
    year = clock.today().year + 1
    days = [datetime.date(year, *month_day), next_open_day(datetime.date(year, 9, 1))]
    for day in days:
        Event.objects.all().delete()
        events = _coming_events_on(day, django_user_model)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False):
            assert any(registration_state(event).is_open for event in events), day
