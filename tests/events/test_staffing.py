"""Places needed against confirmed, per edition, branch and site; most short first."""

import pytest

from accounts.models import Volunteer
from events.models import Signup, Site
from events.staffing import edition_staffing
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, place, upcoming_edition
from tests.events.site_rows import per_request, rows
from tests.factories import make_signup

pytestmark = pytest.mark.django_db


def _volunteers(django_user_model, count, prefix="v"):
    return [
        Volunteer.objects.create(user=make_user(django_user_model, f"{prefix}{number}@example.org"))
        for number in range(count)
    ]


def _sign_up(shift, volunteers, status=Signup.Status.CONFIRMED):
    for volunteer in volunteers:
        make_signup(shift=shift, volunteer=volunteer, status=status)


@pytest.fixture
def edition_with_staffing(django_user_model, branch, other_branch):
    """Utrecht: two sites, 4 and 2 places; Zwolle: one site, 6 places."""
    edition = upcoming_edition()
    people = _volunteers(django_user_model, 6)
    full = draft_site(edition, place("azc Utrecht", "Utrecht"), branch, shifts=1)  # 2 places
    half = draft_site(edition, place("Neude", "Utrecht"), branch, shifts=2)  # 4 places
    empty = draft_site(edition, place("azc Zwolle", "Zwolle"), other_branch, shifts=3)  # 6
    gone = draft_site(edition, place("Dom", "Utrecht"), branch, shifts=1, status="cancelled")
    _sign_up(full.shifts.get(), people[:2])
    first, second = half.shifts.order_by("starts_at")
    _sign_up(first, people[2:4])
    _sign_up(second, people[4:5], status=Signup.Status.WAITLISTED)  # does not count
    _sign_up(second, people[5:6], status=Signup.Status.CANCELLED)  # does not count
    third = empty.shifts.order_by("starts_at").last()
    third.is_cancelled = True  # its places are no longer needed
    third.save()
    _sign_up(gone.shifts.get(), people[:1])
    return edition, {"full": full, "half": half, "empty": empty}


def test_sites_most_short_of_volunteers_come_first(edition_with_staffing):
    edition, sites = edition_with_staffing
    staffing = edition_staffing(edition)
    rows = [(row.site, row.needed, row.confirmed, row.open_places) for row in staffing.sites]
    assert rows == [
        (sites["empty"], 4, 0, 4),
        (sites["half"], 4, 2, 2),
        (sites["full"], 2, 2, 0),
    ]
    assert (staffing.needed, staffing.confirmed, staffing.open_places) == (10, 4, 6)
    assert staffing.percent_filled == 40
    branches = [(b.branch.name, b.needed, b.confirmed) for b in staffing.branches]
    assert branches == [("Afdeling Zwolle", 4, 0), ("Afdeling Utrecht", 6, 4)]


def test_a_coordinator_sees_their_own_branch_only(edition_with_staffing, branch):
    edition, sites = edition_with_staffing
    staffing = edition_staffing(edition, branch_ids=[branch.pk])
    assert [row.site for row in staffing.sites] == [sites["half"], sites["full"]]
    assert [b.branch for b in staffing.branches] == [branch]


def test_staffing_is_one_query_however_many_sites(
    edition_with_staffing, branch, django_assert_num_queries
):
    edition, _ = edition_with_staffing
    for number in range(10):
        draft_site(edition, place(f"Plek {number}"), branch, shifts=2)
    with django_assert_num_queries(1):
        staffing = edition_staffing(edition)
        names = [(row.site.display_name, row.site.branch.name) for row in staffing.sites]
    assert len(names) == 13
    assert Site.objects.filter(event=edition).count() == 14

    # Sites that need languages add two queries (their shifts, and the languages of the
    # confirmed volunteers), however many sites need them.
    Site.objects.filter(event=edition).update(languages_needed=["ar"])
    with django_assert_num_queries(3):
        staffing = edition_staffing(edition)
    assert all(row.languages_uncovered for row in staffing.sites if row.needed)


def test_a_site_without_shifts_comes_first_and_is_not_called_full(
    edition_with_staffing, branch, organiser_client
):
    """A site with no shifts has 0 of 0 places filled: that is not 100% staffed but
    the first thing to plan."""
    from django.urls import reverse

    edition, _ = edition_with_staffing
    bare = draft_site(edition, place("Stationsplein", "Utrecht"), branch, shifts=0)
    staffing = edition_staffing(edition)
    assert staffing.sites[0].site == bare
    page = organiser_client.get(reverse("events:staffing", args=[edition.slug])).content.decode()
    assert "Nog geen diensten" in page
    assert page.index("Stationsplein") < page.index("azc Zwolle")
    empty_branch = organiser_client.get(
        reverse("events:staffing", args=[edition.slug]) + "?branch=99999"
    ).content.decode()
    assert "Nog geen plaatsen gepland." in empty_branch
    assert "(100%)" not in empty_branch


# --- The page's rows: what they say, and that they cost the same for any number of sites


