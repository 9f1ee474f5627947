"""An edition's public results (`/results/<slug>/`), its embed and its API answer: published
by organisers only, 404 for everyone until then, live on the day, compared with earlier
editions afterwards, framed by partners, cached without ever hiding a change, and with no
personal data and no exact place of an azc."""

import datetime
import html
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from events.models import Event, Site
from locations.models import Location, Province
from tallies.models import ResultsPublication
from tallies.public_results import results_publish, results_unpublish
from tests.conftest import make_user
from tests.factories import make_shift, make_signup, make_volunteer

from .conftest import make_site, store_entry, today_at

pytestmark = pytest.mark.django_db

# A building on the edge of Zwolle, away from any grid point, with its street address.
EXACT = ("52.53473", "6.07231")
PERSONAL = ["Zebulon", "Quackenbush", "zebulon.q@example.org", "0698765432", "Karim"]


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_url(event) -> str:
    return f"/results/{event.slug}/"


def embed_url(event) -> str:
    return f"/results/{event.slug}/embed/"


def api_url(event) -> str:
    return f"/api/v1/events/{event.slug}/results/"


def _location(name, city, province, **fields) -> Location:
    return Location.objects.create(
        name=name, kind=Location.Kind.AZC, city=city, province=province, **fields
    )


@pytest.fixture
def today_edition(db, location, branch, other_branch, coordinator):
    """Today's edition: two approved sites in Utrecht, one in Overijssel (an azc shown
    approximately, with volunteers), and a draft, a submitted and a cancelled site with
    counts that must not show anywhere."""
    event = Event.objects.create(
        name="Open azc dag vandaag",
        slug="open-azc-dag-vandaag",
        kind_id="open_day",
        date=timezone.localdate(),
        is_published=True,
    )
    utrecht = make_site(event, location, branch)
    amersfoort = make_site(
        event, _location("azc Amersfoort", "Amersfoort", Province.UTRECHT), branch
    )
    zwolle = make_site(
        event,
        _location(
            "azc Zwolle Hoogstraat",
            "Zwolle",
            Province.OVERIJSSEL,
            street="Hoogstraat",
            house_number=48,
            postcode="8011 AA",
            latitude=float(EXACT[0]),
            longitude=float(EXACT[1]),
        ),
        other_branch,
    )
    zwolle.show_approximate_location = True
    zwolle.save()
    store_entry(utrecht, "visitors", 120, correction=True)
    store_entry(utrecht, "children", 30, correction=True)
    store_entry(amersfoort, "visitors", 1000, correction=True)
    store_entry(zwolle, "visitors", 80, correction=True)
    for status, town in (
        (Site.Status.DRAFT, "Delft"),
        (Site.Status.SUBMITTED, "Leiden"),
        (Site.Status.CANCELLED, "Gouda"),
    ):
        hidden = make_site(
            event, _location(f"azc {town}", town, Province.ZUID_HOLLAND), other_branch
        )
        hidden.status = status
        hidden.save()
        store_entry(hidden, "visitors", 5000, correction=True)
    volunteer = make_volunteer(
        "zebulon.q@example.org", first_name="Zebulon", last_name="Quackenbush"
    )
    volunteer.phone = "0698765432"
    volunteer.save()
    make_signup(shift=make_shift(zwolle, capacity=2), volunteer=volunteer, status="confirmed")
    return event


@pytest.fixture
def published_today(today_edition, organiser):
    results_publish(event=today_edition, by=organiser)
    return today_edition


# --- Publishing, per role ---------------------------------------------------------------


