"""The live dashboard of an edition with its data and CSV exports, and the printable impact
report (`tallies.view_dashboard`: organisers see every edition, coordinators the published
ones). Each shows the sites the viewer may see (`figures.edition_figures`), and the
position of a site shown approximately only as precisely as the viewer may know it."""

from __future__ import annotations

import csv
import datetime
import io
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import numberformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from common import clock, published
from common.spreadsheets import csv_response, spreadsheet_cell
from events.calendar import place_geo
from events.kinds import kind_of
from events.models import Event, Site
from events.selectors import sees_exact_location, visibility_key
from locations.models import Location

from ..categories import category_name, counted_at
from ..charts import Series, bar_chart_svg
from ..figures import (
    EditionFigures,
    comparison,
    edition_figures,
    previous_edition,
    site_hour_rows,
)
from ..public_results import results_are_public
from ..selectors import local_zone

# The figures of the exports and the live data are for those who may see the dashboard:
# no shared cache keeps them, and no browser stores them.
private_no_store = cache_control(private=True, no_store=True)

# The tile server for the dashboard map; a deployment can set its own in settings.
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _dashboard_events(request):
    """Editions whose dashboard `request.user` may open: all for organisers, published
    ones for coordinators."""
    if not request.user.has_perm("tallies.view_dashboard"):
        raise PermissionDenied
    if request.user.has_perm("events.manage_event"):
        return Event.objects.all()
    return Event.objects.published()


def _event_for_dashboard(request, slug: str) -> Event:
    return get_object_or_404(_dashboard_events(request), slug=slug)


# --- Dashboard ---------------------------------------------------------------------------


def _hour_series(figures: EditionFigures, previous: EditionFigures | None) -> dict:
    """The headline category per hour of the day, this edition and the previous one: what
    the chart draws and the table under it lists."""
    current = figures.hour_of_day()
    earlier = previous.hour_of_day() if previous else {}
    hours = sorted(set(current) | set(earlier)) or [figures.event.default_opens_at.hour]
    headline = figures.label(figures.headline_category)
    series = [Series(figures.event.name, [current.get(h, 0) for h in hours], "#005f99")]
    if previous:
        series.append(
            Series(previous.event.name, [earlier.get(h, 0) for h in hours], "#b9d3e6", "#005f99")
        )
    return {
        "labels": [f"{h:02d}:00" for h in hours],
        "series": series,
        "title": _("%(category)s per hour") % {"category": headline.capitalize()},
    }


def _hour_chart(hours: dict):
    return bar_chart_svg(
        labels=hours["labels"],
        series=hours["series"],
        title=hours["title"],
        description=_("Per hour of the day, Europe/Amsterdam time."),
    )


def _hour_table(hours: dict) -> SafeString:
    """The chart's figures as a table, for those who do not see the chart or want the
    exact numbers (WCAG 1.1.1); sent with the live data so that it stays current too."""
    rows = [
        (label, [each.values[index] for each in hours["series"]])
        for index, label in enumerate(hours["labels"])
    ]
    return render_to_string("tallies/_hour_table.html", {"hours": hours, "rows": rows})


def _figures(event: Event, viewer) -> EditionFigures:
    """`edition_figures`, built once per change of the sites or the counts for everyone
    who sees the same sites (`common.published`): the dashboard is polled by every
    organiser and coordinator all day, and summing an edition takes far longer than
    reading it back."""
    return published.stored_value(
        "edition-figures",
        (event.pk, visibility_key(viewer)),
        [published.SITES, published.TALLIES],
        lambda: edition_figures(event, viewer=viewer),
    )


def _hour_figures(figures: EditionFigures, previous: EditionFigures | None) -> dict:
    hours = _hour_series(figures, previous)
    return {"chart": _hour_chart(hours), "hour_table": _hour_table(hours)}


def _dashboard_state(request, event: Event) -> dict:
    """The edition's figures as the dashboard, its JSON and the impact report show them
    to the person asking, compared with the previous edition of the same kind that they
    may open."""
    viewer = request.user
    figures = _figures(event, viewer)
    earlier_event = previous_edition(event, among=_dashboard_events(request))
    previous = _figures(earlier_event, viewer) if earlier_event else None
    return {
        "event": event,
        "figures": figures,
        "category_labels": [figures.label(c) for c in figures.categories],
        "previous": previous,
        **_hour_figures(figures, previous),
        "comparison": comparison(figures, previous),
        "updated_at": timezone.localtime(clock.now(), local_zone()),
    }