def test_each_row_links_to_its_site_with_its_status_and_numbers(
    edition_with_staffing, organiser_client
):
    from django.urls import reverse

    edition, sites = edition_with_staffing
    html = organiser_client.get(reverse("events:staffing", args=[edition.slug])).content.decode()
    manage = {name: reverse("events:site_manage", args=[site.pk]) for name, site in sites.items()}
    assert rows(html, '<table class="compact staffing-sites">', "</tbody>") == [
        f'<tr><td data-label="Locatie"><a href="{manage["empty"]}"><bdi>azc Zwolle</bdi></a><br>'
        '<span class="meta"><bdi>Afdeling Zwolle</bdi></span></td>'
        '<td data-label="Status" class="site-status"><span class="status status-draft">'
        "concept</span></td>"
        '<td data-label="Nodig" class="numbers">4</td>'
        '<td data-label="Bevestigd" class="numbers">0</td>'
        '<td data-label="Open" class="numbers short">4</td>'
        '<td data-label="Bezet" class="filled"><meter min="0" max="4" value="0">0%</meter> '
        "0%</td></tr>",
        f'<tr><td data-label="Locatie"><a href="{manage["half"]}"><bdi>Neude</bdi></a><br>'
        '<span class="meta"><bdi>Afdeling Utrecht</bdi></span></td>'
        '<td data-label="Status" class="site-status"><span class="status status-draft">'
        "concept</span></td>"
        '<td data-label="Nodig" class="numbers">4</td>'
        '<td data-label="Bevestigd" class="numbers">2</td>'
        '<td data-label="Open" class="numbers short">2</td>'
        '<td data-label="Bezet" class="filled"><meter min="0" max="4" value="2">50%</meter> '
        "50%</td></tr>",
        f'<tr><td data-label="Locatie"><a href="{manage["full"]}"><bdi>azc Utrecht</bdi></a><br>'
        '<span class="meta"><bdi>Afdeling Utrecht</bdi></span></td>'
        '<td data-label="Status" class="site-status"><span class="status status-draft">'
        "concept</span></td>"
        '<td data-label="Nodig" class="numbers">2</td>'
        '<td data-label="Bevestigd" class="numbers">2</td>'
        '<td data-label="Open" class="numbers">0</td>'
        '<td data-label="Bezet" class="filled"><meter min="0" max="2" value="2">100%</meter> '
        "100%</td></tr>",
    ]
    zwolle, utrecht = (sites["empty"].branch_id, sites["full"].branch_id)
    assert rows(html, '<details class="per-branch">', "</tbody>") == [
        f'<tr><td data-label="Afdeling"><a href="?branch={zwolle}">'
        "<bdi>Afdeling Zwolle</bdi></a></td>"
        '<td data-label="Nodig" class="numbers">4</td>'
        '<td data-label="Bevestigd" class="numbers">0</td>'
        '<td data-label="Open" class="numbers short">4</td></tr>',
        f'<tr><td data-label="Afdeling"><a href="?branch={utrecht}">'
        "<bdi>Afdeling Utrecht</bdi></a></td>"
        '<td data-label="Nodig" class="numbers">6</td>'
        '<td data-label="Bevestigd" class="numbers">4</td>'
        '<td data-label="Open" class="numbers short">2</td></tr>',
    ]


def test_a_site_name_is_shown_as_text_and_the_labels_speak_english_on_request(
    edition_with_staffing, branch, organiser_client
):
    from django.conf import settings
    from django.urls import reverse

    edition, _ = edition_with_staffing
    odd = draft_site(edition, place('Café "De Zon" & <Co>'), branch, shifts=0)
    organiser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = organiser_client.get(reverse("events:staffing", args=[edition.slug])).content.decode()
    first = rows(html, '<table class="compact staffing-sites">', "</tbody>")[0]
    assert first == (
        f'<tr><td data-label="Site"><a href="/manage/sites/{odd.pk}/">'
        "<bdi>Café &quot;De Zon&quot; &amp; &lt;Co&gt;</bdi></a><br>"
        '<span class="meta"><bdi>Afdeling Utrecht</bdi></span></td>'
        '<td data-label="Status" class="site-status"><span class="status status-draft">'
        "draft</span></td>"
        '<td data-label="Needed" class="numbers">0</td>'
        '<td data-label="Confirmed" class="numbers">0</td>'
        '<td data-label="Open" class="numbers">0</td>'
        '<td data-label="Filled" class="filled"><span class="short">No shifts planned</span>'
        "</td></tr>"
    )


def test_a_meter_reads_plain_numbers_where_the_text_has_thousands_separators(
    branch, organiser_client, settings
):
    """With a thousands separator in use, the table writes 1.200 (Dutch), but a <meter>
    reads its max as a number: "1.200" would be 1.2 to it."""
    from django.urls import reverse

    settings.USE_THOUSAND_SEPARATOR = True
    edition = upcoming_edition()
    big = draft_site(edition, place("Jaarbeurs", "Utrecht"), branch, shifts=1)
    big.shifts.update(capacity=1200)
    html = organiser_client.get(reverse("events:staffing", args=[edition.slug])).content.decode()
    (row,) = rows(html, '<table class="compact staffing-sites">', "</tbody>")
    assert '<td data-label="Nodig" class="numbers">1.200</td>' in row
    assert '<td data-label="Open" class="numbers short">1.200</td>' in row
    assert '<meter min="0" max="1200" value="0">0%</meter>' in row


def test_the_rows_cost_the_same_for_few_sites_and_many(edition_with_staffing, organiser_client):
    """No URL reversed, label translated, template included or number localised per
    site: an edition has thousands."""
    from django.urls import reverse

    edition, sites = edition_with_staffing
    url = reverse("events:staffing", args=[edition.slug])
    organiser_client.get(url)
    few = per_request(lambda: organiser_client.get(url))
    for number in range(12):
        draft_site(edition, place(f"Plek {number}"), sites["half"].branch, shifts=2)
    assert per_request(lambda: organiser_client.get(url)) == few
