"""Joining through a site's invitation without an account: pick a shift, give a name, a
language and a phone number or an e-mail address, agree, and land on the personal link (or,
with an address, get a link by mail that signs them up once opened: until then nothing is
made, so the free places do not tell whether an address is in use). The claiming rules hold;
nothing is half-saved; an address in use makes nothing and is never merged, and the page
does not tell it; the same form twice is one sign-up, and its key leads nowhere later; the
public join is rate-limited."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Volunteer
from common import clock
from events.models import Signup
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers.helpers import new_form_key
from volunteers.models import HelperOrigin

pytestmark = pytest.mark.usefixtures("fresh_limits")

LINK = re.compile(r"/me/([A-Za-z0-9_-]{43})/")


def join_url(invitation) -> str:
    return reverse("volunteers:join", args=[invitation.token])


def join_form(for_shift, **overrides) -> dict:
    data = {
        "form_key": new_form_key(),
        "shift": for_shift.pk,
        "name": "Selam Tesfay",
        "language": "ti",
        "phone": "+31 6 12345678",
        "email": "",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def helpers():
    return Volunteer.objects.filter(link_token__isnull=False)


def test_the_invitation_lists_the_shifts_open_for_claims(client, site, shift, invitation):
    started = make_shift(site, starts_in_hours=-1)
    response = client.get(join_url(invitation))
    assert response.status_code == 200
    offered = list(response.context["form"].fields["shift"].queryset)
    assert shift in offered and started not in offered
    assert response["Cache-Control"] == "private, no-store"
    # Nothing to other sites (and the forms post with the page's own Origin).
    assert response["Referrer-Policy"] == "strict-origin"
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_joining_with_a_phone_number_lands_on_the_personal_link(client, shift, invitation):
    response = client.post(join_url(invitation), join_form(shift))
    helper = helpers().select_related("user").get()
    assert response.status_code == 302
    assert response["Location"] == f"/me/{helper.link_token}/"
    assert helper.user.first_name == "Selam Tesfay" and helper.user.language == "ti"
    assert helper.user.email is None and not helper.user.has_usable_password()
    assert helper.phone == "+31 6 12345678"
    assert helper.consent_at is not None and helper.consent_recorded_by is None
    assert HelperOrigin.objects.get(volunteer=helper).invitation == invitation
    assert Signup.objects.get(volunteer=helper).shift == shift
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert '<html lang="ti"' in page.content.decode()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "ar,en;q=0.5"}, "ar"),
        ({}, "nl"),
    ],
)
def test_the_language_defaults_to_the_pages(client, invitation, shift, headers, expected):
    response = client.get(join_url(invitation), **headers)
    assert response.context["form"]["language"].value() == expected


def test_the_language_cookie_chooses_it_too(client, invitation, shift):
    client.cookies["django_language"] = "ti"
    response = client.get(join_url(invitation))
    assert response.context["form"]["language"].value() == "ti"
    assert '<html lang="ti"' in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "", "email": ""}, "phone"),
        ({"consent": None}, "consent"),
        ({"name": ""}, "name"),
        ({"name": "Selam\u202eTesfay"}, "name"),
        ({"phone": "ring me"}, "phone"),
        ({"email": "not-an-address", "phone": ""}, "email"),
        ({"language": "xx"}, "language"),
        ({"shift": "999999"}, "shift"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(client, shift, invitation, changes, field):
    response = client.post(join_url(invitation), join_form(shift, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not helpers().exists() and not Signup.objects.exists()


def test_a_shift_of_another_site_cannot_be_chosen(client, shift, invitation, event, other_branch):
    from events.models import Site
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
    other = make_shift(elsewhere)
    response = client.post(join_url(invitation), join_form(other))
    assert response.status_code == 400 and response.context["form"].errors["shift"]
    assert not Signup.objects.exists()


# What the page says (in Dutch, the page's language), whatever the address.
SENT = "We hebben een bericht naar dat e-mailadres gestuurd"


def join_with_address(invitation, shift, email, **overrides):
    """Join from a client of its own, following the redirect; with the mails sent."""
    data = join_form(shift, email=email, phone="", **overrides)
    return Client().post(join_url(invitation), data, follow=True)


CONFIRM = re.compile(r"https?://[^\s]+/j/confirm/([^/\s]+)/")


def confirm_value(message) -> str:
    return CONFIRM.search(message.body).group(1)


def join_and_confirm(invitation, shift, email, captured, **overrides):
    """Join with an address and open the link mailed to it: the helper it makes."""
    mail.outbox.clear()
    with captured(execute=True):
        join_with_address(invitation, shift, email, **overrides)
    (message,) = mail.outbox
    page = Client()
    with captured(execute=True):
        page.post(reverse("volunteers:join_confirm", args=[confirm_value(message)]))
    mail.outbox.clear()
    return helpers().select_related("user").get(user__email=email.lower())


def places(shift) -> tuple:
    """What the public sees and what is kept: the shift's free places, helpers, sign-ups."""
    from events.selectors import open_shifts

    return (
        open_shifts(site=shift.site).get(pk=shift.pk).open_spots,
        Volunteer.objects.count(),
        Signup.objects.count(),
    )


