"""The site lead (`Shift.Role.LEAD`, who sets the site's live state on the day) is chosen by
the site's coordinators: a volunteer cannot claim the shift themselves (service, page, API,
invitation), and a coordinator of the site's branch or an organiser appoints them by the
confirmed address of their account, on the roster."""

import html

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.errors import LeadAppointedOnly, LeadShiftFull, NoVolunteerWithAddress
from events.models import Shift, Signup, SiteState
from events.services.day import latest_site_state, site_state_set
from events.services.signups import lead_appoint, signup_create
from tests.conftest import on_event_day
from tests.factories import make_signup, make_volunteer
from volunteers.appeals import OnlyLeadOpen, staffing_appeal_send
from volunteers.helpers import HelperDetails, helper_add, helper_join, new_form_key
from volunteers.invitations import invitation_create

NEEDS_HELP = SiteState.State.NEEDS_HELP
REFUSAL = "The site lead is chosen by the site's coordinators"


@pytest.fixture
def lead_shift(site):
    """The site-lead shift of `site`, 10:30–16:00 on its day, one place."""
    return Shift.objects.create(
        site=site,
        role=Shift.Role.LEAD,
        starts_at=on_event_day(10, 30),
        ends_at=on_event_day(16),
        capacity=1,
    )


@pytest.fixture
def candidate():
    """A volunteer with a confirmed address, who would like to lead the site."""
    return make_volunteer("Lina.Lead@example.org", first_name="Lina")


@pytest.fixture
def other_coordinator(other_branch):
    user = make_volunteer("other-coordinator@example.org").user
    other_branch.coordinators.add(user)
    return user


