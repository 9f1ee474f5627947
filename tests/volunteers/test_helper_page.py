"""A helper's personal link: their shifts in their own language, their calendar feed,
releasing a shift by the same rules as everyone, signing up for another shift of the site
while its invitation works, a new link (the old one then 404s), never cached or indexed.
Mails reach helpers who gave an address, with their link, in their language; helpers
without one get none."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Volunteer
from events import services
from events.models import Shift, Signup
from tests.conftest import on_event_day
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers.helpers import HelperDetails, helper_join, new_form_key
from volunteers.invitations import invitation_revoke
from volunteers.reminders import reminders_send

from .conftest import add_helper

pytestmark = pytest.mark.usefixtures("fresh_limits")


def page_url(helper) -> str:
    return reverse("volunteers:helper_page", args=[helper.link_token])


@pytest.fixture
def helper(shift, coordinator):
    return add_helper(shift, coordinator, language="ti").volunteer


def test_the_page_shows_the_shifts_in_the_helpers_language(client, helper, shift):
    client.cookies["django_language"] = "en"  # the browser's choice does not count here
    response = client.get(page_url(helper), HTTP_ACCEPT_LANGUAGE="nl")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ti"' in body
    assert response["Content-Language"] == "ti"
    assert "Noor Haddad" in body
    assert f'data-shift="{shift.pk}"' in body
    assert reverse("volunteers:helper_release", args=[helper.link_token, shift.pk]) in body


def test_the_page_is_private_and_not_indexed(client, helper):
    response = client.get(page_url(helper))
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    # Its forms post with a CSRF token; its QR code is drawn without a script.
    assert body.count('name="csrfmiddlewaretoken"') >= 2
    assert 'class="qr-code"' in body and "<script" not in body


def test_the_waitlist_position_is_shown(client, site, coordinator):
    shift = make_shift(site, capacity=1)
    make_signup(shift, make_volunteer())
    add_helper(shift, coordinator, name="First")
    second = add_helper(shift, coordinator, name="Second").volunteer
    body = client.get(page_url(second)).content.decode()
    assert 'data-position="2"' in body


def test_the_calendar_feed_works_for_a_helper_in_their_language(client, shift, coordinator):
    helper = add_helper(shift, coordinator, language="en").volunteer
    response = client.get(page_url(helper))
    feed = response.context["feed"]["url"]
    assert feed.endswith(f"/calendar/volunteer/{helper.calendar_token}.ics")
    answer = client.get(feed.removeprefix("http://testserver"))
    assert answer.status_code == 200
    assert answer["Content-Language"] == "en"
    text = answer.content.decode()
    assert f"shift-{shift.pk}@" in text
    assert "My shifts" in text
    # The feed, often shared with a calendar service, does not carry the personal link.
    assert helper.link_token not in text and "/my/shifts/" not in text


def test_a_helpers_feed_follows_their_language_when_they_change_it(client, helper):
    feed = client.get(page_url(helper)).context["feed"]["url"].removeprefix("http://testserver")
    assert "?lang" not in feed
    answer = client.get(feed)
    assert answer.status_code == 200 and answer["Content-Language"] == "ti"
    helper.user.language = "fa"
    helper.user.save()
    assert client.get(feed)["Content-Language"] == "fa"


def test_unknown_and_malformed_links_are_not_found(client, helper):
    for token in ("A" * 43, "short", helper.link_token[:-1] + "!", helper.link_token.upper()):
        if token == helper.link_token:
            continue
        assert client.get(f"/me/{token}/").status_code == 404


# --- Releasing --------------------------------------------------------------------------------


def test_releasing_asks_first_then_frees_the_place_for_the_waitlist(
    client, site, coordinator, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1)
    helper = add_helper(shift, coordinator).volunteer
    waiting = make_volunteer("waiting@example.org")
    services.signup_create(shift=shift, volunteer=waiting)
    release = reverse("volunteers:helper_release", args=[helper.link_token, shift.pk])
    confirm = client.get(release)
    assert confirm.status_code == 200
    assert Signup.objects.get(volunteer=helper).is_confirmed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release)
    assert response.status_code == 302 and response["Location"] == page_url(helper)
    assert Signup.objects.get(volunteer=helper).status == Signup.Status.CANCELLED
    assert Signup.objects.get(volunteer=waiting).is_confirmed
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]


def test_release_after_the_deadline_is_refused_as_for_everyone(client, site, coordinator):
    shift = make_shift(site, starts_in_hours=10)  # the deadline is 24 hours before
    helper = add_helper(shift, coordinator).volunteer
    release = reverse("volunteers:helper_release", args=[helper.link_token, shift.pk])
    response = client.post(release, follow=True)
    assert Signup.objects.get(volunteer=helper).is_confirmed
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_one_helper_cannot_release_anothers_shift(client, shift, coordinator):
    noor = add_helper(shift, coordinator).volunteer
    sam = add_helper(shift, coordinator, name="Sam").volunteer
    client.post(reverse("volunteers:helper_release", args=[sam.link_token, shift.pk]))
    client.post(reverse("volunteers:helper_release", args=[sam.link_token, 999999]))
    assert Signup.objects.get(volunteer=noor).is_confirmed
    assert Signup.objects.get(volunteer=sam).status == Signup.Status.CANCELLED


# --- Another shift of the same site ----------------------------------------------------------


def test_another_shift_of_the_site_while_its_invitation_works(
    client, site, shift, coordinator, invitation
):
    helper = add_helper(shift, coordinator).volunteer
    later = make_shift(site, capacity=2, starts_in_hours=300)
    body = client.get(page_url(helper)).content.decode()
    assert f'name="shift" value="{later.pk}"' in body
    claim = reverse("volunteers:helper_claim", args=[helper.link_token])
    assert client.post(claim, {"shift": later.pk}).status_code == 302
    assert Signup.objects.get(volunteer=helper, shift=later).is_confirmed


def test_an_overlapping_shift_is_refused_with_the_usual_message(
    client, site, shift, coordinator, invitation
):
    helper = add_helper(shift, coordinator).volunteer
    overlapping = Shift.objects.create(
        site=site,
        role=Shift.Role.COFFEE,
        starts_at=on_event_day(12),
        ends_at=on_event_day(13),
        capacity=2,
    )
    claim = reverse("volunteers:helper_claim", args=[helper.link_token])
    response = client.post(claim, {"shift": overlapping.pk}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "11:00" in messages[0]
    assert not Signup.objects.filter(shift=overlapping).exists()


def test_no_other_shift_once_the_invitation_is_revoked(
    client, site, shift, coordinator, invitation
):
    helper = add_helper(shift, coordinator).volunteer
    later = make_shift(site, capacity=2, starts_in_hours=300)
    invitation_revoke(site=site, by=coordinator)
    assert f'value="{later.pk}"' not in client.get(page_url(helper)).content.decode()
    claim = reverse("volunteers:helper_claim", args=[helper.link_token])
    client.post(claim, {"shift": later.pk})
    assert not Signup.objects.filter(shift=later).exists()


def test_no_shift_of_a_site_where_the_helper_does_not_help(
    client, shift, coordinator, event, other_branch
):
    from events.models import Site
    from locations.models import Location
    from volunteers.invitations import invitation_create

    helper = add_helper(shift, coordinator).volunteer
    place = Location.objects.create(name="azc Zwolle", branch=other_branch, city="Zwolle")
    elsewhere = Site.objects.create(
        event=event,
        location=place,
        branch=other_branch,
        opens_at=shift.site.opens_at,
        closes_at=shift.site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    invitation_create(site=elsewhere, by=None)
    foreign = make_shift(elsewhere)
    client.post(reverse("volunteers:helper_claim", args=[helper.link_token]), {"shift": foreign.pk})
    assert not Signup.objects.filter(shift=foreign).exists()


# --- A new link, the language -----------------------------------------------------------------


def test_reset_gives_a_new_link_and_the_old_one_stops_at_once(client, helper):
    old_link, old_feed = helper.link_token, helper.calendar_token
    response = client.post(reverse("volunteers:helper_reset", args=[old_link]))
    helper.refresh_from_db()
    assert helper.link_token != old_link and helper.calendar_token != old_feed
    assert response["Location"] == page_url(helper)
    assert client.get(f"/me/{old_link}/").status_code == 404
    assert client.post(reverse("volunteers:helper_reset", args=[old_link])).status_code == 404
    assert client.get(f"/calendar/volunteer/{old_feed}.ics").status_code == 404
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"http://testserver/me/{helper.link_token}/" in page.content.decode()


def test_the_helper_changes_their_language(client, helper):
    client.post(reverse("volunteers:helper_language", args=[helper.link_token]), {"language": "ar"})
    helper.user.refresh_from_db()
    assert helper.user.language == "ar"
    body = client.get(page_url(helper)).content.decode()
    assert '<html lang="ar" dir="rtl"' in body


def test_changes_need_a_csrf_token(helper, shift):
    strict = Client(enforce_csrf_checks=True)
    old = helper.link_token
    assert strict.post(reverse("volunteers:helper_reset", args=[old])).status_code == 403
    release = reverse("volunteers:helper_release", args=[old, shift.pk])
    assert strict.post(release).status_code == 403
    helper.refresh_from_db()
    assert helper.link_token == old
    assert Signup.objects.get(volunteer=helper).is_confirmed


# --- Mail -----------------------------------------------------------------------------------


def test_mail_to_a_helper_carries_the_personal_link_in_their_language(
    site, coordinator, invitation, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1)
    holder = make_volunteer("holder@example.org")
    services.signup_create(shift=shift, volunteer=holder)
    with django_capture_on_commit_callbacks(execute=True):
        joined = helper_join(
            invitation=invitation,
            shift=shift,
            details=HelperDetails(name="Selam", language="en", email="selam@example.org"),
            form_key=new_form_key(),
        )
    assert joined.signup.is_waitlisted
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_release(shift=shift, volunteer=holder)
    (message,) = [m for m in mail.outbox if m.to != [holder.user.email]]
    assert message.to == ["selam@example.org"]
    assert f"/me/{joined.volunteer.link_token}/" in message.body
    assert "/my/shifts/" not in message.body
    assert "-- \n" not in message.body  # one language: the helper's own


def test_a_helper_without_an_address_gets_no_mail_and_nothing_breaks(
    site, coordinator, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1, starts_in_hours=30)
    holder = make_volunteer("holder@example.org")
    services.signup_create(shift=shift, volunteer=holder)
    helper = add_helper(shift, coordinator).volunteer
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_release(shift=shift, volunteer=holder)
    assert Signup.objects.get(volunteer=helper).is_confirmed
    assert [m.to for m in mail.outbox] == [[holder.user.email]]  # their release only
    mail.outbox.clear()
    run = reminders_send(now=shift.starts_at - datetime.timedelta(hours=20))
    assert run.failed == 0 and mail.outbox == []


def test_reminders_reach_a_helper_with_an_address(site, invitation):
    shift = make_shift(site, starts_in_hours=30)
    joined = helper_join(
        invitation=invitation,
        shift=shift,
        details=HelperDetails(name="Selam", language="en", email="selam@example.org"),
        form_key=new_form_key(),
    )
    mail.outbox.clear()
    run = reminders_send(now=shift.starts_at - datetime.timedelta(hours=20))
    assert run.sent == 1
    assert f"/me/{joined.volunteer.link_token}/" in mail.outbox[0].body


def test_an_erased_helpers_link_is_not_found(client, helper):
    from volunteers.services import account_delete

    token = helper.link_token
    account_delete(user=helper.user)
    assert client.get(f"/me/{token}/").status_code == 404
    assert Volunteer.objects.filter(link_token=token).count() == 0


def test_a_past_shift_moves_to_earlier_shifts(client, helper, shift):
    with time_machine.travel(on_event_day(15)):
        response = client.get(page_url(helper))
    assert [s.shift for s in response.context["past"]] == [shift]
    assert response.context["coming"] == []


# --- CSRF ---------------------------------------------------------------------------------


def _strict_client_with_token(helper):
    client = Client(enforce_csrf_checks=True)
    client.get(page_url(helper))
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize(
    ("headers", "with_token", "allowed"),
    [
        ({"HTTP_ORIGIN": "http://testserver"}, True, True),
        ({}, True, True),  # no Origin (an older browser): the token decides
        ({"HTTP_ORIGIN": "http://testserver"}, False, False),
        ({"HTTP_ORIGIN": "https://evil.example"}, True, False),
        ({"HTTP_ORIGIN": "null"}, True, False),
    ],
)
def test_a_personal_pages_forms_pass_djangos_csrf_check_from_our_own_page_only(
    helper, headers, with_token, allowed
):
    client, token = _strict_client_with_token(helper)
    old = helper.link_token
    response = client.post(
        reverse("volunteers:helper_reset", args=[old]),
        {"csrfmiddlewaretoken": token if with_token else "x" * 64},
        **headers,
    )
    helper.refresh_from_db()
    assert (response.status_code, helper.link_token != old) == (
        (302, True) if allowed else (403, False)
    )


def test_the_tokens_of_these_pages_are_kept_out_of_the_logs(helper, invitation):
    from common.logging import redact

    for path in (f"/me/{helper.link_token}/", f"/j/{invitation.token}/", "/me/%2Fx"):
        logged = redact(f'"GET {path} HTTP/1.1" 404')
        assert helper.link_token not in logged and invitation.token not in logged
        assert "[redacted]" in logged
    assert redact("GET /api/v1/me/ 200") == "GET /api/v1/me/ 200"


def test_a_helper_who_sets_a_password_through_their_address_becomes_an_account(
    client, site, shift, invitation
):
    from allauth.account import signals

    joined = helper_join(
        invitation=invitation,
        shift=shift,
        details=HelperDetails(name="Selam", language="en", email="selam@example.org"),
        form_key=new_form_key(),
    ).volunteer
    token = joined.link_token
    joined.user.set_password("een-lang-wachtwoord-42")
    joined.user.save()
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/password/reset/key/done/")
    signals.password_reset.send(sender=type(joined.user), request=request, user=joined.user)
    joined.refresh_from_db()
    assert joined.has_login and joined.link_token is None
    assert client.get(f"/me/{token}/").status_code == 404
    assert Signup.objects.get(volunteer=joined).is_confirmed
