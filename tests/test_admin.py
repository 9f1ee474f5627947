"""Organisers can work in the admin: every model has a list, filters and search."""

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


def test_admin_form_names_the_field_for_a_bad_site(organiser_client, site):
    url = reverse("admin:events_site_change", args=[site.pk])
    data = {
        "event": site.event_id,
        "location": site.location_id,
        "branch": site.branch_id,
        "name": "",
        "opens_at_0": "25-09-2027",
        "opens_at_1": "16:00",
        "closes_at_0": "25-09-2027",
        "closes_at_1": "11:00",
        "status": "published",
        "public_description": "",
        "languages_needed": "[]",
        "review_comment": "",
        "shifts-TOTAL_FORMS": "0",
        "shifts-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "closes_at" in form.errors
    assert "Een locatie moet sluiten nadat ze opengaat." in form.errors["closes_at"]
    site.refresh_from_db()
    assert site.closes_at.hour == 14  # 16:00 in Amsterdam is unchanged (UTC 14:00)


def test_signups_and_tallies_are_read_only_in_the_admin(organiser_client):
    assert organiser_client.get(reverse("admin:volunteers_signup_add")).status_code == 403
    assert organiser_client.get(reverse("admin:events_tallyentry_add")).status_code == 403
    assert Site.objects.count() == 0