def test_joining_with_an_address_makes_nothing_until_the_mailed_link_is_opened(
    client, shift, invitation, django_capture_on_commit_callbacks
):
    before = places(shift)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            join_url(invitation),
            join_form(shift, phone="", email="Selam@Example.org", language="en"),
        )
    assert response["Location"] == join_url(invitation)
    assert SENT in client.get(response["Location"]).content.decode()
    assert places(shift) == before and not helpers().exists()
    (message,) = mail.outbox
    assert message.to == ["selam@example.org"]
    # English only: the language chosen on the form, not Dutch and English.
    assert "Confirm that you sign up" in message.subject and "-- \n" not in message.body
    assert shift.site.display_name in message.body and "48" not in message.subject
    assert "nothing is kept" in message.body and not LINK.search(message.body)
    mail.outbox.clear()

    url = reverse("volunteers:join_confirm", args=[confirm_value(message)])
    page = Client()
    shown = page.get(url)
    # A mail scanner that opens the link signs nobody up.
    assert shown.status_code == 200 and "Yes, sign me up" in shown.content.decode()
    assert shown["Content-Language"] == "en" and shown["Referrer-Policy"] == "strict-origin"
    assert "no-store" in shown["Cache-Control"]
    assert places(shift) == before
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(url)
    helper = helpers().select_related("user").get()
    assert response["Location"] == f"/me/{helper.link_token}/"
    assert helper.user.email == "selam@example.org" and helper.user.language == "en"
    assert Signup.objects.get(volunteer=helper, shift=shift).is_confirmed
    assert places(shift) == (before[0] - 1, before[1] + 1, before[2] + 1)
    assert "You are signed up" in page.get(response["Location"]).content.decode()
    # And the personal link by mail, to keep, beside the confirmation of the place.
    assert [m.to for m in mail.outbox] == [["selam@example.org"]] * 2
    assert all(f"/me/{helper.link_token}/" in m.body for m in mail.outbox)


def test_the_free_places_do_not_tell_whether_an_address_is_in_use(
    shift, invitation, django_capture_on_commit_callbacks
):
    """The leak this closes: counting a shift's free places before and after giving
    someone's address would tell whether they have an account or a personal link."""
    make_volunteer("vera@example.org")
    before = places(shift)
    counts = {}
    for email in ("vera@example.org", "new@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            join_with_address(invitation, shift, email)
        counts[email] = places(shift)
    assert counts == {"vera@example.org": before, "new@example.org": before}


def test_opening_the_link_twice_is_one_helper(client, shift, invitation):
    client.post(join_url(invitation), join_form(shift, phone="", email="selam@example.org"))
    url = reverse("volunteers:join_confirm", args=[confirm_value(mail.outbox[0])])
    first = Client().post(url)
    second = Client().post(url)
    assert first["Location"] == second["Location"] == f"/me/{helpers().get().link_token}/"
    assert Signup.objects.filter(shift=shift).count() == 1
    # Later the link leads to no personal link, and makes nothing.
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=11)):
        late = Client().post(url)
    assert late.status_code == 409 and not LINK.search(late.content.decode())
    assert helpers().count() == 1 and Signup.objects.count() == 1


