"""Understaffing alerts to a branch's coordinators: the daily digest in the weeks before an
edition, and the alert when a shift starts short of people (events/alerts.py)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import formats, translation

from accounts.mail import SEPARATOR
from accounts.models import SentMail
from events import alerts
from events.models import Shift, Site
from events.tasks import send_shift_alerts, send_staffing_digests
from locations.models import Location
from tests.conftest import EVENT_DAY, make_user, on_event_day
from tests.factories import make_signup, make_volunteers

pytestmark = pytest.mark.django_db


def days_before(days: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return on_event_day(hour, minute, days=-days)


@pytest.fixture
def coordinator(coordinator):
    coordinator.language = "en"
    coordinator.save()
    return coordinator


@pytest.fixture
def other_site(db, event, other_branch):
    """A site of another branch, short of people too."""
    location = Location.objects.create(
        name="azc Zwolle", branch=other_branch, city="Zwolle", latitude=52.5, longitude=6.1
    )
    site = Site.objects.create(
        event=event,
        location=location,
        branch=other_branch,
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
        status=Site.Status.PUBLISHED,
    )
    Shift.objects.create(
        site=site,
        role=Shift.Role.COFFEE,
        starts_at=on_event_day(11),
        ends_at=on_event_day(13),
        capacity=2,
    )
    return site


@pytest.fixture
def other_coordinator(django_user_model, other_branch):
    user = make_user(django_user_model, "other-coordinator@example.org", language="en")
    other_branch.coordinators.add(user)
    return user


def fill(shift, count=None):
    for volunteer in make_volunteers(count if count is not None else shift.capacity):
        make_signup(shift, volunteer)


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


# --- The daily digest ------------------------------------------------------------------


def test_the_digest_lists_the_open_places_with_links_and_how_to_stop_it(
    shift, coordinator, settings
):
    fill(shift, 1)
    assert alerts.staffing_digests_send(now=days_before(5)) == 1
    (message,) = mail.outbox
    assert message.to == ["coordinator@example.org"]
    assert "azc Utrecht" in message.body
    assert "2 open places" in message.body
    assert settings.SITE_URL + reverse("events:roster", args=[shift.site_id]) in message.body
    appeal = reverse("volunteers:site_appeal", args=[shift.site_id])
    assert settings.SITE_URL + appeal in message.body
    assert settings.SITE_URL + alerts.PROFILE_PATH in message.body
    assert "Understaffing alerts by e-mail" in message.body


def test_the_profile_path_in_the_mails_is_the_profile_page():
    assert reverse("volunteers:profile") == alerts.PROFILE_PATH


@pytest.mark.parametrize(
    ("moment", "sent"),
    [
        (days_before(22), False),
        (days_before(21), True),
        (days_before(1), True),
        (days_before(0), False),  # the day itself: the alerts of the day take over
        (days_before(-1), False),
        (days_before(3, hour=7, minute=59), False),
        (days_before(3, hour=8), True),
    ],
)
def test_the_digest_is_sent_in_the_weeks_before_from_its_hour(shift, coordinator, moment, sent):
    assert alerts.staffing_digests_send(now=moment) == int(sent)


def test_the_window_and_the_hour_are_settings(shift, coordinator, settings):
    settings.STAFFING_DIGEST_DAYS = 3
    settings.STAFFING_DIGEST_HOUR = 18
    assert alerts.staffing_digests_send(now=days_before(4, hour=19)) == 0
    assert alerts.staffing_digests_send(now=days_before(3, hour=17)) == 0
    assert alerts.staffing_digests_send(now=days_before(3, hour=18)) == 1


def test_the_digest_is_sent_once_a_day_however_often_the_task_runs(shift, coordinator):
    with time_machine.travel(days_before(5), tick=False):
        send_staffing_digests.enqueue()
        send_staffing_digests.enqueue()
    with time_machine.travel(days_before(5, hour=20), tick=False):
        send_staffing_digests.enqueue()
    assert len(mail.outbox) == 1
    assert SentMail.objects.filter(key__startswith="staffing-digest:").count() == 1
    with time_machine.travel(days_before(4), tick=False):
        send_staffing_digests.enqueue()
    assert len(mail.outbox) == 2


def test_once_the_days_digests_are_sent_a_round_reads_no_site(
    shift, coordinator, django_assert_max_num_queries
):
    assert alerts.staffing_digests_send(now=days_before(5)) == 1
    # The editions near, their coordinators, the mails sent today: nothing more.
    with django_assert_max_num_queries(3):
        assert alerts.digests_due(days_before(5, hour=15)) == []


def test_a_retried_digest_task_sends_only_what_failed(
    shift, coordinator, other_site, other_coordinator, settings, monkeypatch
):
    settings.TASK_ATTEMPTS = 3
    deliver = EmailBackend.send_messages
    refused = []

    def send_messages(self, messages):
        if not refused and any(message.to == [coordinator.email] for message in messages):
            refused.append(True)
            raise ConnectionResetError("connection dropped")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    with time_machine.travel(days_before(5), tick=False):
        send_staffing_digests.enqueue()
    assert refused
    assert sorted(message.to[0] for message in mail.outbox) == [
        coordinator.email,
        other_coordinator.email,
    ]


def test_a_coordinator_who_switched_them_off_gets_no_digest(shift, coordinator):
    coordinator.staffing_alerts = False
    coordinator.save()
    assert alerts.staffing_digests_send(now=days_before(5)) == 0


def test_inactive_coordinators_and_those_without_an_address_get_none(
    shift, coordinator, django_user_model, branch
):
    coordinator.is_active = False
    coordinator.save()
    no_address = django_user_model.objects.create(email=None)
    branch.coordinators.add(no_address)
    assert alerts.staffing_digests_send(now=days_before(5)) == 0


def test_each_coordinator_sees_only_their_own_branch_sites(
    shift, coordinator, other_site, other_coordinator
):
    assert alerts.staffing_digests_send(now=days_before(5)) == 2
    (mine,) = sent_to(coordinator.email)
    (theirs,) = sent_to(other_coordinator.email)
    assert "azc Utrecht" in mine.body and "azc Zwolle" not in mine.body
    assert "azc Zwolle" in theirs.body and "azc Utrecht" not in theirs.body


def test_no_digest_when_every_place_is_filled(shift, coordinator):
    fill(shift)
    assert alerts.staffing_digests_send(now=days_before(5)) == 0
    assert mail.outbox == []


def test_a_needed_language_nobody_speaks_is_listed_even_when_places_are_filled(shift, coordinator):
    Site.objects.filter(pk=shift.site_id).update(languages_needed=["ti"])
    fill(shift)
    assert alerts.staffing_digests_send(now=days_before(5)) == 1
    assert "Tigrinya" in mail.outbox[0].body
    assert "open place" not in mail.outbox[0].body


def test_cancelled_shifts_draft_and_cancelled_sites_are_left_out(
    shift, coordinator, other_site, other_coordinator
):
    Shift.objects.filter(pk=shift.pk).update(is_cancelled=True)
    Site.objects.filter(pk=other_site.pk).update(status=Site.Status.CANCELLED)
    assert alerts.staffing_digests_send(now=days_before(5)) == 0
    Shift.objects.filter(pk=shift.pk).update(is_cancelled=False)
    Site.objects.filter(pk=shift.site_id).update(status=Site.Status.SUBMITTED)
    assert alerts.staffing_digests_send(now=days_before(5)) == 0


def test_the_digest_is_written_in_the_coordinators_language(shift, coordinator):
    coordinator.language = "ar"
    coordinator.save()
    alerts.staffing_digests_send(now=days_before(5))
    (message,) = mail.outbox
    with translation.override("ar"):
        day_ar = formats.date_format(EVENT_DAY, "l j F Y")
    with translation.override("en"):
        day_en = formats.date_format(EVENT_DAY, "l j F Y")
    assert day_ar in message.body
    assert day_en not in message.body
    assert SEPARATOR not in message.body


def test_without_a_chosen_language_the_digest_is_in_dutch_and_english(shift, coordinator):
    coordinator.language = ""
    coordinator.save()
    alerts.staffing_digests_send(now=days_before(5))
    (message,) = mail.outbox
    dutch, english = message.body.split(SEPARATOR)
    with translation.override("nl"):
        assert formats.date_format(EVENT_DAY, "l j F Y") in dutch
    with translation.override("en"):
        assert formats.date_format(EVENT_DAY, "l j F Y") in english


def test_one_digest_covers_every_branch_the_coordinator_runs_in_few_queries(
    shift,
    coordinator,
    other_site,
    other_branch,
    django_user_model,
    branch,
    event,
    django_assert_max_num_queries,
):
    other_branch.coordinators.add(coordinator)
    for number in range(4):
        location = Location.objects.create(
            name=f"Plein {number}", branch=branch, city="Utrecht", latitude=52, longitude=5
        )
        site = Site.objects.create(
            event=event,
            location=location,
            branch=branch,
            opens_at=on_event_day(11),
            closes_at=on_event_day(16),
            status=Site.Status.PUBLISHED,
            languages_needed=["ar"],
        )
        Shift.objects.create(
            site=site,
            role=Shift.Role.COFFEE,
            starts_at=on_event_day(11),
            ends_at=on_event_day(13),
            capacity=2,
        )
    for number in range(3):
        branch.coordinators.add(make_user(django_user_model, f"c{number}@example.org"))
    # The edition, its sites, their open shifts, the languages spoken (two), the
    # coordinators, the branches they run, the mails sent before: whatever the number of
    # sites and coordinators.
    with django_assert_max_num_queries(8):
        messages = alerts.digests_due(days_before(5))
    assert len(messages) == 4
    (_key, mine), *_ = [(k, m) for k, m in messages if m.to == [coordinator.email]]
    assert "azc Zwolle" in mine.body and "Plein 3" in mine.body


# --- On the day: a shift started with open places --------------------------------------


@pytest.mark.parametrize(
    ("moment", "sent"),
    [
        (on_event_day(10, 59), False),
        (on_event_day(11), True),
        (on_event_day(13, 29), True),
        (on_event_day(13, 30), False),
    ],
)
def test_the_alert_is_sent_from_the_start_until_the_end(shift, coordinator, moment, sent):
    fill(shift, 2)
    assert alerts.shift_alerts_send(now=moment) == int(sent)


def test_the_alert_names_the_shift_and_its_open_places(shift, coordinator, settings):
    fill(shift, 1)
    alerts.shift_alerts_send(now=on_event_day(11, 5))
    (message,) = mail.outbox
    assert "azc Utrecht" in message.subject
    assert "2 open places" in message.subject
    assert "1 of 3" in message.body
    assert settings.SITE_URL + reverse("events:roster", args=[shift.site_id]) in message.body
    assert settings.SITE_URL + alerts.PROFILE_PATH in message.body


def test_the_alert_is_sent_once_per_shift_and_coordinator(
    shift, coordinator, django_user_model, branch
):
    second = make_user(django_user_model, "second@example.org")
    branch.coordinators.add(second)
    with time_machine.travel(on_event_day(11, 1), tick=False):
        send_shift_alerts.enqueue()
    with time_machine.travel(on_event_day(12), tick=False):
        send_shift_alerts.enqueue()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "coordinator@example.org",
        "second@example.org",
    ]
    assert set(SentMail.objects.values_list("key", flat=True)) == {
        f"staffing-alert:shift:{shift.pk}:{coordinator.pk}",
        f"staffing-alert:shift:{shift.pk}:{second.pk}",
    }


def test_no_alert_for_a_full_shift(shift, coordinator):
    fill(shift)
    assert alerts.shift_alerts_send(now=on_event_day(11, 5)) == 0


def test_no_alert_for_a_cancelled_shift_or_site(shift, coordinator):
    Shift.objects.filter(pk=shift.pk).update(is_cancelled=True)
    assert alerts.shift_alerts_send(now=on_event_day(11, 5)) == 0
    Shift.objects.filter(pk=shift.pk).update(is_cancelled=False)
    Site.objects.filter(pk=shift.site_id).update(status=Site.Status.CANCELLED)
    assert alerts.shift_alerts_send(now=on_event_day(11, 5)) == 0


def test_no_alert_for_a_coordinator_who_switched_them_off(shift, coordinator):
    coordinator.staffing_alerts = False
    coordinator.save()
    assert alerts.shift_alerts_send(now=on_event_day(11, 5)) == 0


def test_the_alert_goes_to_the_sites_own_branch_only(
    shift, coordinator, other_site, other_coordinator
):
    fill(shift)
    assert alerts.shift_alerts_send(now=on_event_day(11, 5)) == 1
    assert [message.to for message in mail.outbox] == [[other_coordinator.email]]


# --- Switching them off ------------------------------------------------------------------


def test_a_coordinator_switches_the_alerts_off_on_their_profile(coordinator_client, coordinator):
    page = coordinator_client.get(reverse("volunteers:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="staffing_alerts"' in page.content.decode()
    response = coordinator_client.post(
        reverse("volunteers:profile"),
        {"first_name": "Karim", "last_name": "", "phone": "", "language": "en"},
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.staffing_alerts is False
    coordinator_client.post(
        reverse("volunteers:profile"),
        {"first_name": "Karim", "phone": "", "language": "en", "staffing_alerts": "on"},
    )
    coordinator.refresh_from_db()
    assert coordinator.staffing_alerts is True


def test_a_volunteer_neither_sees_nor_changes_the_choice(volunteer_client, volunteer):
    page = volunteer_client.get(reverse("volunteers:profile"))
    assert 'name="staffing_alerts"' not in page.content.decode()
    volunteer_client.post(
        reverse("volunteers:profile"),
        {"first_name": "Vera", "phone": "", "language": "en", "staffing_alerts": ""},
    )
    volunteer.refresh_from_db()
    assert volunteer.staffing_alerts is True
