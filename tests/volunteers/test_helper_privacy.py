"""Helpers' names, phone numbers and addresses never appear in public answers, nor on
the invitation page others open; their personal link is shown to the site's
coordinators and the helper only."""

import pytest
from django.test import Client

from tests.test_privacy import public_urls
from volunteers.helpers import HelperDetails, helper_join, new_form_key

from .conftest import add_helper

pytestmark = pytest.mark.usefixtures("fresh_limits")

PERSONAL = ["Zerit", "Gebremariam", "0698765432", "zerit.g@example.org", "Habtom"]


@pytest.fixture
def helpers_signed_up(site, shift, coordinator, invitation):
    added = add_helper(shift, coordinator, name="Zerit Gebremariam", phone="0698765432")
    joined = helper_join(
        invitation=invitation,
        shift=shift,
        details=HelperDetails(name="Habtom", language="ti", email="zerit.g@example.org"),
        form_key=new_form_key(),
    )
    return [added.volunteer, joined.volunteer]


def test_no_helper_data_in_any_public_answer(helpers_signed_up, site, shift, invitation):
    client = Client()
    urls = [*public_urls(site, [shift]), f"/j/{invitation.token}/"]
    answered = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        body = response.content.decode("utf-8", errors="replace")
        leaked = [value for value in PERSONAL if value in body]
        tokens = [h.link_token for h in helpers_signed_up if h.link_token in body]
        assert leaked == [] and tokens == [], f"{url} shows {leaked or 'a personal link'}"
        answered.append(url)
    assert f"/sites/{site.pk}/" in answered and f"/j/{invitation.token}/" in answered


def test_another_branchs_coordinator_sees_no_helper_of_this_site(
    helpers_signed_up, other_coordinator_client, site
):
    for url in (
        f"/coordinate/sites/{site.pk}/roster/",
        f"/coordinate/sites/{site.pk}/roster.csv",
        f"/coordinate/sites/{site.pk}/helpers/",
        f"/coordinate/sites/{site.pk}/helpers/{helpers_signed_up[0].pk}/",
    ):
        response = other_coordinator_client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert not [value for value in PERSONAL if value in body], url


def test_the_sites_coordinator_does_see_them(helpers_signed_up, coordinator_client, site):
    body = coordinator_client.get(f"/coordinate/sites/{site.pk}/roster/").content.decode()
    assert "Zerit Gebremariam" in body and "0698765432" in body and "Habtom" in body
