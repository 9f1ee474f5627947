"""A coordinator asks their branch's volunteers for help at a site short of people."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Volunteer
from events.models import Signup, Site
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, place, upcoming_edition
from tests.factories import make_signup
from volunteers.appeals import (
    AppealNotPossible,
    AppealTooSoon,
    NoVolunteersToAsk,
    SiteFullyStaffed,
    appeal_recipients,
    staffing_appeal_send,
)
from volunteers.models import StaffingAppeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_site(branch):
    return draft_site(upcoming_edition(), place(), branch, shifts=2, status=Site.Status.PUBLISHED)


def _volunteer(django_user_model, email, branch, **user_fields):
    user = make_user(django_user_model, email, **user_fields)
    return Volunteer.objects.create(user=user, home_branch=branch)


@pytest.fixture
def branch_volunteers(django_user_model, branch, other_branch, short_site):
    ask = _volunteer(django_user_model, "ask@example.org", branch, first_name="Sara")
    helping = _volunteer(django_user_model, "helping@example.org", branch)
    make_signup(shift=short_site.shifts.first(), volunteer=helping, status=Signup.Status.CONFIRMED)
    _volunteer(django_user_model, "elsewhere@example.org", other_branch)
    unverified = _volunteer(django_user_model, "unverified@example.org", branch)
    EmailAddress.objects.filter(user=unverified.user).update(verified=False)
    _volunteer(django_user_model, "gone@example.org", branch, is_active=False)
    anonymised = _volunteer(django_user_model, "anon@example.org", branch)
    anonymised.anonymised_at = timezone.now()
    anonymised.save()
    return ask


def test_the_appeal_goes_to_each_branch_volunteer_who_could_still_help(
    short_site, coordinator, branch_volunteers, mailoutbox, django_capture_on_commit_callbacks
):
    assert list(appeal_recipients(short_site)) == [branch_volunteers]
    with django_capture_on_commit_callbacks(execute=True):
        appeal = staffing_appeal_send(
            site=short_site, by=coordinator, message="Wie komt er koffie schenken?"
        )
    assert (appeal.recipients, appeal.sent_by, appeal.message) == (
        1,
        coordinator,
        "Wie komt er koffie schenken?",
    )
    (mail,) = mailoutbox
    assert mail.to == ["ask@example.org"]
    assert mail.reply_to == [coordinator.email]
    assert mail.subject.startswith("Hulp gezocht: azc Zeist op ")
    assert mail.body.startswith("Beste Sara,")
    assert "Er zijn nog 3 plaatsen open:" in mail.body
    assert "Wie komt er koffie schenken?" in mail.body
    assert f"/sites/{short_site.pk}/" in mail.body


def test_appeals_for_one_site_are_spaced_out(short_site, coordinator, branch_volunteers):
    staffing_appeal_send(site=short_site, by=coordinator)
    with pytest.raises(AppealTooSoon) as caught:
        staffing_appeal_send(site=short_site, by=coordinator)
    assert "je kunt het opnieuw vragen vanaf" in caught.value.detail
    assert StaffingAppeal.objects.count() == 1
    StaffingAppeal.objects.update(sent_at=timezone.now() - datetime.timedelta(hours=13))
    staffing_appeal_send(site=short_site, by=coordinator)
    assert StaffingAppeal.objects.count() == 2


def test_no_appeal_for_a_draft_a_full_site_or_without_anyone_to_ask(
    branch, coordinator, django_user_model, mailoutbox
):
    edition = upcoming_edition()
    draft = draft_site(edition, place(), branch)
    with pytest.raises(AppealNotPossible):
        staffing_appeal_send(site=draft, by=coordinator)

    full = draft_site(edition, place("Neude"), branch, status=Site.Status.PUBLISHED)
    shift = full.shifts.get()
    for number in range(shift.capacity):
        helper = _volunteer(django_user_model, f"h{number}@example.org", branch)
        make_signup(shift=shift, volunteer=helper, status=Signup.Status.CONFIRMED)
    with pytest.raises(SiteFullyStaffed):
        staffing_appeal_send(site=full, by=coordinator)

    lonely = draft_site(edition, place("Dom"), branch, status=Site.Status.PUBLISHED)
    Volunteer.objects.update(home_branch=None)
    with pytest.raises(NoVolunteersToAsk) as caught:
        staffing_appeal_send(site=lonely, by=coordinator)
    assert "Afdeling Utrecht" in caught.value.detail
    assert not StaffingAppeal.objects.exists()
    assert mailoutbox == []


def test_no_appeal_when_the_claiming_rule_would_refuse_every_open_shift(
    branch, coordinator, django_user_model
):
    """The appeal follows the claiming service: if volunteers could not claim a place now
    (here: the edition is not published yet), nobody is asked."""
    site = draft_site(
        upcoming_edition(published=False), place(), branch, status=Site.Status.PUBLISHED
    )
    _volunteer(django_user_model, "ask@example.org", branch)
    with pytest.raises(AppealNotPossible) as caught:
        staffing_appeal_send(site=site, by=coordinator)
    assert "gepubliceerde editie" in caught.value.detail
    assert not StaffingAppeal.objects.exists()


def test_appeal_still_possible_after_site_registration_closed(
    branch, coordinator, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    """The registration window is for branches; volunteers can claim, so they can be asked."""
    site = draft_site(
        upcoming_edition(window="closed"), place(), branch, status=Site.Status.PUBLISHED
    )
    _volunteer(django_user_model, "ask@example.org", branch)
    with django_capture_on_commit_callbacks(execute=True):
        staffing_appeal_send(site=site, by=coordinator)
    assert StaffingAppeal.objects.filter(site=site).count() == 1
    assert [message.to for message in mailoutbox] == [["ask@example.org"]]


def test_the_appeal_page_of_a_cancelled_site_says_so_and_offers_no_form(
    coordinator_client, coordinator, short_site, branch_volunteers
):
    from django.urls import reverse

    from events.services import site_cancel

    site_cancel(site=short_site, by=coordinator, comment="Verbouwing")
    page = coordinator_client.get(reverse("volunteers:site_appeal", args=[short_site.pk]))
    html = page.content.decode()
    assert "Deze locatie is geannuleerd: er valt geen hulp voor te vragen." in html
    assert "Alle plaatsen op deze locatie zijn bezet" not in html
    assert "<form" not in html.split("<main")[-1].split("</main>")[0]
