"""The location form's hand-written fields (locations/_field.html) point at their help and
their errors (tests/form_descriptions.py)."""

from django.urls import reverse

from tests.form_descriptions import description_problems
from tests.locations.test_pages import form_data


def test_the_location_form_ties_help_and_errors_to_their_fields(coordinator_client):
    page = coordinator_client.get(reverse("locations:create")).content.decode()
    # The branch choice is written by hand too; a coordinator sees it.
    assert 'id="id_house_number_helptext"' in page and 'name="branch"' in page
    assert description_problems(page) == []

    # Sent back with errors on a text field, a choice and a number.
    response = coordinator_client.post(
        reverse("locations:create"),
        form_data(name="", kind="castle", latitude="noord", longitude="5,1"),
    )
    page = response.content.decode()
    assert 'id="id_name_error"' in page and 'id="id_latitude_error"' in page
    assert description_problems(page) == []
