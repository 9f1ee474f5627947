"""Volunteers' personal data is anonymised N months after their last shift (cron command)."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Volunteer
from events.models import Shift, Signup
from tests.conftest import aware, make_user
from tests.factories import make_signup
from volunteers.retention import months_before, volunteers_anonymise_inactive

NOW = timezone.now()


def ago(months: int) -> datetime.datetime:
    return months_before(NOW, months)


def person(django_user_model, email, *, last_shift_end=None, site=None, joined=None, **fields):
    user = make_user(django_user_model, email, first_name="Naam", **fields)
    user.date_joined = joined or ago(60)
    user.save(update_fields=["date_joined"])
    volunteer = Volunteer.objects.create(user=user, phone="0611111111", languages=["nl"])
    if last_shift_end is not None:
        shift = Shift.objects.create(
            site=site,
            role=Shift.Role.RECEPTION,
            starts_at=last_shift_end - datetime.timedelta(hours=2),
            ends_at=last_shift_end,
            capacity=5,
        )
        make_signup(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)
    return volunteer


@pytest.fixture
def people(django_user_model, site, branch):
    old, recent = ago(28), ago(19)
    people = {
        "gone": person(django_user_model, "gone@example.org", last_shift_end=old, site=site),
        "recent": person(django_user_model, "recent@example.org", last_shift_end=recent, site=site),
        "never": person(django_user_model, "never@example.org"),
        "new": person(django_user_model, "new@example.org", joined=ago(2)),
        "logged_in": person(
            django_user_model,
            "back@example.org",
            last_shift_end=old,
            site=site,
            last_login=ago(3),
        ),
        "coordinator": person(
            django_user_model, "coord@example.org", last_shift_end=old, site=site
        ),
        "organiser": person(
            django_user_model, "org@example.org", last_shift_end=old, site=site, is_organiser=True
        ),
    }
    branch.coordinators.add(people["coordinator"].user)
    return people


def anonymised(volunteer) -> bool:
    volunteer.refresh_from_db()
    volunteer.user.refresh_from_db()
    return volunteer.anonymised_at is not None


def test_months_before_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert months_before(aware(2030, 1, 15, 3), 24) == aware(2028, 1, 15, 3)
    assert months_before(aware(2030, 3, 31), 1) == aware(2030, 2, 28)
    assert months_before(aware(2028, 3, 31), 1) == aware(2028, 2, 29)
    assert months_before(aware(2030, 1, 10), 13) == aware(2028, 12, 10)


def test_only_volunteers_inactive_for_the_period_are_anonymised(people, settings):
    settings.VOLUNTEER_RETENTION_MONTHS = 24
    run = volunteers_anonymise_inactive(now=NOW)
    assert run.anonymised == 2
    assert {name for name, v in people.items() if anonymised(v)} == {"gone", "never"}
    gone = people["gone"]
    assert gone.phone == "" and gone.languages == []
    assert gone.user.email == f"deleted-{gone.user.pk}@anonymised.invalid"
    assert gone.user.first_name == "" and not gone.user.is_active
    # The past shift keeps its count: the sign-up stays, anonymous.
    assert Signup.objects.filter(volunteer=gone, status=Signup.Status.CONFIRMED).count() == 1
    assert people["coordinator"].user.email == "coord@example.org"


def test_a_shorter_period_takes_more(people):
    run = volunteers_anonymise_inactive(months=18, now=NOW)
    assert run.anonymised == 3
    assert anonymised(people["recent"])


def test_a_second_run_changes_nothing(people):
    volunteers_anonymise_inactive(months=24, now=NOW)
    gone = people["gone"]
    gone.refresh_from_db()
    first_time = gone.anonymised_at
    again = volunteers_anonymise_inactive(months=24, now=NOW)
    assert (again.anonymised, again.skipped) == (0, 0)
    gone.refresh_from_db()
    assert gone.anonymised_at == first_time


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_anonymise_each_volunteer_once(django_user_model, site):
    for number in range(12):
        person(
            django_user_model,
            f"old{number}@example.org",
            last_shift_end=ago(30),
            site=site,
        )
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(volunteers_anonymise_inactive(months=24, now=NOW))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.anonymised for r in results) == 12
    assert Volunteer.objects.filter(anonymised_at__isnull=False).count() == 12


def test_the_command_reports_and_has_a_dry_run(people, settings):
    settings.VOLUNTEER_RETENTION_MONTHS = 24
    out = StringIO()
    call_command("anonymise_inactive_volunteers", "--dry-run", stdout=out)
    assert out.getvalue().startswith("would anonymise 2 volunteers")
    assert not anonymised(people["gone"])
    out = StringIO()
    call_command("anonymise_inactive_volunteers", stdout=out)
    assert out.getvalue().startswith("anonymised 2 volunteers")
    assert anonymised(people["gone"])


def test_the_command_refuses_a_period_under_a_month(people):
    with pytest.raises(CommandError, match="at least one month"):
        call_command("anonymise_inactive_volunteers", "--months", "0")
    assert not anonymised(people["gone"])
