"""A site's live state on the day (events.services.day, /sites/<id>/state/): who may set
it (the site lead while their shift is on, the branch's coordinators, organisers), only on
the site's day and at an approved site, and the phone page with its four buttons."""

import pytest
import time_machine
from django.test import Client

from common.errors import InvalidInput
from events.errors import SiteStateNotAllowed, SiteStateNotToday, SiteStateSiteNotLive
from events.models import Shift, SiteState
from events.services.day import latest_site_state, site_state_check, site_state_set
from events.services.workflow import site_cancel
from tests.conftest import on_event_day
from tests.factories import make_signup, make_volunteer

NEEDS_HELP = SiteState.State.NEEDS_HELP


@pytest.fixture
def lead(site):
    """A volunteer with a confirmed site-lead shift at `site`, 10:30–16:00 on its day."""
    shift = Shift.objects.create(
        site=site,
        role=Shift.Role.LEAD,
        starts_at=on_event_day(10, 30),
        ends_at=on_event_day(16),
        capacity=1,
    )
    volunteer = make_volunteer("lead@example.org")
    make_signup(shift, volunteer)
    return volunteer.user


@pytest.fixture
def reception_volunteer(shift):
    """A volunteer with a confirmed place on `shift` (reception, 11:00–13:30)."""
    volunteer = make_volunteer("reception@example.org")
    make_signup(shift, volunteer)
    return volunteer.user


@pytest.fixture
def other_coordinator(other_branch):
    user = make_volunteer("other-coordinator@example.org").user
    other_branch.coordinators.add(user)
    return user


def fresh(user):
    """The user read again: roles are cached on the object for one request."""
    return type(user).objects.get(pk=user.pk)


# --- The service -----------------------------------------------------------------------------


def test_a_site_lead_whose_shift_is_on_sends_we_need_help(site, lead):
    with time_machine.travel(on_event_day(12), tick=False):
        state = site_state_set(
            site=site, state=NEEDS_HELP, note="  Two more  at reception ", by=lead
        )
    assert state.state == NEEDS_HELP
    assert state.note == "Two more at reception"
    assert state.set_by == lead
    assert state.set_at == on_event_day(12)
    assert latest_site_state(site) == state


def test_the_latest_change_is_the_state(site, lead):
    with time_machine.travel(on_event_day(12), tick=False):
        site_state_set(site=site, state=SiteState.State.OPEN, by=lead)
    with time_machine.travel(on_event_day(12, 5), tick=False):
        site_state_set(site=site, state=SiteState.State.BUSY, by=lead)
    assert latest_site_state(site).state == SiteState.State.BUSY
    assert site.states.count() == 2


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [
        (9, 29, False),  # more than an hour before the lead's shift
        (9, 30, True),  # an hour before it starts
        (15, 59, True),
        (16, 0, False),  # the shift has ended
    ],
)
def test_a_site_lead_may_from_an_hour_before_their_shift_until_it_ends(
    site, lead, hour, minute, allowed
):
    with time_machine.travel(on_event_day(hour, minute), tick=False):
        if allowed:
            site_state_set(site=site, state=SiteState.State.OPEN, by=lead)
        else:
            with pytest.raises(SiteStateNotAllowed) as caught:
                site_state_set(site=site, state=SiteState.State.OPEN, by=lead)
            assert caught.value.status_code == 403
    assert site.states.exists() is allowed


def test_a_site_lead_the_day_before_is_refused(site, lead):
    with (
        time_machine.travel(on_event_day(12, days=-1), tick=False),
        pytest.raises(SiteStateNotToday) as caught,
    ):
        site_state_set(site=site, state=NEEDS_HELP, by=lead)
    assert caught.value.code == "site_state_not_today"
    assert not site.states.exists()


def test_a_coordinator_the_day_after_is_refused(site, coordinator):
    with (
        time_machine.travel(on_event_day(12, days=1), tick=False),
        pytest.raises(SiteStateNotToday),
    ):
        site_state_set(site=site, state=SiteState.State.CLOSED_EARLY, by=coordinator)


def test_a_waitlisted_or_cancelled_lead_is_refused(site):
    shift = Shift.objects.create(
        site=site,
        role=Shift.Role.LEAD,
        starts_at=on_event_day(11),
        ends_at=on_event_day(16),
        capacity=0,
    )
    waiting = make_volunteer("waiting@example.org")
    make_signup(shift, waiting, status="waitlisted")
    with time_machine.travel(on_event_day(12), tick=False), pytest.raises(SiteStateNotAllowed):
        site_state_set(site=site, state=SiteState.State.OPEN, by=waiting.user)


def test_a_volunteer_of_another_role_is_refused(site, reception_volunteer):
    with time_machine.travel(on_event_day(12), tick=False), pytest.raises(SiteStateNotAllowed):
        site_state_set(site=site, state=NEEDS_HELP, by=reception_volunteer)


