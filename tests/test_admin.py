"""Organisers can work in the admin: every model has a list, filters and search."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from events.models import Site

OUR_APPS = {"accounts", "locations", "events", "volunteers"}
REGISTERED = [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours == set(REGISTERED)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_organiser_sees_every_changelist_with_search(organiser_client, site, shift, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert organiser_client.get(url).status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert organiser_client.get(url, {"q": "Utrecht"}).status_code == 200


def test_volunteer_and_coordinator_cannot_use_the_admin(volunteer_client, coordinator, client):
    url = reverse("admin:events_site_changelist")
    assert volunteer_client.get(url).status_code == 302
    client.force_login(coordinator)
    assert client.get(url).status_code == 302


def _site_form_data(site, **overrides):
    data = {
        "name": site.name,
        "public_description": site.public_description,
        "languages_needed": [],
        "expected_visitors": "",
        "shifts-TOTAL_FORMS": "0",
        "shifts-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_edits_go_through_the_site_service(organiser_client, site):
    url = reverse("admin:events_site_change", args=[site.pk])
    data = _site_form_data(site, name="azc Utrecht (Oog in Al)")
    # Time and place are not on the admin's form: they change on the site pages, which
    # raise the calendars' revision.
    data.update({"closes_at_0": "25-09-2027", "closes_at_1": "11:00"})
    response = organiser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    site.refresh_from_db()
    assert site.name == "azc Utrecht (Oog in Al)"
    assert site.closes_at.hour == 14  # 16:00 in Amsterdam, unchanged (UTC 14:00)


def test_requested_languages_are_checkboxes_not_json(organiser_client, site):
    site.languages_needed = ["nl", "ar", "xx"]  # "xx": stored earlier, not in the list
    site.save(update_fields=["languages_needed"])
    url = reverse("admin:events_site_change", args=[site.pk])
    html = organiser_client.get(url).content.decode()
    assert '["nl", "ar"' not in html
    assert 'type="checkbox" name="languages_needed" value="ar"' in html
    assert re.search(r'value="ar"[^>]*checked', html)
    assert not re.search(r'value="ti"[^>]*checked', html)
    data = _site_form_data(site, languages_needed=["nl", "ti", "xx"])
    response = organiser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    site.refresh_from_db()
    assert sorted(site.languages_needed) == ["nl", "ti", "xx"]


def test_a_volunteers_languages_are_checkboxes_in_the_admin(organiser_client, volunteer):
    profile = volunteer.volunteer
    profile.languages = ["nl", "fa"]
    profile.save(update_fields=["languages"])
    url = reverse("admin:accounts_volunteer_change", args=[profile.pk])
    html = organiser_client.get(url).content.decode()
    assert re.search(r'name="languages" value="fa"[^>]*checked', html)
    assert '["nl", "fa"]' not in html


def test_a_cancelled_site_is_read_only_in_the_admin(organiser_client, site):
    site.status = Site.Status.CANCELLED
    site.save()
    url = reverse("admin:events_site_change", args=[site.pk])
    assert organiser_client.get(url).status_code == 200  # view only
    organiser_client.post(url, _site_form_data(site, name="Toch"))
    site.refresh_from_db()
    assert site.name == ""


def test_admin_form_names_the_field_for_a_bad_branch(organiser_client, branch):
    from locations.models import Branch

    response = organiser_client.post(
        reverse("admin:locations_branch_add"),
        {"name": "Afdeling Utrecht", "slug": "utrecht-2", "town": "Utrecht"},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "name" in form.errors
    assert Branch.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    ["events_event_add", "events_site_add", "events_shift_add", "locations_location_add"],
)
def test_records_with_service_rules_are_added_on_the_pages_not_the_admin(organiser_client, name):
    assert organiser_client.get(reverse(f"admin:{name}")).status_code == 403


def test_signups_and_tallies_are_read_only_in_the_admin(organiser_client):
    assert organiser_client.get(reverse("admin:events_signup_add")).status_code == 403
    assert organiser_client.get(reverse("admin:tallies_tallyentry_add")).status_code == 403
    assert Site.objects.count() == 0
