"""Every mail the app sends has a subject of one form: the matter itself, without a
"[Actiedagen]" prefix (the sender's name says who writes), whether allauth or our own code
sends it."""

from django.core import mail
from django.urls import reverse

from events.notifications import mail_coordinators

from .test_account_pages import sign_up


def test_every_mail_subject_has_the_same_form(
    client, site, coordinator, django_capture_on_commit_callbacks
):
    sign_up(client)  # allauth: confirm the address
    client.post(reverse("account_reset_password"), {"email": coordinator.email})  # allauth
    with django_capture_on_commit_callbacks(execute=True):
        mail_coordinators(site, kind="published")  # ours

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 3, subjects
    for subject in subjects:
        assert subject == subject.strip()
        assert not subject.startswith("["), subject
        assert "Actiedagen" not in subject, subject
    assert subjects[0] == "Bevestig je e-mailadres"
