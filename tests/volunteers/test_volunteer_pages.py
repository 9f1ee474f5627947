"""Volunteers' pages: find open shifts, claim, release, my shifts, profile."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Signup, Site
from locations.models import Location
from tests.conftest import YEAR
from tests.factories import make_shift, make_signup, make_volunteer

LIST = reverse("volunteers:shift_list")
MY = reverse("volunteers:my_shifts")


def text(response) -> str:
    return response.content.decode()


def test_anonymous_sees_open_shifts_but_no_claim_button(anonymous_client, site):
    make_shift(site, capacity=4)
    response = anonymous_client.get(LIST)
    assert response.status_code == 200
    page = text(response)
    assert "4 plaatsen vrij" in page
    assert "Log in</a> of" in page
    assert "Deze dienst nemen" not in page


def test_only_claimable_shifts_are_listed(anonymous_client, site, event, other_branch):
    open_shift = make_shift(site, role="coffee")
    make_shift(site, role="setup", is_cancelled=True)
    make_shift(site, role="counting", starts_in_hours=-2)
    draft = Site.objects.create(
        event=event,
        location=Location.objects.create(name="Plein", city="Zwolle"),
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.DRAFT,
    )
    make_shift(draft, role="tour_guide")
    shifts = list(anonymous_client.get(LIST).context["page"])
    assert shifts == [open_shift]


def test_filters_by_event_town_date_and_free_places(anonymous_client, site, event, branch):
    coffee = Event.objects.create(
        name=f"Bakkie Doen {YEAR}",
        slug=f"bakkie-doen-{YEAR}",
        kind_id="coffee",
        date=datetime.date(YEAR, 6, 20),
        is_published=True,
    )
    square = Site.objects.create(
        event=coffee,
        location=Location.objects.create(
            name="Grote Markt", city="Zwolle", latitude=52.5125, longitude=6.09444
        ),
        branch=branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    in_utrecht = make_shift(site, starts_in_hours=72)
    in_zwolle = make_shift(square, starts_in_hours=96, capacity=1)
    make_signup(shift=in_zwolle, volunteer=make_volunteer(), status="confirmed")

    def listed(**query):
        return list(anonymous_client.get(LIST, query).context["page"])

    assert listed() == [in_utrecht, in_zwolle]
    assert listed(event=coffee.slug) == [in_zwolle]
    assert listed(town="Zwolle") == [in_zwolle]
    day = timezone.localtime(in_utrecht.starts_at).date().isoformat()
    assert listed(date=day) == [in_utrecht]
    assert listed(free="on") == [in_utrecht]


def _site_in(site, town: str, latitude: float, longitude: float) -> Site:
    return Site.objects.create(
        event=site.event,
        location=Location.objects.create(
            name=f"Markt {town}", city=town, latitude=latitude, longitude=longitude
        ),
        branch=site.branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.PUBLISHED,
    )


def test_a_town_finds_the_shifts_near_it_within_the_chosen_radius(anonymous_client, site):
    """Leusden has no site of its own; Amersfoort, 4 km away, does; Woudenberg lies about
    6 km away, Utrecht (the `site` fixture) about 21 km."""
    in_amersfoort = make_shift(_site_in(site, "Amersfoort", 52.155, 5.3875), starts_in_hours=80)
    in_woudenberg = make_shift(_site_in(site, "Woudenberg", 52.0808, 5.4164), starts_in_hours=84)
    in_utrecht = make_shift(site, starts_in_hours=72)

    def listed(**query):
        return list(anonymous_client.get(LIST, query).context["page"])

    # 10 km unless chosen otherwise.
    assert listed(town="Leusden") == [in_amersfoort, in_woudenberg]
    assert listed(town="Leusden", radius_km="5") == [in_amersfoort]
    assert listed(town="Leusden", radius_km="25") == [in_utrecht, in_amersfoort, in_woudenberg]
    html = text(anonymous_client.get(LIST))
    assert '<option value="10" selected>10 km</option>' in html


def test_a_town_nobody_knows_is_named_in_a_message(anonymous_client, site):
    make_shift(site)
    response = anonymous_client.get(LIST, {"town": "Nergenshuizen"})
    assert response.status_code == 200
    errors = response.context["form"].errors["town"]
    assert "Nergenshuizen" in errors[0]
    assert "Nergenshuizen" in text(response)


def test_a_site_shown_only_by_its_town_is_measured_from_its_grid_cell(anonymous_client, site):
    """The near search uses the position the map shows, not the hidden exact one."""
    from django.contrib.auth.models import AnonymousUser

    from events.search import NearPoint, site_ids_near

    site.show_approximate_location = True
    site.save(update_fields=["show_approximate_location"])
    # 100 m around the exact place (about 180 m from the grid point) finds nothing; 100 m
    # around the grid point finds it: the answer follows the grid, like the map's.
    exact = site_ids_near(NearPoint(52.09083, 5.12222, 0.1), user=AnonymousUser())
    assert exact == []
    cell = site_ids_near(NearPoint(52.09, 5.12, 0.1), user=AnonymousUser())
    assert cell == [site.pk]


def test_a_bad_filter_is_named_and_not_a_500(anonymous_client, site):
    make_shift(site)
    response = anonymous_client.get(LIST, {"date": "31-31-2027", "event": "no-such-edition"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"date", "event"}
    assert len(response.context["page"].object_list) == 1


def test_the_list_shows_the_language_match(volunteer_client, volunteer, site):
    volunteer.volunteer.languages = ["nl", "ar"]
    volunteer.volunteer.save()
    site.languages_needed = ["ar", "ti"]
    site.save()
    make_shift(site)
    page = text(volunteer_client.get(LIST))
    assert "Gevraagde talen: Arabisch, Tigrinya" in page
    assert "jij spreekt Arabisch" in page

    volunteer.volunteer.languages = ["en"]
    volunteer.volunteer.save()
    assert "je spreekt geen van deze" in text(volunteer_client.get(LIST))


def test_without_languages_in_the_profile_no_mismatch_is_claimed(volunteer_client, volunteer, site):
    """A new volunteer has not said which languages they speak: the pages show what the
    site asks for, not "you speak none of these"."""
    site.languages_needed = ["ar"]
    site.save()
    volunteer_client.post(reverse("volunteers:shift_claim", args=[make_shift(site).pk]))
    for page in (text(volunteer_client.get(LIST)), text(volunteer_client.get(MY))):
        assert "Gevraagde talen: Arabisch" in page
        assert "geen van deze" not in page


def test_the_list_takes_few_queries(volunteer_client, site, django_assert_max_num_queries):
    for hours in range(72, 92, 2):
        make_shift(site, starts_in_hours=hours)
    # The same number of queries for 10 shifts as for 1: none per shift.
    with django_assert_max_num_queries(12):
        response = volunteer_client.get(LIST)
    assert len(response.context["page"].object_list) == 10


def test_claim_from_the_list_then_release_from_my_shifts(volunteer_client, volunteer, site):
    shift = make_shift(site, capacity=1)
    response = volunteer_client.post(
        reverse("volunteers:shift_claim", args=[shift.pk]), {"next": LIST + "?town=Utrecht"}
    )
    assert response.status_code == 302
    assert response["Location"] == LIST + "?town=Utrecht"
    assert shift.signups.get().status == "confirmed"
    page = text(volunteer_client.get(LIST, follow=True))
    assert "Je hebt een plaats in deze dienst." in page

    my = text(volunteer_client.get(MY))
    assert "Bevestigd" in my
    assert "Dienst teruggeven" in my
    # One stray tap asks first and gives nothing away.
    confirm = volunteer_client.get(reverse("volunteers:shift_release", args=[shift.pk]))
    assert confirm.status_code == 200
    assert "Ja, geef deze dienst terug" in text(confirm)
    assert shift.signups.get().status == "confirmed"
    response = volunteer_client.post(reverse("volunteers:shift_release", args=[shift.pk]))
    assert response["Location"] == MY
    assert shift.signups.get().status == "cancelled"
    assert "Je hebt de dienst teruggegeven." in text(volunteer_client.get(MY))


def test_a_refused_claim_shows_the_reason_and_changes_nothing(volunteer_client, site):
    shift = make_shift(site, is_cancelled=True)
    response = volunteer_client.post(
        reverse("volunteers:shift_claim", args=[shift.pk]), follow=True
    )
    assert "Deze dienst is geschrapt." in text(response)
    assert not Signup.objects.exists()


def test_a_full_shift_puts_you_on_the_waitlist_with_your_number(volunteer_client, site):
    shift = make_shift(site, capacity=0)
    response = volunteer_client.post(
        reverse("volunteers:shift_claim", args=[shift.pk]), follow=True
    )
    assert "Je bent nummer 1 op de wachtlijst" in text(response)
    page = text(volunteer_client.get(MY))
    assert "Op de wachtlijst, nummer 1." in page
    assert "Van de wachtlijst af" in page


def test_unverified_account_is_told_to_confirm_first(client, site):
    person = make_volunteer(verified=False)
    client.force_login(person.user)
    shift = make_shift(site)
    response = client.post(reverse("volunteers:shift_claim", args=[shift.pk]), follow=True)
    assert "Bevestig eerst je e-mailadres" in text(response)
    assert not Signup.objects.exists()
    assert "Deze dienst nemen" not in text(client.get(LIST))


def test_after_the_deadline_my_shifts_says_whom_to_tell(volunteer_client, volunteer, branch, site):
    branch.email = "utrecht@example.org"
    branch.save()
    shift = make_shift(site, starts_in_hours=5)
    make_signup(shift=shift, volunteer=volunteer.volunteer, status="confirmed")
    page = text(volunteer_client.get(MY))
    assert "Teruggeven kan hier niet meer" in page
    assert "mailto:utrecht@example.org" in page
    assert "Dienst teruggeven" not in page
    response = volunteer_client.post(
        reverse("volunteers:shift_release", args=[shift.pk]), follow=True
    )
    assert "coördinator" in text(response)
    assert shift.signups.get().status == "confirmed"


def test_my_shifts_shows_cancelled_and_past_shifts(volunteer_client, volunteer, site):
    profile = volunteer.volunteer
    cancelled = make_shift(site, starts_in_hours=80, is_cancelled=True)
    make_signup(shift=cancelled, volunteer=profile, status="cancelled")
    past = make_shift(site, starts_in_hours=-30)
    make_signup(shift=past, volunteer=profile, status="confirmed")
    page = text(volunteer_client.get(MY))
    assert "Geschrapt door de coördinator" in page
    assert "Eerdere diensten" in page
    # The calendar subscription (issue 6's block) with the volunteer's own secret feed.
    assert "Je diensten in je agenda" in page
    assert f"/calendar/volunteer/{profile.calendar_token}.ics" in page


def test_my_shifts_takes_few_queries(
    volunteer_client, volunteer, site, django_assert_max_num_queries
):
    def waitlisted_on(hours):
        shift = make_shift(site, starts_in_hours=hours, hours=1, capacity=0)
        make_signup(shift=shift, volunteer=volunteer.volunteer, status="waitlisted")

    waitlisted_on(72)
    with CaptureQueriesContext(connection) as one:
        volunteer_client.get(MY)
    for hours in range(75, 100, 3):
        waitlisted_on(hours)
    # The waitlist positions come in one query, however many places are waited for.
    with django_assert_max_num_queries(len(one)):
        page = volunteer_client.get(MY).content.decode()
    assert page.count("Op de wachtlijst, nummer 1.") == 10


def test_profile_edit_saves_and_names_a_bad_field(volunteer_client, volunteer, branch):
    url = reverse("volunteers:profile")
    data = {
        "first_name": "Vera",
        "last_name": "de Vries",
        "phone": "+31 6 1234 5678",
        "languages": ["nl", "ti"],
        "home_branch": branch.pk,
    }
    assert volunteer_client.post(url, data)["Location"] == url
    volunteer.refresh_from_db()
    profile = volunteer.volunteer
    profile.refresh_from_db()
    assert (volunteer.last_name, profile.phone) == ("de Vries", "+31 6 1234 5678")
    assert profile.languages == ["nl", "ti"]
    assert profile.home_branch == branch

    response = volunteer_client.post(url, {**data, "phone": "call me", "languages": ["xx"]})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "languages"}
    profile.refresh_from_db()
    assert profile.phone == "+31 6 1234 5678"


@pytest.mark.parametrize("name", ["my_shifts", "profile", "my_data", "account_delete"])
def test_personal_pages_need_a_log_in(anonymous_client, name):
    response = anonymous_client.get(reverse(f"volunteers:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_claim_and_release_ask_first_on_get(volunteer_client, site):
    shift = make_shift(site)
    page = text(volunteer_client.get(reverse("volunteers:shift_claim", args=[shift.pk])))
    assert "Deze dienst nemen?" in page
    assert not Signup.objects.exists()
    # Without a place, the release page says so instead of asking.
    response = volunteer_client.get(reverse("volunteers:shift_release", args=[shift.pk]))
    assert response.status_code == 302
    assert "Je hebt geen plaats in deze dienst." in text(volunteer_client.get(MY))


def test_next_cannot_send_you_elsewhere(volunteer_client, site):
    shift = make_shift(site)
    response = volunteer_client.post(
        reverse("volunteers:shift_claim", args=[shift.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == MY


@pytest.mark.parametrize("target", ["abc", "volunteers:profile", "//evil.example/", "my/shifts/"])
def test_a_next_that_is_not_a_path_goes_to_my_shifts(volunteer_client, site, target):
    # A bare word used to be read as the name of a URL pattern: a 500 after the claim.
    shift = make_shift(site)
    claim = volunteer_client.post(
        reverse("volunteers:shift_claim", args=[shift.pk]), {"next": target}
    )
    assert claim.status_code == 302
    assert claim["Location"] == MY
    assert Signup.objects.get(shift=shift).status == Signup.Status.CONFIRMED
    release = volunteer_client.post(
        reverse("volunteers:shift_release", args=[shift.pk]), {"next": target}
    )
    assert release.status_code == 302
    assert release["Location"] == MY


def test_the_site_page_leads_to_claiming_its_shifts(
    volunteer_client, site, event, other_branch, django_assert_max_num_queries
):
    # The map's "choose a shift" link opens the site page; it used to show only the
    # number of places, with no way to claim one.
    reception = make_shift(site, capacity=3)
    make_shift(site, role="coffee", capacity=2)
    make_signup(shift=reception, volunteer=make_volunteer(), status=Signup.Status.CONFIRMED)
    elsewhere = Site.objects.create(
        event=event,
        location=Location.objects.create(name="Grote Markt", city="Zwolle"),
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    make_shift(elsewhere, role="tour_guide")

    with django_assert_max_num_queries(8):  # session, user, permissions, site, shifts
        page = text(volunteer_client.get(site.get_absolute_url()))
    assert '<th scope="col">Vrij</th>' in page
    assert "<td>3</td>\n          <td>2</td>" in page  # reception: 3 places, 2 free
    link = f"{LIST}?site={site.pk}"
    assert f'href="{link}"' in page

    response = volunteer_client.get(link)
    assert [shift.site_id for shift in response.context["page"]] == [site.pk, site.pk]
    listing = text(response)
    assert (
        f'Diensten bij <a href="/sites/{site.pk}/"><bdi>azc Utrecht</bdi></a>, <bdi>Utrecht</bdi>.'
        in listing
    )
    assert f'name="site" value="{site.pk}"' in listing  # kept when filtering further

    claim = volunteer_client.post(
        reverse("volunteers:shift_claim", args=[reception.pk]), {"next": link}
    )
    assert claim["Location"] == link
    assert Signup.objects.filter(shift=reception, status="confirmed").count() == 2


def test_no_claim_link_once_the_site_has_closed(anonymous_client, site):
    make_shift(site)
    site.opens_at = timezone.now() - datetime.timedelta(hours=6)
    site.closes_at = timezone.now() - datetime.timedelta(hours=1)
    site.save()
    page = text(anonymous_client.get(site.get_absolute_url()))
    assert "?site=" not in page


def test_an_unknown_site_filter_shows_every_shift(anonymous_client, site):
    make_shift(site)
    for value in ("999999", "abc", "%00"):
        response = anonymous_client.get(f"{LIST}?site={value}")
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 1


def test_a_claim_after_the_session_ran_out_asks_again_after_log_in(client, volunteer, site):
    """The volunteer taps "take this shift" on a page left open; their session has run
    out. The log-in page brings them back to the shift with the question, not to an
    error, and one more tap claims it."""
    shift = make_shift(site)
    claim = reverse("volunteers:shift_claim", args=[shift.pk])
    response = client.post(claim)
    assert response.status_code == 302
    login = response["Location"]
    assert login.startswith("/accounts/login/") and "next=" in login

    landed = client.post(
        login, {"login": volunteer.email, "password": "pw-for-tests-1"}, follow=True
    )
    assert landed.redirect_chain[-1][0] == claim
    assert "Deze dienst nemen?" in text(landed)
    assert not Signup.objects.exists()

    done = text(client.post(claim, follow=True))
    assert shift.signups.get().status == "confirmed"
    assert f"Je plaats is bevestigd: Ontvangst, {site.display_name}," in done
    # Asked again, the page says the place is theirs instead of offering it twice.
    assert "Je hebt al een plaats in deze dienst." in text(client.get(claim))


@pytest.mark.parametrize("value", ["abc", "999999", "99999999999999999999999", "²", "٣"])
def test_an_old_or_broken_site_link_shows_all_shifts_with_a_word_why(client, site, value):
    make_shift(site)
    response = client.get(f"{LIST}?site={value}")
    page = text(response)
    assert response.status_code == 200
    assert "Die locatie staat niet (meer) in de lijst" in page
    assert "Verborgen veld" not in page
    assert len(response.context["page"].object_list) == 1


def test_the_take_this_shift_page_shows_only_what_the_shift_list_shows(volunteer_client, site):
    """The question page must not open a draft site's shift to anyone who types its
    number, and a shift that can no longer be claimed says why instead of a button."""
    shift = make_shift(site)
    claim = reverse("volunteers:shift_claim", args=[shift.pk])
    site.status = "draft"
    site.save()
    assert volunteer_client.get(claim).status_code == 404
    site.status = "published"
    site.save()
    shift.is_cancelled = True
    shift.save()
    page = text(volunteer_client.get(claim))
    assert "Ja, neem deze dienst" not in page
    assert "Deze dienst is geschrapt." in page
