"""Places needed against confirmed, per edition, branch and site; most short first."""

import pytest

from accounts.models import Volunteer
from events.models import Signup, Site
from events.staffing import edition_staffing
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, place, upcoming_edition

pytestmark = pytest.mark.django_db


def _volunteers(django_user_model, count, prefix="v"):
    return [
        Volunteer.objects.create(user=make_user(django_user_model, f"{prefix}{number}@example.org"))
        for number in range(count)
    ]


def _sign_up(shift, volunteers, status=Signup.Status.CONFIRMED):
    for volunteer in volunteers:
        Signup.objects.create(shift=shift, volunteer=volunteer, status=status)


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
