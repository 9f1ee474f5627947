"""The rule-book, cell by cell: every role against every action.

The same table is in the README ("Who may do what"); a test keeps the two equal, so the
documentation cannot drift from the rules. Pages and API are checked for the actions
they offer, so they follow the rule-book too.
"""

import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from events.models import Site
from locations.models import Location
from tests.conftest import EVENT_DAY, on_event_day
from tests.factories import make_shift, make_signup, make_volunteer

README = Path(__file__).resolve().parents[2] / "README.md"

ROLES = [
    "organiser",
    "coordinator",
    "other coordinator",
    "volunteer",
    "volunteer on shift",
    "unverified",
    "anonymous",
]

# action: (object it is asked about, the roles that may do it)
MATRIX = {
    "events.claim_shift": (
        "shift",
        {"organiser", "coordinator", "other coordinator", "volunteer", "volunteer on shift"},
    ),
    "events.release_signup": ("signup", {"volunteer on shift"}),
    "events.coordinate": ("none", {"organiser", "coordinator", "other coordinator"}),
    "events.manage_shift": ("site", {"organiser", "coordinator"}),
    "events.view_roster": ("site", {"organiser", "coordinator"}),
    "events.manage_site": ("site", {"organiser", "coordinator"}),
    # The site's appointed lead may too (tests/events/test_hosts.py).
    "events.view_host_contact": ("site", {"organiser", "coordinator"}),
    "events.view_host_conditions": ("site", {"organiser", "coordinator", "volunteer on shift"}),
    "events.review_site": ("site", {"organiser"}),
    "events.manage_event": ("event", {"organiser"}),
    "tallies.record_tally": ("site", {"organiser", "coordinator", "volunteer on shift"}),
    "tallies.view_tallies": ("site", {"organiser", "coordinator", "volunteer on shift"}),
    "tallies.correct_tally": ("site", {"organiser", "coordinator"}),
    "tallies.view_dashboard": ("none", {"organiser", "coordinator", "other coordinator"}),
    "locations.manage_location": ("none", {"organiser", "coordinator", "other coordinator"}),
    "events.view_signup": ("none", {"organiser"}),  # the admin
    "events.register_site": ("none", {"organiser", "coordinator", "other coordinator"}),
    "events.view_staffing": ("none", {"organiser", "coordinator", "other coordinator"}),
    "volunteers.appeal_for_site": ("site", {"organiser", "coordinator"}),
    "volunteers.manage_helpers": ("site", {"organiser", "coordinator"}),
    "events.share_address": ("site", {"organiser", "coordinator"}),
    "volunteers.write_to_volunteers": ("shift", {"organiser", "coordinator"}),
    "events.take_attendance": ("shift", {"organiser", "coordinator"}),
    # The site lead while their shift is on may too (tests/events/test_site_state.py).
    "events.set_site_state": ("site", {"organiser", "coordinator"}),
    "locations.edit_location": ("location", {"organiser", "coordinator"}),
    "tallies.import_history": ("none", {"organiser"}),
}


@pytest.fixture
def world(site, shift, organiser, coordinator, other_branch):
    # `shift` is on the site's day, so its volunteer may count visitors there.
    other = make_volunteer("other-coordinator@example.org")
    other_branch.coordinators.add(other.user)
    plain = make_volunteer("plain@example.org")
    on_shift = make_volunteer("on-shift@example.org")
    signup = make_signup(shift=shift, volunteer=on_shift, status="confirmed")
    unverified = make_volunteer("unverified@example.org", verified=False)
    users = {
        "organiser": organiser,
        "coordinator": coordinator,
        "other coordinator": other.user,
        "volunteer": plain.user,
        "volunteer on shift": on_shift.user,
        "unverified": unverified.user,
        "anonymous": AnonymousUser(),
    }
    objects = {
        "shift": shift,
        "site": site,
        "event": site.event,
        "signup": signup,
        "location": site.location,  # looked after by the site's branch
        "none": None,
    }
    return users, objects


CELLS = [(action, role) for action in MATRIX for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}|{r}" for a, r in CELLS])
def test_every_cell_of_the_matrix(world, action, role):
    users, objects = world
    target, allowed = MATRIX[action]
    user = users[role]
    # A fresh copy of the user: the roles are cached per request on the object.
    if user.is_authenticated:
        user = type(user).objects.get(pk=user.pk)
    # Asked on the site's day, before its first shift: "on shift" is a shift there today.
    with time_machine.travel(on_event_day(9), tick=False):
        assert user.has_perm(action, objects[target]) is (role in allowed)


