"""A site's way through review: submit, approve, send back; history and mail to the branch."""

import pytest

from events.errors import CommentRequired, EditionClosed, SiteIncomplete, SiteWrongStatus
from events.models import Site, SiteStatusChange
from events.services.workflow import (
    site_missing,
    site_publish,
    site_send_back,
    site_submit,
    sites_publish_bulk,
    with_completeness,
)
from tests.events.editions_helpers import draft_site, past_edition, place, upcoming_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(db):
    return upcoming_edition()


@pytest.fixture
def draft(edition, branch, coordinator):
    return draft_site(edition, place(), branch)


def test_a_site_without_position_shifts_or_description_cannot_be_submitted(
    edition, branch, coordinator
):
    site = draft_site(edition, place(position=False), branch, shifts=0, public_description=" ")
    with pytest.raises(SiteIncomplete) as caught:
        site_submit(site=site, by=coordinator)
    assert [r.key for r in caught.value.missing] == ["position", "shifts", "description"]
    assert caught.value.detail == (
        "Deze locatie is nog niet compleet. Er ontbreekt: een positie op de kaart, "
        "minstens één dienst met plaatsen, een openbare beschrijving."
    )
    site.refresh_from_db()
    assert site.status == Site.Status.DRAFT
    assert not SiteStatusChange.objects.exists()


def test_shifts_without_places_or_cancelled_do_not_count(edition, branch, coordinator):
    site = draft_site(edition, place(), branch, shifts=2)
    first, second = site.shifts.all()
    first.capacity = 0
    first.save()
    second.is_cancelled = True
    second.save()
    assert [r.key for r in site_missing(site)] == ["shifts"]
    with pytest.raises(SiteIncomplete):
        site_submit(site=site, by=coordinator)


def test_submit_then_publish_records_who_and_when_and_mails_the_coordinators(
    draft, coordinator, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    site_submit(site=draft, by=coordinator)
    assert not Site.objects.published().exists()
    with django_capture_on_commit_callbacks(execute=True):
        site = site_publish(site=draft, by=organiser)
    assert site.status == Site.Status.PUBLISHED
    assert list(Site.objects.published()) == [draft]
    history = list(
        draft.status_changes.order_by("changed_at", "pk").values_list(
            "from_status", "to_status", "changed_by"
        )
    )
    assert history == [
        ("draft", "submitted", coordinator.pk),
        ("submitted", "published", organiser.pk),
    ]
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert mailoutbox[0].subject == f"Goedgekeurd: azc Zeist ({draft.event.name})"
    assert f"/sites/{draft.pk}/" in mailoutbox[0].body


def test_send_back_needs_a_comment_and_mails_it(
    draft, coordinator, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    site_submit(site=draft, by=coordinator)
    with pytest.raises(CommentRequired):
        site_send_back(site=draft, by=organiser, comment="  ")
    draft.refresh_from_db()
    assert draft.status == Site.Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        site = site_send_back(site=draft, by=organiser, comment="Graag de ingang beschrijven.")
    assert (site.status, site.review_comment) == (Site.Status.DRAFT, "Graag de ingang beschrijven.")
    last = draft.status_changes.order_by("-pk").first()
    assert (last.to_status, last.comment) == ("draft", "Graag de ingang beschrijven.")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Graag aanpassen: azc Zeist")
    assert "Graag de ingang beschrijven." in mailoutbox[0].body
    # Resubmitted and approved: the comment is cleared.
    site_submit(site=draft, by=coordinator)
    assert site_publish(site=draft, by=organiser).review_comment == ""


def test_only_a_submitted_site_can_be_approved_or_sent_back(draft, organiser):
    with pytest.raises(SiteWrongStatus) as caught:
        site_publish(site=draft, by=organiser)
    assert caught.value.detail == (
        "Alleen een ingediende locatie kan worden goedgekeurd; deze locatie is concept."
    )
    with pytest.raises(SiteWrongStatus):
        site_send_back(site=draft, by=organiser, comment="Nee")
    assert not SiteStatusChange.objects.exists()


def test_approving_twice_publishes_once(draft, coordinator, organiser):
    site_submit(site=draft, by=coordinator)
    site_publish(site=draft, by=organiser)
    with pytest.raises(SiteWrongStatus):
        site_publish(site=draft, by=organiser)
    assert draft.status_changes.filter(to_status="published").count() == 1


def test_a_site_of_a_closed_edition_cannot_be_approved(branch, organiser, mailoutbox):
    site = draft_site(past_edition(), place(), branch, status=Site.Status.SUBMITTED)
    with pytest.raises(EditionClosed) as caught:
        site_publish(site=site, by=organiser)
    assert "vond plaats op" in caught.value.detail
    site.refresh_from_db()
    assert site.status == Site.Status.SUBMITTED
    assert not SiteStatusChange.objects.exists()
    assert mailoutbox == []


def test_a_site_changed_after_submission_is_checked_again_when_approved(
    draft, coordinator, organiser
):
    site_submit(site=draft, by=coordinator)
    draft.shifts.update(is_cancelled=True)
    with pytest.raises(SiteIncomplete):
        site_publish(site=draft, by=organiser)


def test_bulk_approve_publishes_the_good_ones_and_reports_the_rest(
    edition, branch, organiser, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    good = draft_site(edition, place("azc Zeist"), branch, status=Site.Status.SUBMITTED)
    no_position = draft_site(
        edition, place("Neude", position=False), branch, status=Site.Status.SUBMITTED
    )
    still_draft = draft_site(edition, place("Dom"), branch)
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = sites_publish_bulk(sites=[good, no_position, still_draft], by=organiser)
    assert [(o.site.pk, o.published) for o in outcomes] == [
        (good.pk, True),
        (no_position.pk, False),
        (still_draft.pk, False),
    ]
    assert isinstance(outcomes[1].error, SiteIncomplete)
    assert isinstance(outcomes[2].error, SiteWrongStatus)
    assert list(Site.objects.published()) == [good]
    assert len(mailoutbox) == 1


def test_the_branch_address_is_used_when_it_has_no_coordinators(
    edition, other_branch, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    other_branch.email = "zwolle@example.org"
    other_branch.save()
    site = draft_site(edition, place(), other_branch, status=Site.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        site_publish(site=site, by=organiser)
    assert [m.to for m in mailoutbox] == [["zwolle@example.org"]]


def test_completeness_of_a_list_costs_one_query(edition, branch, django_assert_num_queries):
    for number in range(5):
        draft_site(edition, place(f"Plek {number}"), branch, shifts=number % 2)
    with django_assert_num_queries(1):
        missing = [
            [r.key for r in site_missing(site)]
            for site in with_completeness(Site.objects.order_by("pk"))
        ]
    assert missing == [["shifts"], [], ["shifts"], [], ["shifts"]]


def test_organisers_approve_from_the_admin_and_the_status_cannot_be_typed_over(
    organiser_client, edition, branch
):
    from django.urls import reverse

    good = draft_site(edition, place(), branch, status=Site.Status.SUBMITTED)
    bad = draft_site(edition, place("Neude", position=False), branch, status=Site.Status.SUBMITTED)
    response = organiser_client.post(
        reverse("admin:events_site_changelist"),
        {"action": "approve_sites", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "1 locatie goedgekeurd."
    assert texts[1].startswith("Neude is niet goedgekeurd: ")
    assert list(Site.objects.published()) == [good]
    assert good.status_changes.get().changed_by.email == "organiser@example.org"
    form = organiser_client.get(reverse("admin:events_site_change", args=[bad.pk]))
    assert "status" not in form.context["adminform"].form.fields
