"""Importing branches and coordinators (accounts/coordinator_invites.py): the dry run
changes nothing, the real run is all or nothing, a second run changes nothing, and each new
coordinator is invited once, also when the mail task is retried."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import coordinator_invites
from accounts.coordinator_invites import (
    BranchImportConflict,
    branch_import,
    coordinator_invites_send,
    invite_key,
)
from accounts.mail import SEPARATOR
from accounts.models import SentMail, User
from locations.models import Branch
from tests.branch_files import HEADER, csv_bytes, many_branches, xlsx_bytes

pytestmark = pytest.mark.django_db

FILE = csv_bytes(
    [
        HEADER,
        ["Afdeling Assen", "Assen", "Drenthe", "anna@example.org"],
        ["Afdeling Leeuwarden", "Leeuwarden", "Fryslân", "piet@example.org; Sara@example.org"],
        ["afdeling utrecht", "", "Utrecht", "coordinator@example.org, nieuw@example.org"],
    ]
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def invitations_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body).group(0)


def state() -> tuple:
    return (
        sorted(Branch.objects.values_list("name", "town", "province")),
        sorted(User.objects.values_list("email", flat=True)),
        sorted(Branch.coordinators.through.objects.values_list("branch__name", "user__email")),
    )


def test_a_dry_run_reports_what_would_happen_and_changes_nothing(coordinator):
    before = state()
    report = branch_import(data=FILE, dry_run=True)
    assert state() == before and mail.outbox == []
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    # anna, piet, sara and nieuw are new; the coordinator already coordinates Utrecht.
    assert (report.new_accounts, report.new_coordinators, report.invitations) == (4, 4, 4)
    assert not report.written


def test_the_import_creates_branches_and_accounts_and_invites_new_coordinators(
    coordinator, branch, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=FILE)
    assert report.written and report.problems == []
    assembled = Branch.objects.get(name="Afdeling Leeuwarden")
    assert (assembled.town, assembled.province, assembled.slug) == (
        "Leeuwarden",
        "FR",
        "afdeling-leeuwarden",
    )
    # The existing branch, matched whatever the case: its empty town cell leaves the town.
    branch.refresh_from_db()
    assert (branch.name, branch.town, branch.province) == ("Afdeling Utrecht", "Utrecht", "UT")
    assert sorted(branch.coordinators.values_list("email", flat=True)) == [
        "coordinator@example.org",
        "nieuw@example.org",
    ]
    sara = User.objects.get(email="sara@example.org")
    assert not sara.has_usable_password() and sara.last_login is None
    assert EmailAddress.objects.get(user=sara).verified
    # One invitation per new coordinator; the existing account is not mailed.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "nieuw@example.org",
        "piet@example.org",
        "sara@example.org",
    ]
    invitation = invitations_to("sara@example.org")[0]
    assert "Afdeling Leeuwarden" in invitation.subject
    # No language chosen: Dutch with English below it.
    assert SEPARATOR in invitation.body
    assert SentMail.objects.filter(key=invite_key(sara.pk, assembled.pk)).exists()

    # The link lets her choose a password and log in.
    form_url = client.get(link_in(invitation))["Location"]
    response = client.post(
        form_url, {"password1": "nieuw-wachtwoord-77", "password2": "nieuw-wachtwoord-77"}
    )
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert client.login(email="sara@example.org", password="nieuw-wachtwoord-77")


def test_running_the_import_again_changes_nothing_and_invites_nobody_again(
    coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        branch_import(data=FILE)
    after_first, mails = state(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = branch_import(data=FILE)
    assert state() == after_first
    assert len(mail.outbox) == mails and callbacks == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (report.new_accounts, report.new_coordinators, report.invitations) == (0, 0, 0)


def test_a_file_with_a_bad_row_imports_nothing_unless_good_rows_are_asked_for(
    django_capture_on_commit_callbacks,
):
    data = csv_bytes(
        [
            HEADER,
            ["Afdeling Assen", "Assen", "Drenthe", "anna@example.org"],
            ["Afdeling Gent", "Gent", "Oost-Vlaanderen", "g@example.org"],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data)
    assert not report.written and report.bad_rows == {3}
    assert not Branch.objects.exists() and not User.objects.exists() and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data, skip_bad_rows=True)
    assert report.written and report.bad_rows == {3}
    assert list(Branch.objects.values_list("name", flat=True)) == ["Afdeling Assen"]
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_a_failure_half_way_leaves_nothing_behind_and_mails_nobody(
    monkeypatch, django_capture_on_commit_callbacks
):
    made = []
    unique_slug = coordinator_invites._unique_slug

    def fail_on_the_third(name, taken):
        made.append(name)
        if len(made) == 3:
            raise IntegrityError("a branch of that name was made at the same moment")
        return unique_slug(name, taken)

    monkeypatch.setattr(coordinator_invites, "_unique_slug", fail_on_the_third)
    data = csv_bytes(many_branches(5))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BranchImportConflict):
        branch_import(data=data)
    assert len(made) == 3  # two branches and their coordinators were written, then undone
    assert not Branch.objects.exists() and not User.objects.exists() and mail.outbox == []


def test_an_existing_account_becomes_coordinator_without_an_invitation(
    volunteer, django_capture_on_commit_callbacks
):
    data = csv_bytes([HEADER, ["Afdeling Ede", "Ede", "Gelderland", "VOLUNTEER@example.org"]])
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data)
    assert (report.new_accounts, report.new_coordinators, report.invitations) == (0, 1, 0)
    assert list(volunteer.coordinated_branches.values_list("name", flat=True)) == ["Afdeling Ede"]
    assert mail.outbox == []


def test_an_invited_person_in_their_own_language_and_a_closed_account(
    django_user_model, django_capture_on_commit_callbacks
):
    # A helper without a log-in who chose English: invited, in English only.
    helper = django_user_model.objects.create_user(email="helper@example.org", language="en")
    helper.set_unusable_password()
    helper.save()
    django_user_model.objects.create_user(email="closed@example.org", is_active=False)
    data = csv_bytes(
        [
            HEADER,
            ["Afdeling Ede", "Ede", "Gelderland", "helper@example.org"],
            ["Afdeling Epe", "Epe", "Gelderland", "closed@example.org"],
        ]
    )
    report = branch_import(data=data, dry_run=True)
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "The account of closed@example.org is closed.")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data, skip_bad_rows=True)
    assert report.invitations == 1
    (invitation,) = mail.outbox
    assert invitation.to == ["helper@example.org"]
    assert SEPARATOR not in invitation.body
    assert invitation.subject == "You are a coordinator of Afdeling Ede: set your password"


def test_a_retried_invitation_task_invites_each_person_once(
    coordinator, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASK_ATTEMPTS = 3
    deliver = EmailBackend.send_messages
    refused = []

    def refuse_piet_once(self, messages):
        if not refused and any(m.to == ["piet@example.org"] for m in messages):
            refused.append(True)
            raise ConnectionResetError("connection dropped")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_piet_once)
    with django_capture_on_commit_callbacks(execute=True):
        branch_import(data=FILE)
    assert refused
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "nieuw@example.org",
        "piet@example.org",
        "sara@example.org",
    ]
    # The task run once more (a worker that crashed after sending): nobody is mailed again.
    pairs = [
        [user.pk, branch.pk]
        for branch in Branch.objects.all()
        for user in branch.coordinators.all()
    ]
    coordinator_invites_send.enqueue(pairs)
    assert len(mail.outbox) == 4


def test_nobody_is_invited_who_logged_in_meanwhile_or_is_no_longer_coordinator(
    coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        branch_import(data=FILE)
    from common import clock

    User.objects.filter(email="anna@example.org").update(last_login=clock.now())
    Branch.objects.get(name="Afdeling Leeuwarden").coordinators.clear()
    for callback in callbacks:
        callback()
    assert [m.to[0] for m in mail.outbox] == ["nieuw@example.org"]


def test_200_branches_with_5_bad_rows(django_capture_on_commit_callbacks):
    bad = (9, 49, 99, 149, 199)
    data = xlsx_bytes(many_branches(200, bad=bad))
    report = branch_import(data=data, dry_run=True)
    assert sorted(report.bad_rows) == [p + 2 for p in bad]
    assert report.created == 195 and not Branch.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data)
    assert not report.written and not Branch.objects.exists() and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data, skip_bad_rows=True)
    assert report.written and Branch.objects.count() == 195
    invited = {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == report.invitations == report.new_accounts == len(invited)
    assert "coordinator0002@example.org" in invited and "tweede0003@example.org" in invited
    assert not any("0010@" in address for address in invited)  # row 11 was bad


def test_the_command_checks_and_imports(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "afdelingen.csv"
    path.write_bytes(FILE)
    out = StringIO()
    call_command("import_branches", str(path), "--dry-run", stdout=out)
    assert "Dry run: nothing was written." in out.getvalue() and not Branch.objects.exists()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_branches", str(path), stdout=out)
    assert "Branches: 3 were created" in out.getvalue()
    assert Branch.objects.count() == 3 and len(mail.outbox) == 5

    path.write_bytes(csv_bytes([HEADER, ["", "Ede", "Gelderland", ""]]))
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_branches", str(path), stdout=StringIO(), stderr=err)
    assert "row 2, Name: The branch has no name." in err.getvalue()
    assert "nothing was imported" in err.getvalue()


# --- An address someone registered and never verified ---------------------------------------


def log_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_an_unverified_account_is_invited_and_its_link_verifies_the_address(
    django_user_model, client, django_capture_on_commit_callbacks
):
    # Someone registered jan@afdeling.nl with a password of their own and never confirmed it.
    registered = django_user_model.objects.create_user(
        email="jan@afdeling.nl", password="iemand-anders-1"
    )
    EmailAddress.objects.create(
        user=registered, email="jan@afdeling.nl", primary=True, verified=False
    )
    data = csv_bytes([HEADER, ["Afdeling Ede", "Ede", "Gelderland", "Jan@Afdeling.nl"]])
    assert branch_import(data=data, dry_run=True).invitations == 1
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data)
    assert (report.new_accounts, report.new_coordinators, report.invitations) == (0, 1, 1)
    assert list(registered.coordinated_branches.values_list("name", flat=True)) == ["Afdeling Ede"]
    (invitation,) = invitations_to("jan@afdeling.nl")

    # Whoever registered it cannot log in with their password: the address is not verified.
    refused = log_in(client, "jan@afdeling.nl", "iemand-anders-1")
    assert refused["Location"] != "/my/shifts/"

    # The real Jan chooses his password with the invitation's link and gets in.
    form_url = client.get(link_in(invitation))["Location"]
    client.post(form_url, {"password1": "jans-wachtwoord-77", "password2": "jans-wachtwoord-77"})
    assert EmailAddress.objects.get(user=registered).verified
    assert log_in(Client(), "jan@afdeling.nl", "iemand-anders-1").status_code == 200  # wrong now
    assert log_in(client, "jan@afdeling.nl", "jans-wachtwoord-77")["Location"] == "/my/shifts/"

    # Imported again: he is verified and already coordinator, nobody is mailed again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data)
    assert report.invitations == 0 and mail.outbox == []


def test_an_unverified_account_added_to_a_second_branch_is_invited_again(
    django_user_model, django_capture_on_commit_callbacks
):
    registered = django_user_model.objects.create_user(email="jan@afdeling.nl", password="x-1-y-2")
    data = csv_bytes(
        [
            HEADER,
            ["Afdeling Ede", "Ede", "Gelderland", "jan@afdeling.nl"],
            ["Afdeling Epe", "Epe", "Gelderland", "JAN@afdeling.nl"],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = branch_import(data=data)
    assert report.invitations == 2
    subjects = sorted(m.subject for m in invitations_to("jan@afdeling.nl"))
    assert len(subjects) == 2
    assert "Afdeling Ede" in subjects[0] and "Afdeling Epe" in subjects[1]
    assert registered.coordinated_branches.count() == 2


def test_a_password_reset_leaves_an_account_with_another_address_unverified(
    django_user_model, client
):
    user = django_user_model.objects.create_user(email="jan@afdeling.nl", password="x-1-y-2")
    EmailAddress.objects.create(user=user, email="jan@afdeling.nl", primary=True, verified=False)
    EmailAddress.objects.create(user=user, email="jan@elders.nl", verified=False)
    url = coordinator_invites.invitation_url(user)
    form_url = client.get(url)["Location"]
    client.post(form_url, {"password1": "jans-wachtwoord-77", "password2": "jans-wachtwoord-77"})
    user.refresh_from_db()
    assert user.check_password("jans-wachtwoord-77")
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()