def test_the_readme_shows_the_same_matrix():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    header = next(line for line in section.splitlines() if line.startswith("| action"))
    columns = [cell.strip() for cell in header.strip("|").split("|")][2:]
    assert columns == ROLES
    documented = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        action = re.fullmatch(r"`(.+)`", cells[0]).group(1)
        documented[action] = {
            role for role, mark in zip(ROLES, cells[2:], strict=True) if mark == "✓"
        }
    assert documented == {action: allowed for action, (_target, allowed) in MATRIX.items()}


# --- Pages and API follow the rule-book ---------------------------------------------------


PAGES = {
    # page: the roles that get it (others are sent to log in, or refused with 403)
    "/coordinate/": {"organiser", "coordinator", "other coordinator"},
    "/coordinate/understaffed/": {"organiser", "coordinator", "other coordinator"},
    "/coordinate/sites/{site}/shifts/": {"organiser", "coordinator"},
    "/coordinate/sites/{site}/shifts/series/": {"organiser", "coordinator"},
    "/coordinate/sites/{site}/roster/": {"organiser", "coordinator"},
    "/coordinate/sites/{site}/roster.csv": {"organiser", "coordinator"},
    "/coordinate/shifts/{shift}/edit/": {"organiser", "coordinator"},
    "/coordinate/shifts/{shift}/delete/": {"organiser", "coordinator"},
    "/my/shifts/": set(ROLES) - {"anonymous"},
    "/my/profile/": set(ROLES) - {"anonymous"},
    "/admin/": {"organiser"},
    # Running an edition (/manage/).
    "/manage/": {"organiser", "coordinator", "other coordinator"},
    "/manage/editions/new/": {"organiser"},
    "/manage/editions/{event}/": {"organiser"},
    "/manage/editions/{event}/settings/": {"organiser"},
    "/manage/editions/{event}/templates/": {"organiser"},
    "/manage/editions/{event}/clone/": {"organiser"},
    "/manage/editions/{event}/review/": {"organiser"},
    "/manage/editions/{event}/staffing/": {"organiser", "coordinator", "other coordinator"},
    "/manage/editions/{event}/today/": {"organiser", "coordinator", "other coordinator"},
    "/manage/editions/{event}/register/": {"organiser", "coordinator", "other coordinator"},
    "/manage/sites/{site}/": {"organiser", "coordinator"},
    "/manage/sites/{site}/edit/": {"organiser", "coordinator"},
    "/manage/sites/{site}/send-back/": {"organiser"},
    "/manage/sites/{site}/cancel/": {"organiser", "coordinator"},
    "/manage/sites/{site}/appeal/": {"organiser", "coordinator"},
    "/coordinate/sites/{site}/helpers/": {"organiser", "coordinator"},
    "/coordinate/sites/{site}/invitation/": {"organiser", "coordinator"},
    "/coordinate/messages/": {"organiser", "coordinator", "other coordinator"},
    "/coordinate/messages/new/?site={site}": {"organiser", "coordinator"},
    "/coordinate/messages/new/?shift={shift}": {"organiser", "coordinator"},
}
PAGE_CELLS = [(page, role) for page in PAGES for role in ROLES]


@pytest.mark.parametrize(("page", "role"), PAGE_CELLS, ids=[f"{p}|{r}" for p, r in PAGE_CELLS])
def test_pages_follow_the_matrix(world, client, page, role):
    users, objects = world
    if role != "anonymous":
        client.force_login(users[role])
    url = page.format(
        site=objects["site"].pk, shift=objects["shift"].pk, event=objects["event"].slug
    )
    response = client.get(url)
    if role in PAGES[page]:
        assert response.status_code == 200
    elif role == "anonymous" or page == "/admin/":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_claiming_through_the_api_follows_the_matrix(world, role):
    users, objects = world
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(users[role])
    shift = make_shift(objects["site"], starts_in_hours=500)
    response = client.post(f"/api/v1/shifts/{shift.pk}/claim/")
    allowed = role in MATRIX["events.claim_shift"][1]
    assert response.status_code == (201 if allowed else 401 if role == "anonymous" else 403)


def test_a_coordinator_cannot_plan_on_another_branchs_draft_site(world, client, other_branch):
    users, objects = world
    draft = Site.objects.create(
        event=objects["event"],
        location=Location.objects.create(name="Plein", city="Zwolle"),
        branch=other_branch,
        opens_at=objects["site"].opens_at,
        closes_at=objects["site"].closes_at,
    )
    client.force_login(users["coordinator"])
    response = client.post(
        f"/coordinate/sites/{draft.pk}/shifts/",
        {"role": "coffee", "date": str(EVENT_DAY), "start": "11:00", "end": "12:00", "capacity": 2},
    )
    # Another branch's draft is not theirs to see: not found (`selectors.site_for`).
    assert response.status_code == 404
    assert not draft.shifts.exists()
