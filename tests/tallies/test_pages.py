"""The counter page, the audit trail with corrections, the dashboard, its exports and the report."""

import csv
import datetime
import io
import json
import re
import uuid

import pytest
from django.utils import timezone

from common import published
from demo.seed import DemoSeeder
from events.models import Event, Site
from locations.models import Location
from tallies.models import TallyEntry
from tallies.services import TallyTap, tally_correct, tally_record
from tallies.summary import refill
from tests.conftest import YEAR, aware, last_weekday_of, make_user
from tests.spreadsheet_reading import formulas

from .conftest import store_entry

# --- Counter ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, today_site):
    for path in (
        f"/sites/{today_site.pk}/count/",
        f"/sites/{today_site.pk}/tallies/",
        "/dashboard/",
        f"/dashboard/{today_site.event.slug}/",
        f"/dashboard/{today_site.event.slug}/data.json",
        f"/dashboard/{today_site.event.slug}/sites.csv",
        f"/dashboard/{today_site.event.slug}/hours.csv",
        f"/dashboard/{today_site.event.slug}/report/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_the_counter_shows_a_button_per_category_and_the_totals(counting_client, today_site):
    store_entry(today_site, "visitors", 7)
    response = counting_client.get(f"/sites/{today_site.pk}/count/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-category="visitors" data-delta="1"' in html
    assert 'data-category="children" data-delta="1"' in html
    assert 'data-category="visitors" data-delta="-1"' in html
    config = response.context["config"]
    assert config["totals"] == {"visitors": 7, "children": 0}
    assert config["api"] == f"/api/v1/sites/{today_site.pk}/tallies/"
    assert "Bezoekers" in html
    # The volunteer may count but not correct.
    assert f'href="/sites/{today_site.pk}/tallies/"' not in html


def test_the_counter_has_no_inline_script(counting_client, today_site):
    html = counting_client.get(f"/sites/{today_site.pk}/count/").content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, _body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert " onclick=" not in html


def test_a_coffee_action_counter_counts_coffees_and_conversations(client, today_site, organiser):
    event = today_site.event
    event.kind_id = "coffee"
    event.save()
    client.force_login(organiser)
    html = client.get(f"/sites/{today_site.pk}/count/").content.decode()
    assert 'data-category="coffees"' in html
    assert 'data-category="conversations"' in html
    assert 'data-category="visitors"' not in html


def test_the_counter_warns_when_today_is_not_the_day(organiser_client, site):
    html = organiser_client.get(f"/sites/{site.pk}/count/").content.decode()
    assert "Vandaag is niet de dag van deze locatie" in html


def test_a_volunteer_without_a_shift_there_cannot_open_the_counter(
    client, today_site, django_user_model
):
    stranger = make_user(django_user_model, "stranger@example.org")
    client.force_login(stranger)
    assert client.get(f"/sites/{today_site.pk}/count/").status_code == 403


def test_the_counter_of_an_unknown_site_is_a_404(organiser_client):
    assert organiser_client.get("/sites/999999/count/").status_code == 404


# --- Audit trail and corrections -------------------------------------------------------------


def test_the_audit_trail_shows_who_when_and_which_device(
    coordinator_client, today_site, counting_volunteer, coordinator
):
    tally_record(
        site=today_site,
        entries=[TallyTap(uuid.uuid4(), "visitors", 3, today_site.opens_at)],
        by=counting_volunteer,
        device_id="a1b2c3d4-phone",
        now=today_site.opens_at,
    )
    tally_correct(
        site=today_site,
        category="visitors",
        delta=120,
        reason="Teller gereset om 14:00",
        by=coordinator,
        recorded_at=today_site.opens_at,
        now=today_site.opens_at,
    )
    response = coordinator_client.get(f"/sites/{today_site.pk}/tallies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vera" in html and "Karim" in html  # who
    assert "a1b2c3d4" in html  # which device
    assert "Teller gereset om 14:00" in html
    assert response.context["totals"] == [("bezoekers", 123), ("kinderen", 0)]

    only = coordinator_client.get(f"/sites/{today_site.pk}/tallies/?only=corrections")
    assert [e.delta for e in only.context["page"]] == [120]


def test_the_audit_trail_is_never_cached(coordinator_client, today_site):
    # It names who counted, from which device: no shared cache may keep it.
    for response in (
        coordinator_client.get(f"/sites/{today_site.pk}/tallies/"),
        coordinator_client.post(f"/sites/{today_site.pk}/tallies/", {"delta": "x"}),
    ):
        assert response.status_code == 200
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives


def test_a_coordinator_adds_a_correction_on_the_page(
    coordinator_client, yesterday_site, coordinator
):
    today_site = yesterday_site
    form = coordinator_client.get(f"/sites/{today_site.pk}/tallies/").context["form"]
    key = form.initial["client_id"]
    data = {
        "category": "visitors",
        "delta": "120",
        "at_time": "14:00",
        "reason": "Teller gereset om 14:00",
        "client_id": str(key),
    }
    response = coordinator_client.post(f"/sites/{today_site.pk}/tallies/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/sites/{today_site.pk}/tallies/"
    assert "De correctie is toegevoegd." in response.content.decode()
    # Sending the form twice (a double click, a reload) counts once.
    coordinator_client.post(f"/sites/{today_site.pk}/tallies/", data)
    entry = TallyEntry.objects.get()
    assert (entry.delta, entry.is_correction, entry.recorded_by) == (120, True, coordinator)
    assert entry.recorded_at == today_site.opens_at.replace(hour=14)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reason": ""}, "reason"), ({"delta": "0"}, "delta"), ({"delta": "veel"}, "delta")],
)
def test_a_bad_correction_on_the_page_shows_the_message_by_the_field(
    coordinator_client, today_site, changes, field
):
    data = {
        "category": "visitors",
        "delta": "12",
        "reason": "Turflijst",
        "client_id": str(uuid.uuid4()),
        **changes,
    }
    response = coordinator_client.post(f"/sites/{today_site.pk}/tallies/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TallyEntry.objects.exists()


def test_volunteers_cannot_see_the_audit_trail(counting_client, today_site):
    assert counting_client.get(f"/sites/{today_site.pk}/tallies/").status_code == 403
    response = counting_client.post(
        f"/sites/{today_site.pk}/tallies/",
        {"category": "visitors", "delta": "5", "reason": "x", "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert not TallyEntry.objects.exists()


# --- Dashboard, exports and report -------------------------------------------------------------


def open_day(year: int) -> Event:
    """A published open day on the last Saturday of September of `year`."""
    return Event.objects.create(
        name=f"Open azc dag {year}",
        slug=f"open-azc-dag-{year}",
        kind_id="open_day",
        date=last_weekday_of(year, 9, 5),
        is_published=True,
    )


@pytest.fixture
def editions(db, branch, other_branch):
    """The open days of last year (the current one, over) and the year before (the
    previous one), with counts at two sites; and a coffee action next year."""
    previous = open_day(YEAR - 3)
    current = open_day(YEAR - 2)
    Event.objects.create(  # another kind: never the "previous edition"
        name=f"Bakkie Doen {YEAR}",
        slug=f"bakkie-doen-{YEAR}",
        kind_id="coffee",
        date=datetime.date(YEAR, 6, 20),
    )
    utrecht = Location.objects.create(
        name="azc Utrecht", city="Utrecht", latitude=52.09, longitude=5.12
    )
    zwolle = Location.objects.create(
        name="=azc Zwolle", city="Zwolle", latitude=52.51, longitude=6.09
    )

    def site(event, location, branch_, day):
        return Site.objects.create(
            event=event,
            location=location,
            branch=branch_,
            opens_at=aware(day.year, day.month, day.day, 11),
            closes_at=aware(day.year, day.month, day.day, 16),
            status=Site.Status.PUBLISHED,
        )

    def count(site_, category, delta, hour):
        day = site_.event.date
        store_entry(
            site_, category, delta, aware(day.year, day.month, day.day, hour, 15), correction=True
        )

    old = site(previous, utrecht, branch, previous.date)
    count(old, "visitors", 400, 12)
    a = site(current, utrecht, branch, current.date)
    b = site(current, zwolle, other_branch, current.date)
    count(a, "visitors", 300, 11)
    count(a, "visitors", 200, 13)
    count(a, "children", 40, 13)
    count(b, "visitors", 100, 13)
    return current, previous, a, b


def test_the_dashboard_shows_national_and_per_site_totals_and_the_previous_edition(
    organiser_client, editions
):
    current, previous, a, b = editions
    response = organiser_client.get(f"/dashboard/{current.slug}/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.totals == {"visitors": 600, "children": 40}
    assert [(row.site_id, row.totals["visitors"]) for row in figures.sites] == [
        (a.pk, 500),
        (b.pk, 100),
    ]
    assert response.context["previous"].event == previous
    html = response.content.decode()
    assert f"Open azc dag {YEAR - 3}" in html
    assert "+50" in html  # 600 visitors against 400
    assert "<svg" in html and "bezoekers per uur" in html.lower()
    assert 'id="dashboard-map"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html


def test_the_dashboard_data_feeds_the_live_refresh(organiser_client, editions):
    current, _previous, a, b = editions
    data = organiser_client.get(f"/dashboard/{current.slug}/data.json").json()
    assert data["totals"] == {"visitors": 600, "children": 40}
    assert [s["id"] for s in data["sites"]] == [a.pk, b.pk]
    assert data["sites"][0]["lat"] == pytest.approx(52.09)
    assert data["previous"]["totals"] == {"visitors": 400, "children": 0}
    assert [h["counts"]["visitors"] for h in data["hours"]] == [300, 0, 300, 0, 0]
    assert data["chart_svg"].startswith("<svg")
    store_entry(b, "visitors", 5, b.opens_at)
    assert (
        organiser_client.get(f"/dashboard/{current.slug}/data.json").json()["totals"]["visitors"]
        == 605
    )


def test_coordinators_see_the_dashboard_but_volunteers_do_not(
    client, editions, coordinator, volunteer
):
    current = editions[0]
    client.force_login(coordinator)
    assert client.get(f"/dashboard/{current.slug}/").status_code == 200
    client.force_login(volunteer)
    for path in ("", "data.json", "sites.csv", "hours.csv", "report/"):
        assert client.get(f"/dashboard/{current.slug}/{path}").status_code == 403, path
    assert client.get("/dashboard/").status_code == 403


def test_the_csv_per_site(organiser_client, editions):
    current, _previous, a, b = editions
    response = organiser_client.get(f"/dashboard/{current.slug}/sites.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("\ufeff")  # Excel then reads the UTF-8 names right
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [
        ["Locatienummer", "Locatie", "Plaats", "Afdeling", "Bezoekers", "Kinderen"],
        [str(a.pk), "azc Utrecht", "Utrecht", "Afdeling Utrecht", "500", "40"],
        # A name a spreadsheet would run as a formula is quoted.
        [str(b.pk), "'=azc Zwolle", "Zwolle", "Afdeling Zwolle", "100", "0"],
    ]


def test_the_csv_per_hour(organiser_client, editions):
    current, _previous, a, b = editions
    response = organiser_client.get(f"/dashboard/{current.slug}/hours.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))
    assert rows[0] == ["Uur", "Locatienummer", "Locatie", "Bezoekers", "Kinderen"]
    day = current.date.isoformat()  # late September: summer time
    assert rows[1:] == [
        [f"{day}T11:00:00+02:00", str(a.pk), "azc Utrecht", "300", "0"],
        [f"{day}T13:00:00+02:00", str(a.pk), "azc Utrecht", "200", "40"],
        [f"{day}T13:00:00+02:00", str(b.pk), "'=azc Zwolle", "100", "0"],
    ]


def test_the_csv_exports_are_safe_in_excel_with_either_separator(organiser_client, editions):
    # Dutch Excel splits on ";": "Koffie;=cmd…" passed the guard, which only looked at the
    # start of a cell, and became a formula in a cell of its own.
    current, _previous, a, b = editions
    a.name = "Koffie;=cmd|' /C calc'!A0"
    a.save()
    a.location.city = "Utrecht,-2+3"
    a.location.save()
    a.branch.name = 'Afdeling; "@SUM(1)'
    a.branch.save()
    b.name = "Zwolle\r\n+1"
    b.save()
    rows = {}
    for export in ("sites.csv", "hours.csv"):
        text = organiser_client.get(f"/dashboard/{current.slug}/{export}").content.decode()
        assert formulas(text) == [], export
        rows[export] = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    # As a reader that honours the quotes sees them: a quote before each part Excel may
    # split off.
    assert rows["sites.csv"][1][1:4] == [
        "Koffie;'=cmd|' /C calc'!A0",
        "Utrecht,'-2+3",
        "Afdeling;' \"@SUM(1)",
    ]
    assert rows["sites.csv"][2][1] == "Zwolle\r\n'+1"
    assert rows["hours.csv"][-1][2] == "Zwolle\r\n'+1"


@pytest.mark.parametrize("path", ["data.json", "sites.csv", "hours.csv"])
def test_the_dashboard_data_and_exports_are_never_cached(organiser_client, editions, path):
    response = organiser_client.get(f"/dashboard/{editions[0].slug}/{path}")
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_impact_report_has_branches_sites_and_the_comparison(organiser_client, editions):
    current, _previous, _a, _b = editions
    response = organiser_client.get(f"/dashboard/{current.slug}/report/")
    assert response.status_code == 200
    branches = response.context["branches"]
    assert [(x.name, x.sites, x.totals["visitors"]) for x in branches] == [
        ("Afdeling Utrecht", 1, 500),
        ("Afdeling Zwolle", 1, 100),
    ]
    html = response.content.decode()
    assert f"Impactrapport: Open azc dag {YEAR - 2}" in html
    assert "Per azc" in html
    assert f"Open azc dag {YEAR - 3}" in html
    assert "/static/tallies/report.css" in html
    assert "600 bezoekers op 2 locaties" in html


def test_an_edition_without_a_previous_one_says_so(organiser_client, editions):
    previous = editions[1]
    response = organiser_client.get(f"/dashboard/{previous.slug}/report/")
    assert response.context["previous"] is None
    assert "Er is geen eerdere editie" in response.content.decode()


def test_the_dashboard_index_lists_the_editions(coordinator_client, editions):
    html = coordinator_client.get("/dashboard/").content.decode()
    assert f"/dashboard/open-azc-dag-{YEAR - 2}/" in html
    assert f"/dashboard/open-azc-dag-{YEAR - 3}/" in html


def test_the_dashboard_of_the_demo_edition_adds_up(organiser_client, django_user_model):
    """The seeded Open azc dag 2018 counts about 19,250 visitors."""
    DemoSeeder().run()
    data = organiser_client.get("/dashboard/open-azc-dag-2018/data.json").json()
    assert data["totals"]["visitors"] == 19_250
    assert len(data["sites"]) == 40
    assert json.dumps(data)  # serialisable as sent


def test_the_site_page_links_to_the_counter_for_those_who_count_there(
    client, today_site, counting_volunteer, coordinator
):
    counter, audit = f"/sites/{today_site.pk}/count/", f"/sites/{today_site.pk}/tallies/"
    html = client.get(f"/sites/{today_site.pk}/").content.decode()
    assert counter not in html and audit not in html
    client.force_login(counting_volunteer)
    html = client.get(f"/sites/{today_site.pk}/").content.decode()
    assert counter in html and audit not in html
    client.force_login(coordinator)
    html = client.get(f"/sites/{today_site.pk}/").content.decode()
    assert counter in html and audit in html


def test_the_menu_shows_the_dashboard_to_organisers_and_coordinators_only(
    client, organiser, coordinator, volunteer
):
    for user, shown in ((organiser, True), (coordinator, True), (volunteer, False)):
        client.force_login(user)
        assert ('href="/dashboard/"' in client.get("/").content.decode()) is shown, user


def test_coordinators_see_published_editions_only(client, editions, coordinator, organiser):
    draft = Event.objects.get(slug=f"bakkie-doen-{YEAR}")  # not published
    client.force_login(coordinator)
    assert client.get(f"/dashboard/{draft.slug}/").status_code == 404
    assert f"/dashboard/{draft.slug}/" not in client.get("/dashboard/").content.decode()
    client.force_login(organiser)
    assert client.get(f"/dashboard/{draft.slug}/").status_code == 200


def test_before_the_day_the_dashboard_shows_no_change_against_last_year(organiser_client, editions):
    """An edition that has not started has counted nothing yet: "-100%" would mislead."""
    current = editions[0]
    TallyEntry.objects.filter(site__event=current).delete()
    refill(list(current.sites.values_list("pk", flat=True)))
    current.date = timezone.localdate() + datetime.timedelta(days=30)
    current.save()
    html = organiser_client.get(f"/dashboard/{current.slug}/").content.decode()
    assert "vorige editie: 400" in html
    assert "-100" not in html


def test_the_dashboard_table_escapes_what_people_typed(organiser_client, today_site):
    Site.objects.filter(pk=today_site.pk).update(name='<b>Koffie & "thee"</b>')
    published.bump(published.SITES)  # as a service changing the name does
    page = organiser_client.get(f"/dashboard/{today_site.event.slug}/").content.decode()
    assert "&lt;b&gt;Koffie &amp; &quot;thee&quot;&lt;/b&gt;" in page
    assert "<b>Koffie" not in page
