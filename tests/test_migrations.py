"""Moving models between apps keeps every row: a database filled at the old layout
(sign-ups and volunteer profiles in `volunteers`, tally entries in `events`) is migrated
to the new one (sign-ups in `events`, profiles in `accounts`, counts in `tallies`), and
everything is there, linked as before, with its rules still enforced."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

OLD_LAYOUT = [
    ("accounts", "0001_initial"),
    ("locations", "0002_geocoding_cache"),
    ("events", "0003_site_location_free_after_cancel"),
    ("volunteers", "0002_staffing_appeal"),
    ("tallies", None),
]
MOMENT = datetime.datetime(2027, 9, 25, 9, 0, tzinfo=datetime.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def fill_old_layout(apps) -> dict:
    User = apps.get_model("accounts", "User")
    Branch = apps.get_model("locations", "Branch")
    Location = apps.get_model("locations", "Location")
    Event = apps.get_model("events", "Event")
    Site = apps.get_model("events", "Site")
    Shift = apps.get_model("events", "Shift")
    TallyEntry = apps.get_model("events", "TallyEntry")
    Volunteer = apps.get_model("volunteers", "Volunteer")
    Signup = apps.get_model("volunteers", "Signup")
    ReminderSent = apps.get_model("volunteers", "ReminderSent")
    ContentType = apps.get_model("contenttypes", "ContentType")

    user = User.objects.create(email="vera@example.org", first_name="Vera")
    branch = Branch.objects.create(name="Afdeling Utrecht", slug="afdeling-utrecht")
    location = Location.objects.create(name="azc Utrecht", city="Utrecht")
    event = Event.objects.create(
        name="Open azc dag", slug="open-azc-dag", kind="open_day", date=MOMENT.date()
    )
    site = Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=MOMENT,
        closes_at=MOMENT + datetime.timedelta(hours=5),
        status="published",
    )
    shift = Shift.objects.create(
        site=site,
        role="reception",
        starts_at=MOMENT,
        ends_at=MOMENT + datetime.timedelta(hours=2),
        capacity=1,
    )
    volunteer = Volunteer.objects.create(
        user=user,
        phone="0612345678",
        languages=["nl", "ti"],
        home_branch=branch,
        calendar_token="token-of-vera-for-her-own-calendar",
        coordinator_calendar_token="token-of-vera-for-the-branch-calendar",
    )
    signup = Signup.objects.create(
        shift=shift, volunteer=volunteer, status="confirmed", confirmed_at=MOMENT
    )
    ReminderSent.objects.create(signup=signup, kind="morning", sent_at=MOMENT)
    tap = uuid.uuid4()
    TallyEntry.objects.create(
        site=site, category="visitors", delta=3, client_id=tap, recorded_at=MOMENT
    )
    content_types = {
        model: ContentType.objects.get_or_create(app_label=app, model=model)[0].pk
        for app, model in [("volunteers", "signup"), ("events", "tallyentry")]
    }
    return {
        "user": user.pk,
        "shift": shift.pk,
        "signup": signup.pk,
        "volunteer": volunteer.pk,
        "tap": tap,
        "content_types": content_types,
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_at_the_old_layout_keeps_every_row_and_rule():
    before = fill_old_layout(migrate(OLD_LAYOUT))

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType

    from accounts.models import Volunteer
    from events.models import Signup
    from locations.models import Location
    from tallies.models import TallyEntry
    from volunteers.models import ReminderSent

    signup = Signup.objects.select_related("volunteer__user", "shift").get(pk=before["signup"])
    assert signup.status == Signup.Status.CONFIRMED and signup.confirmed_at == MOMENT
    assert signup.shift_id == before["shift"]
    volunteer = Volunteer.objects.get(pk=before["volunteer"])
    assert volunteer == signup.volunteer and volunteer.user.email == "vera@example.org"
    assert volunteer.languages == ["nl", "ti"] and volunteer.home_branch.name == "Afdeling Utrecht"
    assert volunteer.calendar_token == "token-of-vera-for-her-own-calendar"
    assert ReminderSent.objects.get().signup == signup
    tally = TallyEntry.objects.get()
    assert (tally.client_id, tally.delta, tally.site.location.name) == (
        before["tap"],
        3,
        "azc Utrecht",
    )
    # A place where only one branch's sites took place is now looked after by that branch.
    assert Location.objects.get().branch.name == "Afdeling Utrecht"
    # The content types moved with their models (admin history, permissions).
    assert ContentType.objects.get(pk=before["content_types"]["signup"]).app_label == "events"
    assert ContentType.objects.get(pk=before["content_types"]["tallyentry"]).app_label == (
        "tallies"
    )
    # The database still enforces the rules: one active place per volunteer and shift,
    # one row per tap.
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(
            shift=signup.shift, volunteer=volunteer, status=Signup.Status.WAITLISTED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        TallyEntry.objects.create(
            site=tally.site,
            category="visitors",
            delta=1,
            client_id=before["tap"],
            recorded_at=MOMENT,
        )
