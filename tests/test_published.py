"""No stored public answer (`common.published`) is stale after a change: each change made
through its service, read back from the map API, the public feeds and the dashboard's
data, gives what a reader with nothing stored gets, and the readers that show the change
show it. Plus the answers' headers, and what happens when the cache is down."""

import gzip
import json
import uuid

import pytest
from django.core.cache import caches

from common import clock, published
from events.models import Site
from events.services import shift_update, site_cancel, site_update
from events.services.signups import signup_create, signup_release
from locations.services import LocationInput, location_save
from tallies.services import TallyTap, tally_record
from tests.conftest import make_user
from tests.factories import make_volunteer
from tests.tallies.conftest import confirm_shift, make_site, make_today_event


@pytest.fixture
def world(db, django_user_model, event, site, shift, organiser, branch, location):
    """A future edition with a site and a shift, and an edition held today with a site
    that counts, each with what every reader shows."""
    today = make_today_event()
    counted = make_site(today, location, branch)
    counter = make_user(django_user_model, "teller@example.org")
    confirm_shift(counter, counted)
    return {
        "event": event,
        "site": site,
        "shift": shift,
        "organiser": organiser,
        "today": today,
        "counted": counted,
        "counter": counter,
        "claimer": make_volunteer("claimer@example.org"),
    }


def map_api(client, world):
    return client.get(f"/api/v1/sites/?event={world['event'].slug}").content


def edition_feed(client, world):
    return client.get(f"/calendar/events/{world['event'].slug}.ics").content


def site_feed(client, world):
    return client.get(f"/calendar/sites/{world['site'].pk}.ics").content


def dashboard(client, world):
    client.force_login(world["organiser"])
    try:
        data = client.get(f"/dashboard/{world['today'].slug}/data.json").json()
    finally:
        client.logout()
    # The moment it was read changes every time; everything else is the figures.
    data.pop("updated_at"), data.pop("updated_at_display")
    return json.dumps(data, sort_keys=True).encode()


def map_page(client, world):
    page = client.get(f"/map/?event={world['event'].slug}").content
    # The list and the count; the rest of the page carries a nonce of its own each time.
    start, end = page.index(b'<p id="map-status"'), page.index(b"</ol>")
    return page[start:end]


def volunteer_feed(client, world):
    return client.get(f"/calendar/volunteer/{world['claimer'].calendar_token}.ics").content


READERS = {
    "map API": map_api,
    "map page": map_page,
    "volunteer feed": volunteer_feed,
    "edition feed": edition_feed,
    "site feed": site_feed,
    "dashboard": dashboard,
}


def rename_site(world):
    site_update(site=world["site"], by=world["organiser"], name="Open huis Utrecht")
    site_update(site=world["counted"], by=world["organiser"], name="Koffie op de markt")


def more_places(world):
    shift_update(shift=world["shift"], capacity=5)


def claim(world):
    signup_create(shift=world["shift"], volunteer=world["claimer"])


def release(world):
    signup_create(shift=world["shift"], volunteer=world["claimer"])
    # Read (and stored) after the claim: what the release must change.
    world["before"] = world["read"]()
    signup_release(shift=world["shift"], volunteer=world["claimer"])


def tally(world):
    tap = TallyTap(uuid.uuid4(), "visitors", 3, clock.now())
    result = tally_record(site=world["counted"], entries=[tap], by=world["counter"])
    assert result.accepted == 1, result


def cancel(world):
    site_cancel(site=world["site"], by=world["organiser"], comment="Storm")
    site_cancel(site=world["counted"], by=world["organiser"], comment="Storm")


def move_location(world):
    location = world["site"].location
    data = LocationInput(
        name=location.name,
        city=location.city,
        kind=location.kind,
        latitude=52.0801,
        longitude=5.1391,
        position_is_manual=True,
    )
    location_save(location=location, data=data, by=world["organiser"])


