import pytest

from events.models import Site
from events.selectors import sites_visible_to
from locations.models import Location


@pytest.fixture
def draft_elsewhere(site, other_branch):
    location = Location.objects.create(name="Grote Markt", city="Zwolle")
    return Site.objects.create(
        event=site.event,
        location=location,
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.DRAFT,
    )


@pytest.fixture
def own_draft(site):
    location = Location.objects.create(name="Neude", city="Utrecht")
    return Site.objects.create(
        event=site.event,
        location=location,
        branch=site.branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.SUBMITTED,
    )


def test_visibility_by_role(
    site, own_draft, draft_elsewhere, organiser, coordinator, volunteer, django_user_model
):
    from django.contrib.auth.models import AnonymousUser

    assert set(sites_visible_to(AnonymousUser())) == {site}
    assert set(sites_visible_to(volunteer)) == {site}
    assert set(sites_visible_to(coordinator)) == {site, own_draft}
    assert set(sites_visible_to(organiser)) == {site, own_draft, draft_elsewhere}