def test_an_organiser_publishes_and_unpublishes_with_one_button(organiser_client, today_edition):
    dashboard = english(organiser_client).get(f"/dashboard/{today_edition.slug}/")
    assert "Publish the results" in dashboard.content.decode()
    response = organiser_client.post(
        f"/dashboard/{today_edition.slug}/results/", {"publish": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/dashboard/{today_edition.slug}/"
    body = response.content.decode()
    assert "The results are public now." in body
    assert "Unpublish the results" in body
    assert Client().get(page_url(today_edition)).status_code == 200

    response = organiser_client.post(
        f"/dashboard/{today_edition.slug}/results/", {"publish": "0"}, follow=True
    )
    assert "The results are no longer public." in response.content.decode()
    assert not ResultsPublication.objects.exists()
    assert Client().get(page_url(today_edition)).status_code == 404


@pytest.mark.parametrize("publish", ["1", "0"])
def test_nobody_but_organisers_publishes_or_unpublishes(
    client,
    today_edition,
    organiser,
    coordinator,
    volunteer,
    other_branch,
    django_user_model,
    publish,
):
    if publish == "0":
        results_publish(event=today_edition, by=organiser)
    elsewhere = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(elsewhere)
    url = f"/dashboard/{today_edition.slug}/results/"
    for user in (coordinator, elsewhere, volunteer):
        client.force_login(user)
        assert client.post(url, {"publish": publish}).status_code == 403, user
    client.logout()
    response = client.post(url, {"publish": publish})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ResultsPublication.objects.exists() == (publish == "0")


def test_the_button_is_for_organisers_only(client, today_edition, coordinator):
    client.force_login(coordinator)
    body = english(client).get(f"/dashboard/{today_edition.slug}/").content.decode()
    assert "The results of this edition are not public." in body
    assert "Publish the results" not in body


def test_the_results_of_an_unpublished_edition_cannot_be_published(organiser_client, today_edition):
    today_edition.is_published = False
    today_edition.save()
    response = english(organiser_client).post(
        f"/dashboard/{today_edition.slug}/results/", {"publish": "1"}, follow=True
    )
    assert "Publish the edition first" in response.content.decode()
    assert not ResultsPublication.objects.exists()


def test_a_malformed_choice_is_a_message_not_an_error(organiser_client, today_edition):
    response = english(organiser_client).post(
        f"/dashboard/{today_edition.slug}/results/", {"publish": "maybe"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose whether to publish or unpublish the results." in response.content.decode()
    assert not ResultsPublication.objects.exists()


def test_publishing_twice_keeps_the_first_publication(today_edition, organiser):
    first = results_publish(event=today_edition, by=organiser)
    again = results_publish(event=today_edition, by=organiser)
    assert first.pk == again.pk and ResultsPublication.objects.count() == 1
    results_unpublish(event=today_edition, by=organiser)
    results_unpublish(event=today_edition, by=organiser)
    assert not ResultsPublication.objects.exists()


# --- Unpublished: nowhere ---------------------------------------------------------------


def test_unpublished_results_are_404_for_everyone_and_linked_nowhere(
    client, today_edition, organiser, coordinator, volunteer
):
    for user in (None, volunteer, coordinator, organiser):
        if user is not None:
            client.force_login(user)
        for url in (page_url(today_edition), embed_url(today_edition), api_url(today_edition)):
            assert client.get(url).status_code == 404, (user, url)
    client.logout()
    assert "/results/" not in client.get(f"/events/{today_edition.slug}/").content.decode()


def test_results_of_an_edition_taken_off_line_are_404(client, published_today):
    published_today.is_published = False
    published_today.save()
    for url in (page_url(published_today), embed_url(published_today), api_url(published_today)):
        assert client.get(url).status_code == 404


def test_the_public_edition_page_links_the_published_results(client, published_today):
    body = english(client).get(f"/events/{published_today.slug}/").content.decode()
    assert f'href="/results/{published_today.slug}/"' in body
    assert ">Results</a>" in body


def test_the_edition_management_page_links_the_public_results(
    organiser_client, today_edition, organiser
):
    url = f"/manage/editions/{today_edition.slug}/"
    assert f"/results/{today_edition.slug}/" not in organiser_client.get(url).content.decode()
    results_publish(event=today_edition, by=organiser)
    assert f'href="/results/{today_edition.slug}/"' in organiser_client.get(url).content.decode()


def test_publishing_and_unpublishing_show_at_once_after_the_day(client, past_editions):
    _older, hidden, _last = past_editions
    organiser = ResultsPublication.objects.first().published_by
    for url in (page_url(hidden), api_url(hidden), embed_url(hidden)):
        assert client.get(url).status_code == 404
        results_publish(event=hidden, by=organiser)
        assert client.get(url).status_code == 200
        results_unpublish(event=hidden, by=organiser)
        assert client.get(url).status_code == 404
    # Published again after a correction made meanwhile: the figures are current.
    store_entry(Site.objects.get(event=hidden), "visitors", 1, correction=True)
    results_publish(event=hidden, by=organiser)
    assert client.get(api_url(hidden)).json()["totals"]["visitors"] == 1000


def test_afterwards_the_queries_per_request_are_constant(
    client, past_editions, django_assert_max_num_queries
):
    _older, _hidden, last = past_editions
    client.get(page_url(last))  # builds and stores the figures and the comparison
    for url in (page_url(last), embed_url(last), api_url(last)):
        with django_assert_max_num_queries(1):
            assert client.get(url).status_code == 200


# --- What the public sees ---------------------------------------------------------------


def test_the_page_shows_national_totals_sites_and_provinces(client, published_today):
    response = english(client).get(page_url(published_today))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Results of <bdi>Open azc dag vandaag</bdi>" in body
    # Visitors first (the headline), children, then people reached: only approved sites.
    facts = re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", body)
    assert facts == [
        ("Visitors", "1,200"),
        ("Children", "30"),
        ("People reached", "1,230"),
        ("Sites taking part", "3"),
    ]
    rows = re.findall(r'<tr data-province="(\w*)">(.*?)</tr>', body, re.S)
    cells = {code: re.findall(r"<td[^>]*>([^<]*)</td>", row) for code, row in rows}
    assert cells == {"OV": ["1", "80", "0"], "UT": ["2", "1,120", "30"]}
    (total_row,) = re.findall(r"<tfoot>(.*?)</tfoot>", body, re.S)
    assert "All provinces" in total_row
    assert re.findall(r"<td[^>]*>([^<]*)</td>", total_row) == ["3", "1,200", "30"]
    assert "Zuid-Holland" not in body  # only draft, submitted and cancelled sites there
    assert '<th scope="col">Province</th>' in body
    # Live: the script's settings, and no comparison before the day is over.
    assert '"live": true' in body
    assert "Compared with earlier editions" not in body


def test_numbers_are_written_as_the_language_writes_them(client, published_today):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    body = client.get(page_url(published_today)).content.decode()
    assert ">1.200</dd>" in body and ">1.230</dd>" in body


def test_the_embed_shows_the_headline_sites_and_people_reached(client, published_today):
    body = english(client).get(embed_url(published_today)).content.decode()
    facts = re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", body)
    assert facts == [("Visitors", "1,200"), ("Sites taking part", "3"), ("People reached", "1,230")]
    assert '<base target="_blank">' in body
    assert "results.js" in body


def test_the_page_offers_the_embed_snippet_with_the_absolute_url_escaped(
    client, today_edition, organiser
):
    today_edition.name = 'Open "azc" <dag>'
    today_edition.save()
    results_publish(event=today_edition, by=organiser)
    body = english(client).get(page_url(today_edition)).content.decode()
    (snippet,) = re.findall(r'<textarea id="results-embed-code"[^>]*>(.*?)</textarea>', body, re.S)
    assert "<" not in snippet and '"' not in snippet  # shown as text, not markup
    code = html.unescape(snippet)
    assert code.startswith(f'<iframe src="{settings.SITE_URL}/results/{today_edition.slug}/embed/"')
    assert 'title="Results of Open &quot;azc&quot; &lt;dag&gt;"' in code


def test_the_live_json_follows_the_count(client, published_today):
    answer = english(client).get(api_url(published_today))
    assert answer.status_code == 200
    data = answer.json()
    assert data["live"] is True
    assert data["refresh_seconds"] == settings.RESULTS_REFRESH_SECONDS
    assert data["totals"] == {"visitors": 1200, "children": 30}
    assert data["headline"] == {"slug": "visitors", "name": "visitors", "total": 1200}
    assert data["people_reached"] == 1230
    assert data["sites"] == 3
    assert [(p["code"], p["sites"], p["totals"]) for p in data["provinces"]] == [
        ("OV", 1, {"visitors": 80, "children": 0}),
        ("UT", 2, {"visitors": 1120, "children": 30}),
    ]
    assert data["url"] == f"{settings.SITE_URL}/results/{published_today.slug}/"
    assert answer["Cache-Control"].startswith("public")


def test_on_the_day_a_new_count_shows_within_the_live_period(client, published_today):
    site = Site.objects.get(event=published_today, location__name="azc Utrecht")
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        assert client.get(api_url(published_today)).json()["totals"]["visitors"] == 1200
        store_entry(site, "visitors", 7, correction=True)
        # Within the period every reader gets the figures built once.
        assert client.get(api_url(published_today)).json()["totals"]["visitors"] == 1200
    later = moment + datetime.timedelta(seconds=settings.RESULTS_LIVE_CACHE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert client.get(api_url(published_today)).json()["totals"]["visitors"] == 1207


def test_publishing_and_unpublishing_show_at_once(client, today_edition, organiser):
    for url in (page_url(today_edition), api_url(today_edition), embed_url(today_edition)):
        assert client.get(url).status_code == 404
        results_publish(event=today_edition, by=organiser)
        assert client.get(url).status_code == 200
        results_unpublish(event=today_edition, by=organiser)
        assert client.get(url).status_code == 404


# --- After the day: final figures and earlier editions ----------------------------------


def _past_edition(name, slug, days_ago, location, branch, visitors) -> Event:
    event = Event.objects.create(
        name=name,
        slug=slug,
        kind_id="open_day",
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        is_published=True,
    )
    site = make_site(event, location, branch, days_ago=days_ago)
    store_entry(site, "visitors", visitors, correction=True)
    return event


@pytest.fixture
def past_editions(location, branch, organiser):
    older = _past_edition("Open azc dag 2018", "oad-2018", 800, location, branch, 400)
    hidden = _past_edition("Open azc dag 2019", "oad-2019", 400, location, branch, 999)
    last = _past_edition("Open azc dag 2020", "oad-2020", 30, location, branch, 500)
    results_publish(event=older, by=organiser)
    results_publish(event=last, by=organiser)
    return older, hidden, last


def test_afterwards_the_page_compares_with_earlier_published_editions(client, past_editions):
    older, _hidden, last = past_editions
    body = english(client).get(page_url(last)).content.decode()
    assert "Compared with earlier editions" in body
    # Compared with 2018: the 2019 results are not public, so they show nowhere.
    assert "This edition compared with <bdi>Open azc dag 2018</bdi>" in body
    assert "+25%" in body  # 500 visitors against 400
    assert "Open azc dag 2019" not in body and "999" not in body
    assert f'href="/results/{older.slug}/"' in body
    data = client.get(api_url(last)).json()
    assert data["live"] is False and data["after"] is True and data["refresh_seconds"] is None
    assert data["previous"] == {"event": older.slug, "name": older.name}
    assert data["comparison"][0]["current"] == 500 and data["comparison"][0]["previous"] == 400
    assert [e["event"] for e in data["earlier"]] == [older.slug]
    assert '"live": false' in body


def test_afterwards_a_correction_shows_at_once(client, past_editions):
    _older, _hidden, last = past_editions
    assert client.get(api_url(last)).json()["totals"]["visitors"] == 500
    store_entry(Site.objects.get(event=last), "visitors", -20, correction=True)
    assert client.get(api_url(last)).json()["totals"]["visitors"] == 480


def test_the_dashboard_keeps_its_comparison(organiser_client, past_editions):
    _older, hidden, last = past_editions
    # The dashboard compares with the previous edition the organiser may open (2019),
    # public results or not: one comparison, two audiences.
    data = organiser_client.get(f"/dashboard/{last.slug}/data.json").json()
    assert data["previous"]["event"] == hidden.slug
    assert data["comparison"][0]["current"] == 500
    assert data["comparison"][0]["change_signed"] == "-50"


# --- Framing, privacy, queries ----------------------------------------------------------


def test_only_the_embed_may_be_framed(client, published_today):
    embed = client.get(embed_url(published_today))
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    page = client.get(page_url(published_today))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_no_personal_data_and_no_exact_place_in_any_results_answer(
    client, published_today, organiser
):
    for language in ("en", "nl", "ar"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in (
            page_url(published_today),
            embed_url(published_today),
            api_url(published_today),
        ):
            body = client.get(url).content.decode()
            leaked = [value for value in PERSONAL if value in body]
            assert leaked == [], (url, leaked)
            for secret in (*EXACT, "Hoogstraat", "8011", "azc Zwolle", "azc Utrecht"):
                assert secret not in body, (url, secret)
            # No draft, submitted or cancelled site, nor its town or its counts.
            for hidden in ("Delft", "Leiden", "Gouda", "5000", "5,000", "5.000"):
                assert hidden not in body, (url, hidden)


def test_the_scan_would_see_a_leak(organiser_client, published_today):
    """The data is there to find: the organiser's dashboard names the sites."""
    body = organiser_client.get(f"/dashboard/{published_today.slug}/").content.decode()
    assert "azc Zwolle" in body and "Delft" in body


def test_queries_per_request_do_not_grow_with_the_sites(
    client, published_today, other_branch, django_assert_max_num_queries
):
    urls = (page_url(published_today), embed_url(published_today), api_url(published_today))
    with django_assert_max_num_queries(12):
        for url in urls:
            client.get(url)  # builds and stores the figures
    for url in urls:
        with django_assert_max_num_queries(1):
            assert client.get(url).status_code == 200
    for number in range(5):
        site = make_site(
            published_today,
            _location(f"azc Extra {number}", "Groningen", Province.GRONINGEN),
            other_branch,
        )
        store_entry(site, "visitors", 1, correction=True)
    with time_machine.travel(
        timezone.now() + datetime.timedelta(seconds=settings.RESULTS_LIVE_CACHE_SECONDS + 1),
        tick=False,
    ):
        with django_assert_max_num_queries(12):
            data = client.get(api_url(published_today)).json()
        assert data["sites"] == 8
        for url in urls:
            with django_assert_max_num_queries(1):
                assert client.get(url).status_code == 200


def test_the_live_time_is_shown_on_the_day(client, published_today):
    body = english(client).get(page_url(published_today)).content.decode()
    assert "Live: counting is going on today." in body
    assert today_at(0).date().isoformat() in body


def test_the_page_and_embed_vary_with_the_language_cookie(client, published_today):
    # Found by the attack review: the language comes from the cookie too, so a shared
    # cache that kept one copy per browser language served Dutch to an Arabic reader.
    for url in (page_url(published_today), embed_url(published_today)):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        arabic = client.get(url)
        assert 'lang="ar"' in arabic.content.decode()
        assert "Cookie" in arabic["Vary"] and "no-cache" in arabic["Cache-Control"]