def test_a_tampered_or_expired_link_makes_nothing(client, shift, invitation):
    client.post(join_url(invitation), join_form(shift, phone="", email="selam@example.org"))
    value = confirm_value(mail.outbox[0])
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    for bad in (tampered, "nonsense"):
        response = Client().post(reverse("volunteers:join_confirm", args=[bad]))
        assert response.status_code == 410
        assert "Deze link werkt niet meer" in response.content.decode()
    with time_machine.travel(clock.now() + datetime.timedelta(hours=49)):
        response = Client().post(reverse("volunteers:join_confirm", args=[value]))
    assert response.status_code == 410
    assert not helpers().exists() and not Signup.objects.exists()


def test_a_link_of_a_withdrawn_invitation_or_a_full_shift(client, site, shift, invitation):
    from volunteers.invitations import invitation_revoke

    full = make_shift(site, capacity=1, starts_in_hours=200)
    make_signup(full, make_volunteer("vera@example.org"))
    client.post(join_url(invitation), join_form(full, phone="", email="selam@example.org"))
    waiting = reverse("volunteers:join_confirm", args=[confirm_value(mail.outbox[0])])
    client.post(join_url(invitation), join_form(shift, phone="", email="sara@example.org"))
    closed = reverse("volunteers:join_confirm", args=[confirm_value(mail.outbox[1])])
    Client().post(waiting)
    assert Signup.objects.get(shift=full, volunteer__user__email="selam@example.org").is_waitlisted
    invitation_revoke(site=site, by=None)
    assert Client().post(closed).status_code == 410
    assert not helpers().filter(user__email="sara@example.org").exists()


def test_the_mail_to_a_new_address_does_not_carry_what_the_joiner_typed(
    shift, invitation, django_capture_on_commit_callbacks
):
    """Anyone may give anyone's address: the name typed on the form is not proven to be
    its owner's, and must not reach their mailbox (it could say anything)."""
    with django_capture_on_commit_callbacks(execute=True):
        join_with_address(
            invitation,
            shift,
            "victim@example.org",
            language="en",
            name="Your account is blocked call 0900 1234 or visit evil example",
        )
    (message,) = mail.outbox
    assert message.to == ["victim@example.org"]
    assert "blocked" not in message.body and "evil" not in message.body
    assert message.body.startswith("Hello,")


