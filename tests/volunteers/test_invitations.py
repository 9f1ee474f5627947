"""A site's invitation link: made, shown (QR code), renewed and revoked by the site's
coordinators only; it expires at the end of the site's day, and a revoked or expired link
answers with a clear page, never a 500."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from common import clock
from common.errors import InvalidInput
from events.errors import EditionClosed
from events.models import Site
from tests.conftest import EVENT_DAY, on_event_day
from volunteers.invitations import (
    InvitationNotPossible,
    invitation_create,
    invitation_current,
    invitation_revoke,
)
from volunteers.models import SiteInvitation

pytestmark = pytest.mark.usefixtures("fresh_limits")


def join_url(invitation) -> str:
    return reverse("volunteers:join", args=[invitation.token])


def page_url(site) -> str:
    return reverse("volunteers:invitation", args=[site.pk])


def test_an_invitation_expires_at_the_end_of_the_sites_day(invitation):
    assert invitation.expires_at == on_event_day(0, days=1)
    assert len(invitation.token) == 12
    assert invitation.is_live(clock.now())


def test_a_shorter_validity_may_be_chosen_but_not_past_the_sites_day(site, coordinator):
    invitation = invitation_create(site=site, by=coordinator, last_day=clock.today())
    assert invitation.expires_at == clock.at_local(
        clock.today() + datetime.timedelta(days=1), datetime.time(0)
    )
    with pytest.raises(InvalidInput):
        invitation_create(site=site, by=coordinator, last_day=EVENT_DAY + datetime.timedelta(1))
    with pytest.raises(InvalidInput):
        invitation_create(site=site, by=coordinator, last_day=clock.today() - datetime.timedelta(1))


def test_renewing_revokes_the_link_before(client, site, coordinator, invitation):
    renewed = invitation_create(site=site, by=coordinator)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.revoked_by == coordinator
    assert invitation_current(site) == renewed
    assert client.get(join_url(invitation)).status_code == 410
    assert client.get(join_url(renewed)).status_code == 200


def test_a_revoked_link_answers_with_a_clear_page(client, site, coordinator, invitation):
    assert invitation_revoke(site=site, by=coordinator) == 1
    response = client.get(join_url(invitation))
    assert response.status_code == 410
    assert response.templates[0].name == "volunteers/helpers/join_closed.html"
    assert response["Cache-Control"] == "private, no-store"
    # POSTing to it creates nothing either.
    response = client.post(join_url(invitation), {"name": "X", "phone": "0612345678"})
    assert response.status_code == 410


def test_an_expired_link_answers_with_a_clear_page(client, invitation):
    with time_machine.travel(on_event_day(0, days=1) + datetime.timedelta(seconds=1)):
        response = client.get(join_url(invitation))
    assert response.status_code == 410
    assert response.templates[0].name == "volunteers/helpers/join_closed.html"


def test_an_unknown_or_malformed_token_is_not_found(client, invitation):
    for token in ("AAAAAAAAAAAA", "no-such-thing", "x", "../../etc", invitation.token + "x"):
        assert client.get(f"/j/{token}/").status_code == 404, token


def test_no_invitation_for_a_cancelled_site_or_a_closed_edition(site, coordinator):
    site.status = Site.Status.CANCELLED
    site.save()
    with pytest.raises(InvitationNotPossible):
        invitation_create(site=site, by=coordinator)
    site.status = Site.Status.PUBLISHED
    site.save()
    with (
        time_machine.travel(on_event_day(12, days=1)),
        pytest.raises((EditionClosed, InvalidInput)),
    ):
        invitation_create(site=site, by=coordinator, last_day=EVENT_DAY)
    assert not SiteInvitation.objects.exists()


def test_one_unrevoked_invitation_per_site_is_a_database_rule(site, invitation):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SiteInvitation.objects.create(site=site, token="another-one12", expires_at=clock.now())


# --- The coordinator's page -------------------------------------------------------------------


def test_coordinator_makes_shows_and_revokes_the_link(coordinator_client, site):
    response = coordinator_client.post(page_url(site), {"last_day": EVENT_DAY.isoformat()})
    assert response.status_code == 302
    invitation = SiteInvitation.objects.get(site=site)
    page = coordinator_client.get(page_url(site))
    body = page.content.decode()
    assert f"http://testserver/j/{invitation.token}/" in body
    assert 'class="qr-code"' in body and "<script" not in body.split("<main", 1)[1]
    assert page["Cache-Control"] == "private, no-store"
    revoke = reverse("volunteers:invitation_revoke", args=[site.pk])
    assert coordinator_client.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invitation.token not in coordinator_client.get(page_url(site)).content.decode()


def test_a_day_past_the_sites_day_is_refused_on_the_form(coordinator_client, site):
    later = (EVENT_DAY + datetime.timedelta(days=3)).isoformat()
    response = coordinator_client.post(page_url(site), {"last_day": later})
    assert response.status_code == 200
    assert response.context["form"].errors["last_day"]
    assert not SiteInvitation.objects.exists()


def test_another_branch_can_neither_see_make_nor_revoke_the_link(
    other_coordinator_client, site, invitation
):
    page = other_coordinator_client.get(page_url(site))
    assert page.status_code == 403
    assert invitation.token not in page.content.decode()
    made = other_coordinator_client.post(page_url(site), {"last_day": EVENT_DAY.isoformat()})
    assert made.status_code == 403
    revoke = reverse("volunteers:invitation_revoke", args=[site.pk])
    assert other_coordinator_client.post(revoke).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert SiteInvitation.objects.count() == 1


def test_a_volunteer_cannot_see_the_link(volunteer_client, site, invitation):
    assert volunteer_client.get(page_url(site)).status_code == 403


def test_the_page_names_the_last_day_it_works(coordinator_client, site, invitation):
    assert invitation.last_day == EVENT_DAY
    body = coordinator_client.get(page_url(site)).content.decode()
    assert str(EVENT_DAY.day) in body and "00:00" not in body
