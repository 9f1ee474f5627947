"""The correction form of the audit page (tallies/tally_audit.html) points at its fields'
help and errors (tests/form_descriptions.py)."""

import uuid

from django.urls import reverse

from tests.form_descriptions import description_problems


def test_the_correction_form_ties_help_and_errors_to_their_fields(coordinator_client, today_site):
    url = reverse("tallies:site_tally_audit", args=[today_site.pk])
    assert description_problems(coordinator_client.get(url).content.decode()) == []

    response = coordinator_client.post(
        url,
        {"category": "visitors", "delta": "veel", "reason": "", "client_id": str(uuid.uuid4())},
    )
    page = response.content.decode()
    assert 'id="id_delta_error"' in page and 'id="id_reason_error"' in page
    assert description_problems(page) == []