def test_a_lead_of_another_site_is_refused(site, lead, event, other_branch):
    from events.models import Site
    from locations.models import Location

    elsewhere = Site.objects.create(
        event=event,
        location=Location.objects.create(name="Markt", city="Zwolle"),
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    with time_machine.travel(on_event_day(12), tick=False), pytest.raises(SiteStateNotAllowed):
        site_state_set(site=elsewhere, state=NEEDS_HELP, by=lead)


def test_coordinators_of_the_branch_and_organisers_may(site, coordinator, organiser):
    with time_machine.travel(on_event_day(8), tick=False):
        site_state_set(site=site, state=SiteState.State.OPEN, by=coordinator)
        site_state_set(site=site, state=SiteState.State.BUSY, by=organiser)
    assert list(site.states.values_list("set_by", flat=True)) == [organiser.pk, coordinator.pk]


def test_a_coordinator_of_another_branch_and_a_stranger_are_refused(
    site, other_coordinator, volunteer
):
    with time_machine.travel(on_event_day(12), tick=False):
        for person in (other_coordinator, volunteer):
            with pytest.raises(SiteStateNotAllowed):
                site_state_set(site=site, state=NEEDS_HELP, by=fresh(person))
    assert not site.states.exists()


def test_the_rule_says_the_same(site, lead, coordinator, other_coordinator, reception_volunteer):
    with time_machine.travel(on_event_day(12), tick=False):
        assert fresh(lead).has_perm("events.set_site_state", site)
        assert fresh(coordinator).has_perm("events.set_site_state", site)
        assert not fresh(other_coordinator).has_perm("events.set_site_state", site)
        assert not fresh(reception_volunteer).has_perm("events.set_site_state", site)
    with time_machine.travel(on_event_day(8), tick=False):
        assert not fresh(lead).has_perm("events.set_site_state", site)


def test_a_cancelled_site_has_no_live_state(site, lead, organiser):
    site_cancel(site=site, by=organiser, comment="The azc is closed.")
    site.refresh_from_db()
    with time_machine.travel(on_event_day(12), tick=False):
        for person in (lead, organiser):
            with pytest.raises(SiteStateSiteNotLive) as caught:
                site_state_set(site=site, state=NEEDS_HELP, by=person)
    assert caught.value.code == "site_state_site_not_live"
    assert not site.states.exists()


def test_a_site_not_yet_approved_has_no_live_state(site, coordinator):
    site.status = site.Status.SUBMITTED
    site.save()
    with time_machine.travel(on_event_day(12), tick=False), pytest.raises(SiteStateSiteNotLive):
        site_state_check(site=site, by=coordinator)


def test_bad_input_is_refused_naming_the_field(site, coordinator):
    with time_machine.travel(on_event_day(12), tick=False):
        with pytest.raises(InvalidInput) as caught:
            site_state_set(site=site, state="on_fire", by=coordinator)
        assert caught.value.field == "state"
        with pytest.raises(InvalidInput) as caught:
            site_state_set(site=site, state=NEEDS_HELP, note="x" * 301, by=coordinator)
        assert caught.value.field == "note"
    assert not site.states.exists()


# --- The phone page --------------------------------------------------------------------------


def page(user=None, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def test_the_lead_sees_four_buttons_and_calls_for_help_with_one_tap(site, lead):
    url = f"/sites/{site.pk}/state/"
    with time_machine.travel(on_event_day(12), tick=False):
        client = page(lead, enforce_csrf_checks=True)
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        for label in ("Open", "Busy", "We need help", "Closed early"):
            assert f">{label}</button>" in text
        assert "No state yet" in text
        # Without the form's CSRF token the tap is refused, and nothing is set.
        assert client.post(url, {"state": NEEDS_HELP}).status_code == 403
        assert not site.states.exists()
        token = response.context["csrf_token"]
        response = client.post(
            url, {"state": NEEDS_HELP, "note": "First aid kit", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302
        response = client.get(url)
    assert latest_site_state(site).state == NEEDS_HELP
    text = response.content.decode()
    assert 'data-current-state="needs_help"' in text
    assert "First aid kit" in text
    assert "Your call for help is on the control room now." in text


@pytest.mark.parametrize("who", ["reception_volunteer", "other_coordinator", "volunteer"])
def test_those_who_may_not_get_a_clear_refusal(request, site, lead, who):
    user = fresh(request.getfixturevalue(who))
    url = f"/sites/{site.pk}/state/"
    with time_machine.travel(on_event_day(12), tick=False):
        client = page(user)
        response = client.get(url)
        assert response.status_code == 403
        text = response.content.decode()
        assert 'data-refusal="site_state_not_allowed"' in text
        assert "<button" not in text.split('data-refusal="', 1)[1].split("</main>")[0]
        assert client.post(url, {"state": NEEDS_HELP}).status_code == 403
    assert not site.states.exists()


def test_the_page_says_when_it_is_not_the_day(site, lead):
    with time_machine.travel(on_event_day(12, days=-1), tick=False):
        response = page(lead).get(f"/sites/{site.pk}/state/")
    assert response.status_code == 409
    assert 'data-refusal="site_state_not_today"' in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(site):
    response = page().get(f"/sites/{site.pk}/state/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_another_branchs_draft_is_not_found(site, other_coordinator):
    site.status = site.Status.DRAFT
    site.save()
    with time_machine.travel(on_event_day(12), tick=False):
        assert page(other_coordinator).get(f"/sites/{site.pk}/state/").status_code == 404
        assert page(other_coordinator).get("/sites/999999/state/").status_code == 404


def test_an_unknown_state_is_a_400_not_a_500(site, coordinator):
    with time_machine.travel(on_event_day(12), tick=False):
        response = page(coordinator).post(f"/sites/{site.pk}/state/", {"state": "on_fire"})
    assert response.status_code == 400
    assert not site.states.exists()


def test_the_counter_links_the_state_page_for_those_who_may_set_it(site, lead, reception_volunteer):
    link = f'href="/sites/{site.pk}/state/"'
    with time_machine.travel(on_event_day(12), tick=False):
        lead_page = page(lead).get(f"/sites/{site.pk}/count/")
        counter_page = page(reception_volunteer).get(f"/sites/{site.pk}/count/")
    assert lead_page.status_code == counter_page.status_code == 200
    assert link in lead_page.content.decode()
    assert link not in counter_page.content.decode()