def _positions(viewer, figures: EditionFigures) -> dict[int, tuple]:
    """Per site, the position the viewer may see: a site shown approximately is rounded
    to the public map's grid of about a kilometre for those who may not know where it is
    (`events.selectors.sees_exact_location`, as on the map)."""
    hidden = {row.site_id for row in figures.sites if row.approximate}
    exact = sees_exact_location(viewer)
    if hidden and exact is not True:
        known = set()
        if exact is not False:
            # The edition's approximate sites this viewer may know (no list of ids: an
            # edition has thousands).
            known = set(
                Site.objects.filter(
                    exact, event=figures.event, show_approximate_location=True
                ).values_list("pk", flat=True)
            )
        hidden -= known
    else:
        hidden = set()
    return {
        row.site_id: place_geo(
            _Place(row.latitude, row.longitude), approximate=row.site_id in hidden
        )
        or (None, None)
        for row in figures.sites
    }


class _Place(NamedTuple):
    """A site's position, as `place_geo` reads it from a `Location`."""

    latitude: float | None
    longitude: float | None

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def whole_number_format():
    """`intcomma` for whole numbers (2.000 or 2,000, as the page's language writes them),
    with the language's separators looked up once rather than for every number."""
    decimal, grouping = get_format("DECIMAL_SEPARATOR"), get_format("NUMBER_GROUPING")
    thousands = get_format("THOUSAND_SEPARATOR")

    def number(value: int) -> str:
        return numberformat.format(
            value, decimal, None, grouping, thousands, force_grouping=True, use_l10n=True
        )

    return number


def site_rows(figures: EditionFigures) -> SafeString:
    """The rows of the table of sites (`_sites_table.html`): made here rather than in the
    template, which takes ten times as long for an edition's thousands of sites, and with
    plain string formatting rather than `format_html`, which took 120 ms for 2,000 rows.
    Every text is escaped (`escape`, as `format_html` does); each number is written once."""
    number = whole_number_format()
    # Each number cell carries its column's name, shown beside it on a phone, where the
    # table is stacked (table.responsive in app.css).
    labels = {c: escape(capfirst(figures.label(c))) for c in figures.categories}
    written: dict[tuple[str, int], str] = {}

    def cell(item: tuple[str, int]) -> str:
        text = written.get(item)
        if text is None:
            category, value = item
            text = written[item] = (
                f'<td class="num" data-label="{labels.get(category, "")}">'
                f"{escape(number(value))}</td>"
            )
        return text

    return SafeString(
        "\n".join(
            f'<tr><th scope="row"><bdi>{escape(row.name)}</bdi></th>'
            f"<td><bdi>{escape(row.town)}</bdi></td><td><bdi>{escape(row.branch)}</bdi></td>"
            f"{''.join(map(cell, row.totals.items()))}</tr>"
            for row in figures.sites
        )
    )


def _payload(request, state: dict) -> dict:
    figures: EditionFigures = state["figures"]
    previous: EditionFigures | None = state["previous"]
    positions = _positions(request.user, figures)
    return {
        "event": figures.event.slug,
        "updated_at": state["updated_at"].isoformat(),
        "updated_at_display": date_format(state["updated_at"], "H:i:s"),
        "categories": [{"value": c, "label": figures.label(c)} for c in figures.categories],
        "totals": figures.totals,
        "sites_counting": figures.sites_counting,
        "sites": [
            {
                "id": row.site_id,
                "name": row.name,
                "town": row.town,
                "branch": row.branch,
                "lat": positions[row.site_id][0],
                "lon": positions[row.site_id][1],
                "totals": row.totals,
                "headline": row.headline,
            }
            for row in figures.sites
        ],
        "hours": [{"hour": hour.isoformat(), "counts": counts} for hour, counts in figures.hours],
        "comparison": state["comparison"],
        "previous": None
        if previous is None
        else {
            "event": previous.event.slug,
            "name": previous.event.name,
            "totals": previous.totals,
            "sites_counting": previous.sites_counting,
        },
        "chart_svg": str(state["chart"]),
        "hour_table": str(state["hour_table"]),
    }


