"""A site's coordinators add helpers without an e-mail address to shifts, through the same
claiming service as everyone (capacity, waitlist, overlap), and show them their personal
link and its QR code. Coordinators of another branch can do none of it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Volunteer
from events import services
from events.errors import ShiftOverlap, ShiftStarted
from events.models import Shift, Signup, Site
from tests.conftest import on_event_day
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers.helpers import HelperDetails, helper_add, helper_add_to_shift, new_form_key
from volunteers.models import HelperOrigin

from .conftest import add_helper

User = get_user_model()


def add_form(shift, **overrides) -> dict:
    data = {
        "form_key": new_form_key(),
        "shift": shift.pk,
        "name": "Noor Haddad",
        "phone": "06 12345678",
        "language": "ti",
        "consent": "on",
    }
    data.update(overrides)
    return data


def helpers_url(site) -> str:
    return reverse("volunteers:site_helpers", args=[site.pk])


# --- The service ------------------------------------------------------------------------------


def test_a_helper_has_no_log_in_and_a_personal_link(shift, coordinator):
    result = add_helper(shift, coordinator, language="ti")
    helper = Volunteer.objects.select_related("user").get(pk=result.volunteer.pk)
    assert result.created and result.signup.status == Signup.Status.CONFIRMED
    assert not helper.has_login
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", helper.link_token)
    assert helper.user.email is None
    assert not helper.user.has_usable_password()
    assert helper.user.language == "ti"
    assert helper.user.first_name == "Noor Haddad"
    assert helper.phone == "0612345678"
    assert helper.consent_at is not None and helper.consent_recorded_by == coordinator
    origin = HelperOrigin.objects.get(volunteer=helper)
    assert origin.site == shift.site and origin.invitation is None


def test_every_helper_gets_a_link_of_their_own(shift, coordinator):
    first = add_helper(shift, coordinator).volunteer
    second = add_helper(shift, coordinator).volunteer
    assert first.link_token != second.link_token
    assert first.calendar_token != second.calendar_token


def test_a_full_shift_puts_the_helper_on_the_waitlist(site, coordinator):
    shift = make_shift(site, capacity=1)
    make_signup(shift, make_volunteer())
    result = add_helper(shift, coordinator)
    assert result.signup.status == Signup.Status.WAITLISTED


def test_a_refused_claim_leaves_no_helper_behind(site, coordinator):
    started = make_shift(site, starts_in_hours=-1)
    users = User.objects.count()
    with pytest.raises(ShiftStarted):
        add_helper(started, coordinator)
    assert User.objects.count() == users
    assert not Volunteer.objects.filter(link_token__isnull=False).exists()
    assert not HelperOrigin.objects.exists()


def test_the_same_form_twice_makes_one_helper_and_one_sign_up(shift, coordinator):
    key = new_form_key()
    first = add_helper(shift, coordinator, key=key)
    again = add_helper(shift, coordinator, key=key, name="Someone else")
    assert first.created and not again.created
    assert again.volunteer.pk == first.volunteer.pk
    assert Volunteer.objects.filter(link_token__isnull=False).count() == 1
    assert Signup.objects.filter(shift=shift).count() == 1


def test_an_overlapping_shift_is_refused_as_for_everyone(site, shift, coordinator):
    helper = add_helper(shift, coordinator).volunteer
    overlapping = Shift.objects.create(
        site=site,
        role=Shift.Role.TOUR_GUIDE,
        starts_at=on_event_day(12),
        ends_at=on_event_day(14),
        capacity=2,
    )
    with pytest.raises(ShiftOverlap) as refused:
        helper_add_to_shift(volunteer=helper, shift=overlapping)
    # The message an account gets for the same claim.
    account = make_volunteer()
    services.signup_create(shift=shift, volunteer=account)
    with pytest.raises(ShiftOverlap) as refused_account:
        services.signup_create(shift=overlapping, volunteer=account)
    assert refused.value.detail == refused_account.value.detail
    assert not Signup.objects.filter(shift=overlapping).exists()


def test_an_erased_helper_can_claim_nothing(shift, site, coordinator):
    from volunteers.services import account_delete

    helper = add_helper(shift, coordinator).volunteer
    account_delete(user=helper.user)
    helper.refresh_from_db()
    assert helper.link_token is None and helper.anonymised_at is not None
    with pytest.raises(services.signups.EmailNotVerified):
        services.signup_create(shift=make_shift(site), volunteer=helper)


# --- The coordinator's pages ------------------------------------------------------------------


def test_coordinator_adds_a_helper_and_sees_the_link_and_qr_code(coordinator_client, shift):
    response = coordinator_client.post(helpers_url(shift.site), add_form(shift))
    helper = Volunteer.objects.get(link_token__isnull=False)
    card = reverse("volunteers:site_helper", args=[shift.site_id, helper.pk])
    assert response.status_code == 302 and response["Location"] == card
    page = coordinator_client.get(card)
    body = page.content.decode()
    link = f"http://testserver/me/{helper.link_token}/"
    assert link in body
    assert '<svg role="img"' in body and 'class="qr-code"' in body
    assert page["Cache-Control"] == "private, no-store"
    # The site's own policy: the card's address holds no token, so nothing to hide from
    # our logs, and nothing goes to other sites.
    assert page["Referrer-Policy"] == "same-origin"
    assert Signup.objects.get(volunteer=helper).shift == shift
    # The list of the site's helpers links to the card.
    listing = coordinator_client.get(helpers_url(shift.site)).content.decode()
    assert "Noor Haddad" in listing and card in listing


def test_the_page_says_when_the_helper_went_on_the_waitlist(coordinator_client, site):
    shift = make_shift(site, capacity=1)
    make_signup(shift, make_volunteer())
    response = coordinator_client.post(helpers_url(site), add_form(shift), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("1" in m and "Noor Haddad" in m for m in messages), messages
    assert Signup.objects.get(shift=shift, volunteer__link_token__isnull=False).is_waitlisted


def test_consent_is_required(coordinator_client, shift):
    response = coordinator_client.post(helpers_url(shift.site), add_form(shift, consent=""))
    assert response.status_code == 200
    assert response.context["form"].errors["consent"]
    assert not Volunteer.objects.filter(link_token__isnull=False).exists()


def test_a_bad_phone_number_is_refused_with_nothing_saved(coordinator_client, shift):
    response = coordinator_client.post(helpers_url(shift.site), add_form(shift, phone="call me"))
    assert response.context["form"].errors["phone"]
    assert not Volunteer.objects.filter(link_token__isnull=False).exists()


def test_a_double_submit_of_the_add_form_makes_one_helper(coordinator_client, shift):
    data = add_form(shift)
    first = coordinator_client.post(helpers_url(shift.site), data)
    second = coordinator_client.post(helpers_url(shift.site), data)
    assert first["Location"] == second["Location"]
    assert Volunteer.objects.filter(link_token__isnull=False).count() == 1
    assert Signup.objects.filter(shift=shift).count() == 1


def test_coordinator_puts_a_helper_on_another_shift(coordinator_client, site, shift, coordinator):
    helper = add_helper(shift, coordinator).volunteer
    later = make_shift(site, capacity=2, starts_in_hours=200)
    card = reverse("volunteers:site_helper", args=[site.pk, helper.pk])
    response = coordinator_client.post(card, {"shift": later.pk})
    assert response.status_code == 302
    assert Signup.objects.get(shift=later).volunteer == helper


def test_an_overlapping_shift_is_refused_on_the_card(coordinator_client, site, shift, coordinator):
    helper = add_helper(shift, coordinator).volunteer
    overlapping = Shift.objects.create(
        site=site,
        role=Shift.Role.TOUR_GUIDE,
        starts_at=on_event_day(12),
        ends_at=on_event_day(14),
        capacity=2,
    )
    card = reverse("volunteers:site_helper", args=[site.pk, helper.pk])
    response = coordinator_client.post(card, {"shift": overlapping.pk})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "11:00" in errors  # the shift it overlaps, named as for everyone
    assert not Signup.objects.filter(shift=overlapping).exists()


def test_organisers_may_add_helpers_too(organiser_client, shift):
    response = organiser_client.post(helpers_url(shift.site), add_form(shift))
    assert response.status_code == 302
    helper = Volunteer.objects.get(link_token__isnull=False)
    assert helper.consent_recorded_by.is_organiser


def test_no_form_while_the_site_is_not_published(coordinator_client, site):
    site.status = Site.Status.DRAFT
    site.save()
    page = coordinator_client.get(helpers_url(site))
    assert page.status_code == 200 and not page.context["can_add"]


def test_the_roster_marks_helpers_and_links_to_them(coordinator_client, shift, coordinator):
    add_helper(shift, coordinator, phone="0687654321")
    account = make_volunteer("vera@example.org", first_name="Vera")
    services.signup_create(shift=shift, volunteer=account)
    body = coordinator_client.get(reverse("events:roster", args=[shift.site_id])).content.decode()
    assert "Noor Haddad" in body and "0687654321" in body
    rows = [row for row in body.split("<tr>") if "Noor Haddad" in row or "Vera" in row]
    assert len(rows) == 2
    noor, vera = sorted(rows, key=lambda row: "Vera" in row)
    assert 'class="badge"' in noor and 'class="badge"' not in vera
    assert helpers_url(shift.site) in body


def test_the_roster_csv_marks_helpers(coordinator_client, shift, coordinator):
    import csv
    import io

    add_helper(shift, coordinator, phone="0687654321")
    services.signup_create(shift=shift, volunteer=make_volunteer("vera@example.org"))
    response = coordinator_client.get(reverse("events:roster_csv", args=[shift.site_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_name = {row[6]: row for row in rows[1:]}
    noor = by_name["Noor Haddad"]
    log_in = 11  # the column "Log-in" (attendance columns follow it)
    assert noor[8] == "" and noor[9] == "0687654321" and noor[log_in] != ""
    vera = next(row for name, row in by_name.items() if name != "Noor Haddad")
    assert vera[8] == "vera@example.org" and vera[log_in] == ""


# --- Another branch's coordinator -------------------------------------------------------------


def test_another_branch_cannot_add_a_helper(other_coordinator_client, shift):
    response = other_coordinator_client.post(helpers_url(shift.site), add_form(shift))
    assert response.status_code == 403
    assert not Volunteer.objects.filter(link_token__isnull=False).exists()
    assert not Signup.objects.exists()


def test_another_branch_cannot_see_a_helpers_link(other_coordinator_client, shift, coordinator):
    helper = add_helper(shift, coordinator).volunteer
    card = reverse("volunteers:site_helper", args=[shift.site_id, helper.pk])
    response = other_coordinator_client.get(card)
    assert response.status_code == 403
    assert helper.link_token not in response.content.decode()
    listing = other_coordinator_client.get(helpers_url(shift.site))
    assert listing.status_code == 403


def test_another_branchs_draft_is_not_found(other_coordinator_client, site):
    site.status = Site.Status.DRAFT
    site.save()
    assert other_coordinator_client.get(helpers_url(site)).status_code == 404
    invitation = reverse("volunteers:invitation", args=[site.pk])
    assert other_coordinator_client.get(invitation).status_code == 404


def test_a_helper_of_another_site_is_not_found_on_this_sites_pages(
    coordinator_client, shift, coordinator, event, other_branch
):
    from locations.models import Location

    place = Location.objects.create(name="azc Zwolle", branch=other_branch, city="Zwolle")
    elsewhere = Site.objects.create(
        event=event,
        location=place,
        branch=other_branch,
        opens_at=shift.site.opens_at,
        closes_at=shift.site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    stranger = helper_add(
        shift=make_shift(elsewhere),
        details=HelperDetails(name="Elsewhere", language="nl", phone=""),
        by=None,
        form_key=new_form_key(),
    ).volunteer
    card = reverse("volunteers:site_helper", args=[shift.site_id, stranger.pk])
    assert coordinator_client.get(card).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, shift, coordinator):
    helper = add_helper(shift, coordinator).volunteer
    for url in (
        helpers_url(shift.site),
        reverse("volunteers:site_helper", args=[shift.site_id, helper.pk]),
        reverse("volunteers:invitation", args=[shift.site_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mails_to_a_helper_lead_to_their_personal_link(shift, coordinator):
    """`events.notifications` names the personal page by path (it may not reverse the
    volunteers app's URLs): the path it writes is the page's, for a working link only."""
    from django.conf import settings

    from events.notifications import shifts_page_url
    from volunteers.helpers import helper_link_reset

    helper = add_helper(shift, coordinator).volunteer
    page = reverse("volunteers:helper_page", args=[helper.link_token])
    assert shifts_page_url(helper) == settings.SITE_URL + page
    helper = helper_link_reset(volunteer=helper)
    assert shifts_page_url(helper).endswith(f"/me/{helper.link_token}/")
    assert shifts_page_url(make_volunteer()).endswith("/my/shifts/")
