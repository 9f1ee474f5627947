"""An edition's public results (`/results/<slug>/`, its embed and
`GET /api/v1/events/{slug}/results/`), once the organisers publish them.

What the public sees: the national totals per category (the headline first), the people
reached (the sum of the categories that count towards it), the number of sites taking
part and, per province, its sites and totals; after the day, the comparison with the
previous edition of the same kind whose results are public too. Only approved sites of a
published edition count (`figures.edition_figures` as an anonymous reader sees them):
never a draft, a submitted or a cancelled site. No site is named and no place, address
or person appears: the smallest area shown is a province.

The figures are built once for every reader (`common.published`): after the day under
the versions of the sites and the counts, so a correction shows at once; on the day, when
every tap is a change, for `RESULTS_LIVE_CACHE_SECONDS` at a time. Whether the results are
public is read on every request, outside what is stored: publishing and unpublishing show
at once, and a 404 is never stored.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import clock, published
from events.models import Event
from locations.models import Province

from .categories import counted_at
from .errors import EditionNotPublished
from .figures import EditionFigures, comparison, edition_figures, previous_edition
from .models import ResultsPublication

# Earlier editions listed beside this one after its day (newest first).
EARLIER_EDITIONS = 4


# --- Publishing ----------------------------------------------------------------------------


def results_publish(*, event: Event, by) -> ResultsPublication:
    """Make `event`'s results public. The edition itself must be published. Publishing
    results that are public already changes nothing (the first publication stays)."""
    if not event.is_published:
        raise EditionNotPublished()
    with transaction.atomic():
        publication, _created = ResultsPublication.objects.get_or_create(
            event=event, defaults={"published_at": clock.now(), "published_by": by}
        )
    return publication


def results_unpublish(*, event: Event, by) -> None:
    """Take `event`'s results off the public site (their page, embed and API answer 404
    from the next request on). Unpublished results stay unpublished."""
    with transaction.atomic():
        ResultsPublication.objects.filter(event=event).delete()


# --- Reading ---------------------------------------------------------------------------------


def results_publication(slug: str) -> ResultsPublication | None:
    """The publication of the results of the published edition `slug` (with its edition),
    or None: what decides, on every request, whether its results are public. One query."""
    return (
        ResultsPublication.objects.select_related("event")
        .filter(event__slug=slug, event__is_published=True)
        .first()
    )


def results_are_public(event: Event) -> bool:
    return event.is_published and ResultsPublication.objects.filter(event_id=event.pk).exists()


def results_page_url(event: Event) -> str:
    return settings.SITE_URL + reverse("tallies:public_results", kwargs={"slug": event.slug})


def results_embed_url(event: Event) -> str:
    return settings.SITE_URL + reverse("tallies:public_results_embed", kwargs={"slug": event.slug})


def public_results(publication: ResultsPublication) -> published.Stored:
    """The public figures of the publication's edition, built once for every reader in
    the active language (see the module docstring); `Stored.value` is the payload."""
    event = publication.event
    today = clock.today()
    live = event.date == today
    question: list[Any] = [
        event.pk,
        publication.published_at.isoformat(),
        get_language(),
        today.isoformat(),
        settings.SITE_URL,
    ]
    if live:
        # Every tap changes the counts: the figures are rebuilt once per period instead.
        period = settings.RESULTS_LIVE_CACHE_SECONDS
        question.append(int(clock.now().timestamp()) // period)
        return published.stored_answer(
            "public-results", question, [], lambda: _built(event, live=True), seconds=period
        )
    return published.stored_answer(
        "public-results",
        question,
        [published.SITES, published.TALLIES],
        lambda: _built(event, live=False),
    )


def _built(event: Event, *, live: bool) -> tuple[bytes, dict]:
    data = results_payload(event, live=live)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), data


def _public_figures(event: Event) -> EditionFigures:
    # As an anonymous reader sees them: the approved sites of the published edition.
    return edition_figures(event, viewer=AnonymousUser())


def _province_name(code: str) -> str:
    if not code:
        return _("Province not known")
    return str(Province(code).label)


def results_payload(event: Event, *, live: bool) -> dict[str, Any]:
    """The public figures of `event` as plain values (the API's answer)."""
    figures = _public_figures(event)
    categories = counted_at(event)
    totals = {c.slug: figures.totals.get(c.slug, 0) for c in categories}
    provinces: dict[str, dict[str, Any]] = {}
    for row in figures.sites:
        province = provinces.setdefault(
            row.province or "", {"sites": 0, "totals": dict.fromkeys(totals, 0)}
        )
        province["sites"] += 1
        for slug in totals:
            province["totals"][slug] += row.totals.get(slug, 0)
    province_rows = [
        {"code": code, "name": _province_name(code), **values} for code, values in provinces.items()
    ]
    # By name, the province not known last.
    province_rows.sort(key=lambda p: (not p["code"], p["name"]))
    after = event.date < clock.today()
    earlier_rows: list[dict[str, Any]] = []
    comparison_rows: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    previous_figures: EditionFigures | None = None
    if after:
        public_editions = Event.objects.published().filter(results_publication__isnull=False)
        earlier_event = previous_edition(event, among=public_editions)
        if earlier_event is not None:
            previous_figures = _public_figures(earlier_event)
            comparison_rows = comparison(figures, previous_figures)
            previous = {"event": earlier_event.slug, "name": earlier_event.name}
        earlier = (
            public_editions.filter(kind_id=event.kind_id, date__lt=event.date)
            .exclude(pk=event.pk)
            .order_by("-date", "-pk")[:EARLIER_EDITIONS]
        )
        for edition in earlier:
            each = (
                previous_figures
                if previous_figures is not None and edition == earlier_event
                else _public_figures(edition)
            )
            earlier_rows.append(
                {
                    "event": edition.slug,
                    "name": edition.name,
                    "date": edition.date.isoformat(),
                    "headline": each.totals.get(each.categories[0], 0) if each.categories else 0,
                    "people_reached": each.reached,
                    "sites": len(each.sites),
                }
            )
    updated_at = timezone.localtime(clock.now(), clock.local_zone())
    headline = categories[0] if categories else None
    return {
        "event": event.slug,
        "name": event.name,
        "kind": event.kind_id,
        "date": event.date.isoformat(),
        "live": live,
        "after": after,
        "refresh_seconds": settings.RESULTS_REFRESH_SECONDS if live else None,
        "updated_at": updated_at.isoformat(),
        "updated_at_display": date_format(updated_at, "H:i:s"),
        "url": results_page_url(event),
        "embed_url": results_embed_url(event),
        "categories": [
            {"slug": c.slug, "name": c.name, "reached": c.reached, "total": totals[c.slug]}
            for c in categories
        ],
        "headline": None
        if headline is None
        else {"slug": headline.slug, "name": headline.name, "total": totals[headline.slug]},
        "totals": totals,
        "people_reached": figures.reached,
        "sites": len(figures.sites),
        "provinces": province_rows,
        "previous": previous,
        "comparison": comparison_rows,
        "earlier": earlier_rows,
    }