@login_required
@require_safe
def dashboard_index(request):
    """Editions to open the dashboard of, newest first."""
    events = _dashboard_events(request).order_by("-date", "name")
    return render(request, "tallies/dashboard_index.html", {"events": events})


@login_required
@require_safe
def dashboard(request, slug: str):
    """National totals, per site, per hour and on a map, refreshed live (dashboard.js)."""
    from django.conf import settings

    event = _event_for_dashboard(request, slug)
    state = _dashboard_state(request, event)
    return render(
        request,
        "tallies/dashboard.html",
        {
            **state,
            "site_rows": site_rows(state["figures"]),
            "payload": _payload(request, state),
            "data_url": reverse("tallies:dashboard_data", kwargs={"slug": event.slug}),
            "tile_url": getattr(settings, "MAP_TILE_URL", DEFAULT_TILE_URL),
            "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION),
            # The public results (`/results/<slug>/`): published by organisers only.
            "results_public": results_are_public(event),
            "can_publish_results": request.user.has_perm("tallies.publish_results"),
        },
    )


@private_no_store
@login_required
@require_safe
def dashboard_data(request, slug: str):
    """The dashboard's figures as JSON, polled by the page during the day."""
    event = _event_for_dashboard(request, slug)
    response = JsonResponse(_payload(request, _dashboard_state(request, event)))
    response["Cache-Control"] = "no-store"
    return response


def _column(label: str) -> str:
    # Category names are organisers' data: a name that a spreadsheet would run as a
    # formula is written as text.
    return spreadsheet_cell(capfirst(str(label)))


@private_no_store
@login_required
@require_safe
def dashboard_sites_csv(request, slug: str):
    """One row per site: its totals per category."""
    event = _event_for_dashboard(request, slug)
    figures = edition_figures(event, viewer=request.user)
    response, writer = csv_response(f"{event.slug}-sites.csv")
    writer.writerow(
        [
            _("Site number"),
            _("Site"),
            _("Town"),
            _("Branch"),
            *(_column(figures.label(c)) for c in figures.categories),
        ]
    )
    for row in figures.sites:
        writer.writerow(
            [
                row.site_id,
                spreadsheet_cell(row.name),
                spreadsheet_cell(row.town),
                spreadsheet_cell(row.branch),
                *(row.totals[c] for c in figures.categories),
            ]
        )
    return response


@private_no_store
@login_required
@require_safe
def dashboard_hours_csv(request, slug: str):
    """One row per site and local hour with entries: the sums per category."""
    event = _event_for_dashboard(request, slug)
    categories = tuple(c.slug for c in counted_at(event))
    response, _writer = csv_response(f"{event.slug}-hours.csv")
    # Tens of thousands of rows: written to a buffer and handed over at once, each site's
    # name and each hour made into a cell once.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Hour"),
            _("Site number"),
            _("Site"),
            *(_column(category_name(event.kind_id, c)) for c in categories),
        ]
    )
    sites, rows = site_hour_rows(event, viewer=request.user)
    names = {pk: spreadsheet_cell(site.display_name) for pk, site in sites.items()}
    zone = local_zone()
    hours: dict[datetime.datetime, str] = {}
    for hour, site_id, counts in rows:
        if hour not in hours:
            hours[hour] = hour.astimezone(zone).isoformat()
        writer.writerow([hours[hour], site_id, names[site_id], *counts])
    response.write(buffer.getvalue())
    return response


@login_required
@require_safe
def impact_report(request, slug: str):
    """The printable impact report of an edition, compared with the previous one."""
    event = _event_for_dashboard(request, slug)
    state = _dashboard_state(request, event)
    branches = state["figures"].branches()
    return render(
        request,
        "tallies/impact_report.html",
        {
            **state,
            "site_rows": site_rows(state["figures"]),
            "branches": branches,
            "per_azc": getattr(kind_of(event.kind_id), "location_kind", "") == Location.Kind.AZC,
            # Each total beside its column's name, shown with it on a phone (stacked).
            "branch_rows": [
                (branch, [(category_name(event.kind_id, c), t) for c, t in branch.totals.items()])
                for branch in branches
            ],
        },
    )