# Which readers show each change (all of them must be as fresh as a new build).
EVERYWHERE = {"map API", "map page", "edition feed", "site feed", "dashboard"}
CHANGES = {
    "site": (rename_site, EVERYWHERE),
    "shift": (more_places, {"map API", "map page"}),
    "claim": (claim, {"map API", "map page", "volunteer feed"}),
    "release": (release, {"map API", "map page", "volunteer feed"}),
    "tally": (tally, {"dashboard"}),
    "cancellation": (cancel, EVERYWHERE),
    "location move": (move_location, EVERYWHERE),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("change", CHANGES)
def test_no_stored_answer_is_stale_after_a_change(
    client, world, change, reader, django_capture_on_commit_callbacks
):
    read = READERS[reader]
    make_change, shown_by = CHANGES[change]
    before = read(client, world)
    assert read(client, world) == before  # stored, and served again
    world["read"] = lambda: read(client, world)
    with django_capture_on_commit_callbacks(execute=True):
        make_change(world)
    before = world.get("before", before)
    after = read(client, world)
    caches["published"].clear()
    assert after == read(client, world), f"{reader} is stale after a {change}"
    if reader in shown_by:
        assert after != before, f"{reader} does not show a {change}"


def test_a_second_read_is_served_from_the_store(client, world, django_assert_num_queries):
    map_api(client, world)
    with django_assert_num_queries(1):  # the edition the question names (a 400 if unknown)
        map_api(client, world)
    edition_feed(client, world)
    with django_assert_num_queries(1):  # the edition (a 404 for an unknown one)
        edition_feed(client, world)


def test_public_answers_may_be_kept_briefly_by_a_shared_cache_only(client, world, settings):
    settings.PUBLIC_SHARED_CACHE_SECONDS = 20
    for url in (
        f"/api/v1/sites/?event={world['event'].slug}",
        f"/calendar/events/{world['event'].slug}.ics",
    ):
        response = client.get(url)
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=0", "s-maxage=20"}, url
        assert "Accept-Encoding" in response["Vary"]
        # A poll with the ETag gets 304 and no body; gzip when asked for, the same text.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again.content == b""
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert packed["Content-Encoding"] == "gzip"

        assert gzip.decompress(packed.content) == response.content


def test_signed_in_readers_get_their_own_answer_never_a_stored_one(
    client, world, coordinator, django_assert_max_num_queries
):
    hidden = world["site"]
    Site.objects.filter(pk=hidden.pk).update(show_approximate_location=True)
    published.bump(published.SITES)
    public = json.loads(map_api(client, world))
    client.force_login(coordinator)  # of the site's branch: sees the exact place
    own = client.get(f"/api/v1/sites/?event={world['event'].slug}")
    assert "public" not in own.get("Cache-Control", "")
    exact = json.loads(own.content)
    assert public["features"][0]["properties"]["approximate"] is True
    assert exact["features"][0]["properties"]["approximate"] is False


def test_an_unreachable_cache_builds_every_answer_afresh(client, world, monkeypatch):
    before = map_api(client, world)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    store = caches["published"]
    for method in ("get", "get_many", "set", "set_many", "add"):
        monkeypatch.setattr(store, method, down)
    more_places(world)  # its bump fails, and is logged; the change stands
    after = map_api(client, world)
    assert after != before
    assert json.loads(after)["features"][0]["properties"]["open_spots"] == 5


def test_a_change_bumps_the_version_again_when_it_commits(db, django_capture_on_commit_callbacks):
    first = published.versions(published.SITES)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        published.changed(published.SITES)
        during = published.versions(published.SITES)
    assert during != first and len(callbacks) == 1
    callbacks[0]()
    assert published.versions(published.SITES) != during


def test_versions_survive_nothing_but_are_made_when_missing(db):
    one = published.versions(published.SITES, published.TALLIES)
    assert published.versions(published.SITES, published.TALLIES) == one
    caches["published"].clear()
    assert published.versions(published.SITES, published.TALLIES) != one


def test_unknown_scopes_are_refused():
    with pytest.raises(ValueError):
        published.changed("everything")
