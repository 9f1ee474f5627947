"""A mail server that refuses one message of a batch must not keep the others from going."""

import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend

from accounts.models import Volunteer
from events.models import Signup
from events.services import shift_delete, site_cancel
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, place, upcoming_edition
from tests.factories import make_signup

pytestmark = pytest.mark.django_db

REFUSED = "gone@example.org"


@pytest.fixture
def refusing_server(monkeypatch):
    """The outbox refuses every batch that holds a message to REFUSED, as an SMTP
    server does with a recipient it does not accept (Django's SMTP backend then raises
    and sends none of the batch's later messages)."""
    deliver = EmailBackend.send_messages

    def send_messages(self, messages):
        if any(REFUSED in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"No such user")})
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def _signed_up(site, django_user_model) -> list[str]:
    shift = site.shifts.order_by("starts_at").first()
    addresses = [REFUSED, "anna@example.org", "bram@example.org"]
    for address in addresses:
        volunteer = Volunteer.objects.create(user=make_user(django_user_model, address))
        make_signup(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)
    return addresses


def test_cancelling_a_site_tells_the_others_when_one_address_is_refused(
    branch,
    coordinator,
    django_user_model,
    mailoutbox,
    refusing_server,
    django_capture_on_commit_callbacks,
):
    site = draft_site(upcoming_edition(), place(), branch, shifts=1, status="published")
    _signed_up(site, django_user_model)
    with django_capture_on_commit_callbacks(execute=True):
        site_cancel(site=site, by=coordinator)
    told = sorted(m.to[0] for m in mailoutbox)
    assert told == sorted(["anna@example.org", "bram@example.org", coordinator.email])


def test_deleting_a_shift_tells_the_others_when_one_address_is_refused(
    branch, django_user_model, mailoutbox, refusing_server, django_capture_on_commit_callbacks
):
    site = draft_site(upcoming_edition(), place(), branch, shifts=1, status="published")
    _signed_up(site, django_user_model)
    with django_capture_on_commit_callbacks(execute=True):
        shift_delete(shift=site.shifts.get())
    assert sorted(m.to[0] for m in mailoutbox) == ["anna@example.org", "bram@example.org"]