def page(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def appoint_url(shift) -> str:
    return f"/coordinate/shifts/{shift.pk}/lead/"


def flashed(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


# --- A volunteer cannot claim it ------------------------------------------------------------


def test_a_volunteer_cannot_claim_the_site_lead_shift(lead_shift, candidate, other_coordinator):
    with pytest.raises(LeadAppointedOnly) as caught:
        signup_create(shift=lead_shift, volunteer=candidate)
    assert (caught.value.code, caught.value.status_code) == ("lead_appointed_only", 409)
    # Naming themselves, or a coordinator of another branch, as the one who appoints
    # changes nothing: the rule checks who that is.
    for by in (candidate.user, other_coordinator):
        with pytest.raises(LeadAppointedOnly):
            signup_create(shift=lead_shift, volunteer=candidate, appointed_by=by)
    assert not Signup.objects.exists()
    lead_shift.refresh_from_db()
    assert lead_shift.confirmed_count == 0


def test_a_shift_made_site_lead_after_it_was_read_is_refused(shift, candidate):
    """The page read the shift as a reception shift; meanwhile its coordinator made it
    the site-lead shift: the claim decides on the shift as it is."""
    in_hand = Shift.objects.select_related("site__event").get(pk=shift.pk)
    Shift.objects.filter(pk=shift.pk).update(role=Shift.Role.LEAD)
    with pytest.raises(LeadAppointedOnly):
        signup_create(shift=in_hand, volunteer=candidate)
    assert not Signup.objects.exists()
    shift.refresh_from_db()
    assert shift.confirmed_count == 0


def test_the_shift_list_says_chosen_by_the_coordinators(lead_shift, shift, candidate):
    text = page(candidate.user).get(f"/shifts/?site={lead_shift.site_id}").content.decode()
    assert "Chosen by the coordinators" in text
    assert f"/shifts/{lead_shift.pk}/claim/" not in text
    assert f"/shifts/{shift.pk}/claim/" in text  # the reception shift can be claimed


def test_the_claim_page_refuses_with_a_clear_message(lead_shift, candidate):
    client = page(candidate.user)
    text = html.unescape(client.get(f"/shifts/{lead_shift.pk}/claim/").content.decode())
    assert REFUSAL in text
    assert 'action="/shifts/' not in text
    response = client.post(f"/shifts/{lead_shift.pk}/claim/", follow=True)
    assert any(REFUSAL in message for message in flashed(response))
    assert not Signup.objects.exists()


def test_the_api_answers_409_lead_appointed_only(lead_shift, candidate):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=candidate.user).key}")
    response = api.post(f"/api/v1/shifts/{lead_shift.pk}/claim/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["code"] == "lead_appointed_only"
    assert REFUSAL in response.json()["detail"]
    assert not Signup.objects.exists()


def test_an_invitation_does_not_offer_or_give_the_site_lead_shift(lead_shift, shift, coordinator):
    invitation = invitation_create(site=lead_shift.site, by=coordinator)
    text = page().get(f"/j/{invitation.token}/").content.decode()
    assert f'value="{shift.pk}"' in text
    assert f'value="{lead_shift.pk}"' not in text
    details = HelperDetails(name="Noor", language="ti", phone="0612345678")
    with pytest.raises(LeadAppointedOnly):
        helper_join(
            invitation=invitation, shift=lead_shift, details=details, form_key=new_form_key()
        )
    assert not Signup.objects.exists()
    # A coordinator adding a helper by name may put them on it.
    result = helper_add(shift=lead_shift, details=details, by=coordinator, form_key=new_form_key())
    assert result.signup.status == Signup.Status.CONFIRMED


def test_an_appeal_never_asks_for_the_site_lead(lead_shift, coordinator, branch):
    volunteer = make_volunteer("asked@example.org")
    volunteer.home_branch = branch
    volunteer.save()
    # The only free place is the site lead's: nothing to ask volunteers for.
    with pytest.raises(OnlyLeadOpen):
        staffing_appeal_send(site=lead_shift.site, by=coordinator)
    response = page(coordinator).get(f"/manage/sites/{lead_shift.site_id}/appeal/")
    assert response.status_code == 200
    assert list(response.context["open_shifts"]) == []


# --- The coordinators appoint the lead ------------------------------------------------------


def test_the_roster_has_the_appoint_form_on_the_site_lead_shift_only(
    lead_shift, shift, coordinator
):
    text = page(coordinator).get(f"/coordinate/sites/{lead_shift.site_id}/roster/").content
    text = text.decode()
    assert "Appoint the site lead" in text
    assert f'action="{appoint_url(lead_shift)}"' in text
    assert appoint_url(shift) not in text


def test_a_coordinator_appoints_by_address_and_the_lead_sets_the_state_on_the_day(
    lead_shift, candidate, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = page(coordinator).post(
            appoint_url(lead_shift), {"email": "  lina.LEAD@example.org "}, follow=True
        )
    assert response.redirect_chain[-1][0].endswith(
        f"/coordinate/sites/{lead_shift.site_id}/roster/#shift-{lead_shift.pk}"
    )
    assert any("Lina is now the site lead" in message for message in flashed(response))
    signup = Signup.objects.get(shift=lead_shift)
    assert (signup.volunteer, signup.status) == (candidate, Signup.Status.CONFIRMED)
    assert [message.to for message in mailoutbox] == [[candidate.user.email]]
    with time_machine.travel(on_event_day(12), tick=False):
        site_state_set(site=lead_shift.site, state=NEEDS_HELP, by=candidate.user)
    assert latest_site_state(lead_shift.site).set_by == candidate.user


def test_an_organiser_appoints_too_and_a_profile_is_made_on_first_need(
    lead_shift, organiser, django_user_model
):
    user = django_user_model.objects.create_user(email="new@example.org", password="pw-1-test")
    EmailAddress.objects.create(user=user, email="new@example.org", verified=True, primary=True)
    signup = lead_appoint(shift=lead_shift, email="NEW@example.org", by=organiser)
    assert signup.volunteer.user == user
    assert signup.status == Signup.Status.CONFIRMED


@pytest.mark.parametrize("who", ["other_coordinator", "candidate", "anonymous"])
def test_others_cannot_appoint(request, lead_shift, candidate, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    user = getattr(user, "user", user)  # the candidate is a volunteer profile
    response = page(user).post(appoint_url(lead_shift), {"email": candidate.user.email})
    if who == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    with pytest.raises(LeadAppointedOnly):
        lead_appoint(shift=lead_shift, email=candidate.user.email, by=user)
    assert not Signup.objects.exists()


def test_an_unknown_unconfirmed_or_closed_address_gets_one_message(
    lead_shift, coordinator, django_user_model
):
    make_volunteer("unconfirmed@example.org", verified=False)
    make_volunteer("closed@example.org", is_active=False)
    client = page(coordinator)
    answers = set()
    for email in ("nobody@example.org", "unconfirmed@example.org", "closed@example.org", ""):
        with pytest.raises(NoVolunteerWithAddress) as caught:
            lead_appoint(shift=lead_shift, email=email, by=coordinator)
        assert (caught.value.field, caught.value.status_code) == ("email", 400)
        response = client.post(appoint_url(lead_shift), {"email": email}, follow=True)
        assert response.status_code == 200
        answers.add(tuple(flashed(response)))
    assert answers == {
        (
            "There is no volunteer account with this confirmed address. Ask them to create "
            "an account and confirm their address first, then try again.",
        )
    }
    assert not Signup.objects.exists()


def test_a_full_shift_and_an_overlap_are_explained(lead_shift, shift, candidate, coordinator):
    # The candidate has a confirmed reception shift (11:00–13:30) at the same time.
    make_signup(shift, candidate)
    response = page(coordinator).post(
        appoint_url(lead_shift), {"email": candidate.user.email}, follow=True
    )
    (message,) = flashed(response)
    assert message.startswith("This volunteer already has a confirmed shift at that time: ")
    assert not Signup.objects.filter(shift=lead_shift).exists()
    # Someone else leads already: the one place is taken.
    make_signup(lead_shift, make_volunteer("first@example.org"))
    with pytest.raises(LeadShiftFull):
        lead_appoint(shift=lead_shift, email=candidate.user.email, by=coordinator)
    response = page(coordinator).post(
        appoint_url(lead_shift), {"email": candidate.user.email}, follow=True
    )
    assert flashed(response) == [
        "Every place on this site-lead shift is taken. Give the shift another place, or ask "
        "the volunteer who has it to release it first."
    ]
    assert Signup.objects.filter(shift=lead_shift).count() == 1


def test_appointing_on_another_role_is_refused(shift, candidate, coordinator):
    response = page(coordinator).post(appoint_url(shift), {"email": candidate.user.email})
    assert response.status_code == 302
    assert not Signup.objects.exists()
