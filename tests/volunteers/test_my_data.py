"""A volunteer downloads their data and deletes their account; the counts stay."""

import json

from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from events import locking
from events import services as event_services
from events.models import Signup
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers import services


def test_download_holds_everything_about_me_and_no_secrets(volunteer_client, volunteer, site):
    profile = volunteer.volunteer
    profile.languages = ["nl", "ar"]
    profile.save()
    volunteer.language = "ar"
    volunteer.save()
    shift = make_shift(site)
    event_services.signup_create(shift=shift, volunteer=profile)
    response = volunteer_client.get(reverse("volunteers:my_data"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 'filename="my-data.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "volunteer@example.org"
    assert data["account"]["first_name"] == "Vera"
    assert data["account"]["language"] == "ar"
    assert data["volunteer"]["phone"] == "0612345678"
    assert data["volunteer"]["languages"] == ["nl", "ar"]
    assert [(s["site"], s["status"]) for s in data["signups"]] == [("azc Utrecht", "confirmed")]
    assert profile.calendar_token not in response.content.decode()


def test_delete_account_anonymises_and_keeps_the_counts(
    client, site, django_capture_on_commit_callbacks
):
    leaving = make_volunteer(
        "leaving@example.org", first_name="Lena", last_name="Visser", language="ti"
    )
    leaving.phone, leaving.languages = "0611112222", ["ti", "nl"]
    leaving.save()
    past = make_shift(site, starts_in_hours=-50)
    make_signup(shift=past, volunteer=leaving, status="confirmed")
    coming = make_shift(site, capacity=1, starts_in_hours=5)  # past the release deadline
    event_services.signup_create(shift=coming, volunteer=leaving)
    waiting = make_volunteer()
    event_services.signup_create(shift=coming, volunteer=waiting)
    Token.objects.create(user=leaving.user)
    site.branch.coordinators.add(leaving.user)

    client.force_login(leaving.user)
    url = reverse("volunteers:account_delete")
    response = client.post(url, {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"password": "pw-for-tests-1", "confirm": "on"})
    assert response["Location"] == "/"

    user = type(leaving.user).objects.get(pk=leaving.user.pk)
    leaving.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@anonymised.invalid"
    assert (user.first_name, user.last_name, leaving.phone, leaving.languages) == ("", "", "", [])
    assert user.language == ""
    assert not user.is_active and not user.has_usable_password()
    assert leaving.anonymised_at is not None
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Token.objects.filter(user=user).exists()
    assert not site.branch.coordinators.filter(pk=user.pk).exists()
    # Past work still counts; the coming place went to the waitlist, who got an e-mail.
    assert past.signups.get().status == "confirmed"
    assert coming.signups.get(volunteer=leaving).status == "cancelled"
    assert coming.signups.get(volunteer=waiting).status == "confirmed"
    assert [m.to for m in mail.outbox] == [[waiting.user.email]]
    # Logged out, and the old password no longer works.
    assert client.get(reverse("volunteers:my_shifts")).status_code == 302
    assert not client.login(email="leaving@example.org", password="pw-for-tests-1")


def test_the_address_can_be_used_again_after_deletion(client, db, django_user_model):
    person = make_volunteer("again@example.org")
    services.account_delete(user=person.user)
    client.post(
        reverse("account_signup"),
        {
            "email": "again@example.org",
            "first_name": "Again",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    assert django_user_model.objects.filter(email="again@example.org").exists()


def test_delete_account_releases_a_place_claimed_while_it_was_being_deleted(
    site, monkeypatch, django_capture_on_commit_callbacks
):
    """The coming places are read before the volunteer's row is locked; a claim that
    commits in between must not keep a place for the deleted account."""
    leaving = make_volunteer()
    first = make_shift(site, starts_in_hours=50)
    event_services.signup_create(shift=first, volunteer=leaving)
    late = make_shift(site, starts_in_hours=60)
    real_lock = locking.lock_volunteers
    claimed = []

    def lock_after_a_concurrent_claim(ids):
        if not claimed:  # the other request's claim commits just before our lock
            claimed.append(make_signup(shift=late, volunteer=leaving, status="confirmed"))
        real_lock(ids)

    monkeypatch.setattr(locking, "lock_volunteers", lock_after_a_concurrent_claim)
    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=leaving.user)

    assert claimed
    assert set(Signup.objects.filter(volunteer=leaving).values_list("status", flat=True)) == {
        "cancelled"
    }
