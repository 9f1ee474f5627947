"""A helper's name, phone, e-mail address and personal link are erased
HELPER_RETENTION_DAYS after their last shift; their sign-ups stay, anonymous."""

import csv
import datetime
import io
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from accounts.models import Volunteer
from common import clock
from events.models import Shift, Signup
from tests.factories import make_signup, make_volunteer
from volunteers.helpers import helper_by_link
from volunteers.retention import helpers_erase_after_shifts

from .conftest import add_helper


def ended_days_ago(site, days: float) -> Shift:
    end = clock.now() - datetime.timedelta(days=days)
    return Shift.objects.create(
        site=site,
        role=Shift.Role.RECEPTION,
        starts_at=end - datetime.timedelta(hours=2),
        ends_at=end,
        capacity=5,
    )


def helper_with_shift_ended(site, shift, coordinator, days: float, name: str) -> Volunteer:
    """A helper (made for `shift`, then given a past shift in its place)."""
    helper = add_helper(shift, coordinator, name=name, phone="0611111111").volunteer
    Signup.objects.filter(volunteer=helper).delete()
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=0)
    make_signup(ended_days_ago(site, days), helper)
    return helper


@pytest.fixture
def people(site, shift, coordinator):
    old = helper_with_shift_ended(site, shift, coordinator, 31, "Old")
    recent = helper_with_shift_ended(site, shift, coordinator, 29, "Recent")
    coming = add_helper(shift, coordinator, name="Coming").volunteer
    make_signup(ended_days_ago(site, 40), coming)  # an old shift, and one still to come
    account = make_volunteer("vera@example.org", first_name="Vera")
    make_signup(ended_days_ago(site, 31), account)
    return {"old": old, "recent": recent, "coming": coming, "account": account}


def test_helpers_are_erased_30_days_after_their_last_shift(people):
    token = people["old"].link_token
    run = helpers_erase_after_shifts()
    assert run.erased == 1 and run.skipped == 0
    old = Volunteer.objects.select_related("user").get(pk=people["old"].pk)
    assert old.user.first_name == "" and old.phone == "" and old.link_token is None
    assert old.anonymised_at is not None and not old.user.is_active
    assert old.user.email.endswith("@anonymised.invalid")
    # The sign-up stays, anonymous: past editions keep their numbers.
    assert Signup.objects.filter(volunteer=old, status=Signup.Status.CONFIRMED).count() == 1
    assert helper_by_link(token) is None
    for name in ("recent", "coming", "account"):
        kept = Volunteer.objects.select_related("user").get(pk=people[name].pk)
        assert kept.anonymised_at is None and kept.user.first_name, name


def test_the_erased_helpers_link_answers_404(client, people):
    token = people["old"].link_token
    helpers_erase_after_shifts()
    assert client.get(f"/me/{token}/").status_code == 404


def test_an_erased_helper_with_an_address_loses_it(site, shift, invitation):
    from volunteers.helpers import HelperDetails, helper_join, new_form_key

    joined = helper_join(
        invitation=invitation,
        shift=shift,
        details=HelperDetails(name="Selam", language="ti", email="selam@example.org"),
        form_key=new_form_key(),
    ).volunteer
    with override_settings(HELPER_RETENTION_DAYS=1):
        helpers_erase_after_shifts(now=shift.ends_at + datetime.timedelta(days=2))
    joined.user.refresh_from_db()
    assert "selam" not in joined.user.email and joined.user.first_name == ""


@override_settings(HELPER_RETENTION_DAYS=20)
def test_the_setting_decides(people):
    run = helpers_erase_after_shifts()
    assert run.erased == 2
    assert Volunteer.objects.get(pk=people["recent"].pk).anonymised_at is not None


def test_a_second_run_erases_nobody_twice(people):
    assert helpers_erase_after_shifts().erased == 1
    assert helpers_erase_after_shifts().erased == 0


def test_the_command_reports_and_dry_runs(people):
    out = StringIO()
    call_command("anonymise_inactive_volunteers", "--dry-run", stdout=out)
    assert "would erase 1 helpers" in out.getvalue()
    assert Volunteer.objects.get(pk=people["old"].pk).anonymised_at is None
    out = StringIO()
    call_command("anonymise_inactive_volunteers", stdout=out)
    assert "erased 1 helpers" in out.getvalue()
    assert Volunteer.objects.get(pk=people["old"].pk).anonymised_at is not None
    out = StringIO()
    call_command("anonymise_inactive_volunteers", "--helper-days", "10", stdout=out)
    assert "erased 1 helpers" in out.getvalue()  # the recent one
    with pytest.raises(CommandError):
        call_command("anonymise_inactive_volunteers", "--helper-days", "0")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_erase_each_helper_once(site, shift, coordinator):
    for number in range(6):
        helper_with_shift_ended(site, shift, coordinator, 31 + number, f"Old {number}")
    results = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(helpers_erase_after_shifts())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.erased for r in results) == 6
    assert Volunteer.objects.filter(link_token__isnull=False).count() == 0


def test_an_erased_helper_is_still_a_helper_without_a_log_in(coordinator_client, site, people):
    """Erasing takes the link, not what they were: rosters of past shifts keep marking
    them, and nothing takes them for an account."""
    from accounts.roles import may_claim_places
    from events.notifications import shifts_page_url

    helpers_erase_after_shifts()
    old = Volunteer.objects.select_related("user").get(pk=people["old"].pk)
    assert old.is_helper and not old.has_login and not old.helper_link_works
    assert not may_claim_places(old)
    assert "/me/" not in shifts_page_url(old)
    content = coordinator_client.get(f"/coordinate/sites/{site.pk}/roster.csv").content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    log_in = 11  # the column "Log-in" (attendance columns follow it)
    (row,) = [row for row in rows if f"deleted-{old.user.pk}@" in ",".join(row)]
    assert row[log_in] != ""  # "no log-in"
    (account_row,) = [row for row in rows if "vera@example.org" in row]
    assert account_row[log_in] == ""


def test_a_helper_who_made_an_account_has_a_log_in(people):
    from volunteers.helpers import helper_became_account

    recent = people["recent"]
    helper_became_account(None, user=recent.user)
    recent.refresh_from_db()
    assert recent.has_login and not recent.is_helper and recent.link_token is None


def test_a_wrong_period_is_refused_before_anyone_is_anonymised(site, people):
    dormant = make_volunteer("dormant@example.org", first_name="Dora")
    make_signup(ended_days_ago(site, 3 * 366), dormant)
    type(dormant.user).objects.filter(pk=dormant.user.pk).update(
        date_joined=clock.now() - datetime.timedelta(days=4 * 366)
    )
    with pytest.raises(CommandError):
        call_command("anonymise_inactive_volunteers", "--helper-days", "0")
    for pk in (dormant.pk, people["old"].pk):
        assert Volunteer.objects.get(pk=pk).anonymised_at is None
    # The same run with a right period does erase both.
    call_command("anonymise_inactive_volunteers", stdout=StringIO())
    for pk in (dormant.pk, people["old"].pk):
        assert Volunteer.objects.get(pk=pk).anonymised_at is not None