def test_an_address_in_use_gets_the_same_answer_as_a_new_one(
    site, shift, invitation, django_capture_on_commit_callbacks
):
    """The form must not tell who has an account or a personal link: an invitation hangs
    on a wall, and anyone could ask whether a person helps refugees."""
    from allauth.account.models import EmailAddress

    account = make_volunteer("vera@example.org", first_name="Vera")
    EmailAddress.objects.create(user=account.user, email="second@example.org", verified=True)
    join_and_confirm(invitation, shift, "selam@example.org", django_capture_on_commit_callbacks)
    answers = {}
    for email in ("new@example.org", "VERA@example.org", "second@example.org", "selam@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = join_with_address(invitation, shift, email)
        body = response.content.decode()
        answers[email] = (response.status_code, tuple(response.redirect_chain), SENT in body)
    assert len(set(answers.values())) == 1, answers
    assert answers["new@example.org"][2]


def test_an_address_of_an_account_makes_nothing_and_tells_its_owner(
    client, shift, invitation, django_capture_on_commit_callbacks
):
    account = make_volunteer("vera@example.org", first_name="Vera", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            join_url(invitation),
            join_form(shift, email="VERA@example.org", phone="", name="Mallory evil example"),
        )
    assert response["Location"] == join_url(invitation)
    assert not helpers().exists() and not Signup.objects.exists()
    account.user.refresh_from_db()
    assert account.user.first_name == "Vera" and account.has_login
    (message,) = mail.outbox
    assert message.to == ["vera@example.org"]
    assert "Someone tried to sign up" in message.subject
    assert shift.site.display_name in message.body and "/accounts/login/" in message.body
    assert "Mallory" not in message.body and "evil" not in message.body


def test_an_address_of_a_secondary_account_address_makes_nothing_and_tells_it(
    client, shift, invitation, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    account = make_volunteer("vera@example.org")
    EmailAddress.objects.create(user=account.user, email="second@example.org", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(join_url(invitation), join_form(shift, email="second@example.org", phone=""))
    assert not helpers().exists()
    assert [m.to for m in mail.outbox] == [["second@example.org"]]
    assert "/accounts/login/" in mail.outbox[0].body


def test_an_address_with_a_personal_link_gets_the_link_again_not_a_second_helper(
    client, site, shift, invitation, django_capture_on_commit_callbacks
):
    first = join_and_confirm(
        invitation, shift, "selam@example.org", django_capture_on_commit_callbacks
    )
    later = make_shift(site, starts_in_hours=300)
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = other.post(
            join_url(invitation), join_form(later, email="selam@example.org", phone="")
        )
    assert response["Location"] == join_url(invitation)
    assert first.link_token not in other.get(response["Location"]).content.decode()
    assert helpers().count() == 1 and not Signup.objects.filter(shift=later).exists()
    assert len(mail.outbox) == 1 and f"/me/{first.link_token}/" in mail.outbox[0].body


def test_an_address_in_use_is_mailed_at_most_once_an_hour(
    shift, invitation, django_capture_on_commit_callbacks
):
    make_volunteer("vera@example.org")
    join_and_confirm(invitation, shift, "selam@example.org", django_capture_on_commit_callbacks)
    for _ in range(3):
        for email in ("vera@example.org", "SELAM@example.org"):
            with django_capture_on_commit_callbacks(execute=True):
                assert SENT in join_with_address(invitation, shift, email).content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["selam@example.org", "vera@example.org"]


def test_a_too_long_address_is_a_form_error(client, shift, invitation):
    """Valid by the address rules (up to 320 characters) but longer than the column: a
    form error, not an error page (PostgreSQL refuses to store it)."""
    email = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "example.org"
    response = client.post(join_url(invitation), join_form(shift, email=email, phone=""))
    assert response.status_code == 400 and response.context["form"].errors["email"]
    assert not helpers().exists()


def test_the_same_form_sent_twice_is_one_sign_up(client, shift, invitation):
    data = join_form(shift)
    first = client.post(join_url(invitation), data)
    second = client.post(join_url(invitation), data)
    assert first["Location"] == second["Location"]
    assert helpers().count() == 1
    assert Signup.objects.filter(shift=shift).count() == 1


def replay_is_refused(client, invitation, data) -> None:
    before = Volunteer.objects.count()
    response = client.post(join_url(invitation), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Dit formulier is al verstuurd" in body and not LINK.search(body)
    assert Volunteer.objects.count() == before


def test_the_form_of_a_joiner_with_an_address_never_shows_their_link(client, shift, invitation):
    data = join_form(shift, email="selam@example.org", phone="")
    client.post(join_url(invitation), data)
    Client().post(reverse("volunteers:join_confirm", args=[confirm_value(mail.outbox[0])]))
    token = helpers().get().link_token
    # The same form again, with a phone number instead of the address: still no link.
    again = Client().post(join_url(invitation), {**data, "email": "", "phone": "0612345678"})
    assert again["Location"] == join_url(invitation)
    assert token not in Client().get(again["Location"]).content.decode()


def test_the_form_key_leads_nowhere_after_ten_minutes(client, shift, invitation):
    """The key is in the page's HTML (a shared phone, a browser's history): it must not
    stay a second key to the personal link."""
    data = join_form(shift)
    client.post(join_url(invitation), data)
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=11)):
        replay_is_refused(Client(), invitation, data)


def test_the_form_key_leads_nowhere_on_another_invitation(client, site, shift, invitation):
    from events.models import Site
    from volunteers.invitations import invitation_create

    data = join_form(shift)
    client.post(join_url(invitation), data)
    location = site.location
    location.pk = None  # a second azc of the branch
    location.name = "azc Zeist"
    location.save()
    other_site = Site.objects.create(
        event=site.event,
        location=location,
        branch=site.branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    other = invitation_create(site=other_site, by=invitation.created_by)
    replay_is_refused(Client(), other, {**data, "shift": make_shift(other_site).pk})


def test_the_form_key_does_not_lead_to_a_reset_link(shift, invitation):
    data = join_form(shift)
    first = Client().post(join_url(invitation), data)["Location"]
    new_link = Client().post(first + "new-link/")["Location"]
    replay = Client().post(join_url(invitation), {**data, "name": "Someone else"})
    assert replay.get("Location") not in (first, new_link)


def test_the_form_key_of_an_erased_helper_leads_nowhere(client, shift, invitation):
    from volunteers.retention import helpers_erase_after_shifts

    data = join_form(shift)
    client.post(join_url(invitation), data)
    helpers_erase_after_shifts(now=shift.ends_at + datetime.timedelta(days=400))
    replay_is_refused(client, invitation, data)


def test_a_full_shift_puts_them_on_the_waitlist_and_says_so(client, site, invitation):
    shift = make_shift(site, capacity=1)
    make_signup(shift, make_volunteer())
    response = client.post(join_url(invitation), join_form(shift), follow=True)
    signup = Signup.objects.get(shift=shift, volunteer__link_token__isnull=False)
    assert signup.is_waitlisted
    body = response.content.decode()
    assert 'class="message warning"' in body
    assert 'data-position="1"' in body


def test_a_started_shift_is_refused_with_nothing_saved(client, site, invitation):
    shift = make_shift(site, starts_in_hours=-1)
    response = client.post(join_url(invitation), join_form(shift))
    assert response.status_code == 400
    assert not helpers().exists()


def test_the_join_form_needs_its_csrf_token(shift, invitation):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(join_url(invitation), join_form(shift))
    assert response.status_code == 403
    assert not helpers().exists()


@override_settings(
    HELPER_RATE_LIMITS={"join": "3/m/ip", "helper": "30/m/ip", "token_miss": "20/m/ip"}
)
def test_too_many_sign_ups_from_one_address_get_a_429(client, shift, invitation):
    answers = [
        client.post(join_url(invitation), join_form(shift, name="")).status_code for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]
    response = client.post(join_url(invitation), join_form(shift))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.templates[0].name == "429.html"
    assert not helpers().exists()
    # Reading the page is still possible.
    assert client.get(join_url(invitation)).status_code == 200


@override_settings(
    HELPER_RATE_LIMITS={"join": "100/m/ip,2/h/key", "helper": "30/m/ip", "token_miss": "20/m/ip"}
)
def test_an_invitation_that_went_round_too_widely_is_limited(shift, invitation):
    for number in range(2):
        client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        assert client.post(join_url(invitation), join_form(shift, name="")).status_code == 400
    late = Client(REMOTE_ADDR="192.0.2.99")
    assert late.post(join_url(invitation), join_form(shift)).status_code == 429


@override_settings(
    HELPER_RATE_LIMITS={"join": "10/m/ip", "helper": "30/m/ip", "token_miss": "5/m/ip"}
)
def test_misses_are_limited_and_a_working_link_always_opens(client, shift, invitation, coordinator):
    from .conftest import add_helper

    helper = add_helper(shift, coordinator).volunteer
    guesses = [client.get(f"/me/{'A' * 43}{n}/").status_code for n in range(5)]
    assert guesses == [404] * 5
    # Now tokens that do not exist answer 429 from this address ...
    assert client.get(f"/me/{'B' * 43}/").status_code == 429
    assert client.get(f"/j/{'B' * 12}/").status_code == 429
    # ... but the right links still open: an azc's wifi is one address for many people.
    assert client.get(f"/me/{helper.link_token}/").status_code == 200
    assert client.get(join_url(invitation)).status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.7").get(f"/me/{'B' * 43}/").status_code == 404
