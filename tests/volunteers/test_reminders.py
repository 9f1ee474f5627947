"""`send_reminders`: days before and on the morning, never twice, also with two runs at once."""

import io
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import on_event_day
from tests.factories import make_signup, make_volunteer, make_volunteers
from volunteers import reminders
from volunteers.models import ReminderSent

pytestmark = pytest.mark.django_db


def at(days, hour, minute=0):
    """A time `days` before (negative) or after the day of the shift, Europe/Amsterdam."""
    return on_event_day(hour, minute, days=days)


@pytest.fixture
def confirmed(shift):
    """A confirmed volunteer on the shift on EVENT_DAY, 11:00–13:30."""
    person = make_volunteer("noor@example.org", first_name="Noor")
    return make_signup(shift=shift, volunteer=person, status="confirmed")


def kinds_sent(signup) -> list[str]:
    return sorted(signup.reminders.values_list("kind", flat=True))


def test_two_days_before_then_on_the_morning(confirmed):
    assert reminders.reminders_send(now=at(-2, 10, 59)).sent == 0
    run = reminders.reminders_send(now=at(-2, 11, 5))
    assert run.sent == 1
    assert kinds_sent(confirmed) == ["days_before"]
    assert mail.outbox[-1].to == ["noor@example.org"]
    assert mail.outbox[-1].subject == "Herinnering: ontvangst bij azc Utrecht"
    assert "Beste Noor" in mail.outbox[-1].body and "Dear Noor" in mail.outbox[-1].body

    # Every few minutes from cron: nothing new until the morning.
    for moment in (at(-2, 11, 15), at(-1, 20), at(0, 6, 55)):
        assert reminders.reminders_send(now=moment).sent == 0
    assert reminders.reminders_send(now=at(0, 7, 2)).sent == 1
    assert mail.outbox[-1].subject == "Vandaag: ontvangst bij azc Utrecht"
    assert kinds_sent(confirmed) == ["days_before", "morning"]
    assert reminders.reminders_send(now=at(0, 10)).sent == 0
    assert len(mail.outbox) == 2


def test_signing_up_on_the_morning_itself_gives_only_the_morning_reminder(confirmed):
    assert reminders.reminders_send(now=at(0, 9)).sent == 1
    assert kinds_sent(confirmed) == ["morning"]


def test_the_times_are_configurable(confirmed, settings):
    settings.REMINDER_DAYS_BEFORE = 0
    settings.REMINDER_MORNING_HOUR = 9
    assert reminders.reminders_send(now=at(-2, 12)).sent == 0
    assert reminders.reminders_send(now=at(0, 8, 30)).sent == 0
    assert reminders.reminders_send(now=at(0, 9)).sent == 1
    settings.REMINDER_MORNING_HOUR = None
    settings.REMINDER_DAYS_BEFORE = 1
    confirmed.reminders.all().delete()
    assert reminders.reminders_send(now=at(-1, 12)).sent == 1
    assert kinds_sent(confirmed) == ["days_before"]


def test_no_reminders_for_released_cancelled_or_waitlisted(shift, site):
    released, waiting = make_volunteers(2)
    make_signup(shift=shift, volunteer=released, status="cancelled")
    make_signup(shift=shift, volunteer=waiting, status="waitlisted")
    assert reminders.reminders_send(now=at(0, 8)).sent == 0
    holder = make_volunteer()
    make_signup(shift=shift, volunteer=holder, status="confirmed")
    shift.is_cancelled = True
    shift.save()
    assert reminders.reminders_send(now=at(0, 8)).sent == 0


def test_a_failed_mail_is_tried_again_next_run(confirmed, monkeypatch):
    def broken(signup, kind):
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "mail_reminder", broken)
    assert reminders.reminders_send(now=at(0, 8)).failed == 1
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert reminders.reminders_send(now=at(0, 8, 5)).sent == 1


def test_the_command(confirmed, monkeypatch):
    monkeypatch.setattr(reminders.timezone, "now", lambda: at(0, 8))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "sent 1" in out.getvalue()
    monkeypatch.setattr(reminders, "mail_reminder", lambda s, k: 1 / 0)
    ReminderSent.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("send_reminders", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(shift, monkeypatch):
    people = make_volunteers(12)
    for person in people:
        make_signup(shift=shift, volunteer=person, status="confirmed")
    both_selected = threading.Barrier(2)
    real_due = reminders.reminders_due

    def due_then_wait(now):
        found = real_due(now)
        # Both runs have their list before either records anything: the worst case.
        both_selected.wait(timeout=60)
        return found

    monkeypatch.setattr(reminders, "reminders_due", due_then_wait)
    runs = []

    def run():
        try:
            runs.append(reminders.reminders_send(now=at(0, 8)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(runs) == 2
    assert sum(r.sent for r in runs) == 12
    assert sum(r.already_sent for r in runs) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)
    assert ReminderSent.objects.count() == 12
