"""Volunteers' names, e-mail addresses and phone numbers never appear in public answers.

Every URL pattern marked `@public` is requested anonymously with the ids and slugs of a
real published edition, site and shift that have volunteers signed up, and each answer is
searched for their personal data. New public pages and API endpoints are covered as soon
as they exist.
"""

import itertools
import re

import pytest
from django.test import Client
from django.urls import resolve

from tallies.public_results import results_publish
from tests.factories import make_shift, make_signup, make_volunteer

from .test_url_protection import ALL, is_public

PERSONAL = ["Zebulon", "Quackenbush", "zebulon.q@example.org", "0698765432", "Ingrid-Ottolien"]


@pytest.fixture
def signed_up(site, shift, organiser):
    # The edition's results are public: their page, embed and API answer are scanned too.
    results_publish(event=site.event, by=organiser)
    first = make_volunteer("zebulon.q@example.org", first_name="Zebulon", last_name="Quackenbush")
    first.phone = "0698765432"
    first.save()
    second = make_volunteer("second@example.org", first_name="Ingrid-Ottolien")
    make_signup(shift=shift, volunteer=first, status="confirmed")
    full = make_shift(site, capacity=1)
    make_signup(shift=full, volunteer=second, status="confirmed")
    make_signup(shift=full, volunteer=first, status="waitlisted")
    return [shift, full]


def _candidates(site, shifts) -> dict[str, list[str]]:
    ids = [site.pk, site.event.pk, site.location.pk, site.branch.pk, *(s.pk for s in shifts)]
    return {
        "int": [str(i) for i in dict.fromkeys(ids)],
        "slug": [site.event.slug],
        "str": [site.event.slug, str(site.pk)],
        "path": [site.event.slug],
    }


def public_urls(site, shifts) -> list[str]:
    values = _candidates(site, shifts)
    urls = []
    for item in ALL:
        if not is_public(item):
            continue
        route = "".join(str(p) for p in item.parts)
        if route.startswith("^") or "(?P<" in route:
            continue  # allauth's key links: secrets, not pages about volunteers
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        options = [values.get(kind or "str", ["x"]) for kind, _name in params]
        for combination in itertools.product(*options):
            url = route
            for (kind, name), value in zip(params, combination, strict=True):
                url = re.sub(rf"<(?:{kind}:)?{name}>", value, url, count=1)
            url = "/" + url
            try:
                if resolve(url).func is item.pattern.callback:
                    urls.append(url)
            except Exception:  # noqa: S112 (a combination that is no URL of this pattern)
                continue
    return urls


def test_no_personal_data_in_any_public_answer(signed_up, site):
    client = Client()
    answered = []
    for url in public_urls(site, signed_up):
        for extra in ({}, {"HTTP_ACCEPT": "application/json"}):
            response = client.get(url, **extra)
            if response.status_code != 200 or response.streaming:
                continue
            body = response.content.decode("utf-8", errors="replace")
            leaked = [value for value in PERSONAL if value in body]
            assert leaked == [], f"{url} shows {leaked}"
            answered.append(url)
    # The scan must reach the pages that show shifts, or it proves nothing.
    assert f"/sites/{site.pk}/" in answered
    assert "/shifts/" in answered
    slug = site.event.slug
    assert {f"/results/{slug}/", f"/results/{slug}/embed/"} <= set(answered)
    assert f"/api/v1/events/{slug}/results/" in answered
    assert len(set(answered)) >= 6


def test_the_scan_would_see_a_leak(signed_up, site):
    """The data is there to find: the roster (not public) does show it."""
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.create_user(email="c@example.org", password="x")
    site.branch.coordinators.add(coordinator)
    client = Client()
    client.force_login(coordinator)
    body = client.get(f"/coordinate/sites/{site.pk}/roster/").content.decode()
    assert all(value in body for value in PERSONAL)
