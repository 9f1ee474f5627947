"""Pages for counting: the counter, a site's audit trail with corrections, the live
dashboard of an edition with its CSV exports, and the printable impact report.

Who may use them is the rule-book's answer (`volunteers/rules.py`): counting
(`events.record_tally`), correcting and auditing (`events.correct_tally`), the dashboard
and report (`events.view_dashboard`). Anonymous visitors are sent to the log-in page.
"""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from common.spreadsheets import csv_response, spreadsheet_cell

from .charts import Series, bar_chart_svg
from .dashboard import (
    EditionFigures,
    change_ratio,
    edition_figures,
    previous_edition,
    site_hour_rows,
)
from .models import Event, Site, TallyEntry
from .tallies import (
    CATEGORIES_BY_KIND,
    categories_for,
    local_zone,
    tally_correct,
    tally_hours,
    tally_totals,
    tally_window,
)

# The tile server for the dashboard map; a deployment can set its own in settings.
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def category_label(value: str) -> str:
    return str(TallyEntry.Category(value).label)


def _site_for(request, pk: int, permission: str) -> Site:
    site = get_object_or_404(Site.objects.select_related("event", "location", "branch"), pk=pk)
    if not request.user.has_perm(permission, site):
        raise PermissionDenied
    return site


def _dashboard_events(request):
    """Editions whose dashboard `request.user` may open: all for organisers, published
    ones for coordinators."""
    if not request.user.has_perm("events.view_dashboard"):
        raise PermissionDenied
    if request.user.has_perm("events.manage_event"):
        return Event.objects.all()
    return Event.objects.published()


def _event_for_dashboard(request, slug: str) -> Event:
    return get_object_or_404(_dashboard_events(request), slug=slug)


# --- Counter ---------------------------------------------------------------------------


@login_required
@require_safe
def site_counter(request, pk: int):
    """The counter at the door: big buttons, works on with no network (see counter.js)."""
    site = _site_for(request, pk, "events.record_tally")
    totals = tally_totals(site)
    window = tally_window(site)
    categories = [
        {"value": value, "label": category_label(value), "total": totals[value]}
        for value in categories_for(site)
    ]
    config = {
        "site": site.pk,
        "api": reverse("api_site_tallies", kwargs={"pk": site.pk}),
        "totals": totals,
        "labels": {c["value"]: c["label"] for c in categories},
        "strings": {
            "pending_one": _("1 tap not yet sent"),
            "pending_other": _("%(n)s taps not yet sent"),
            "all_sent": _("All taps sent"),
            "all_sent_refused_one": _("All taps sent, but 1 was refused: see below"),
            "all_sent_refused_other": _("All taps sent, but %(n)s were refused: see below"),
            "sending": _("Sending…"),
            "offline": _("No connection: taps are kept on this phone and sent later."),
            "forbidden": _(
                "The server refused the taps: log in again. They are kept on this phone."
            ),
            "cancelled": _("This site is cancelled; the taps cannot be sent."),
            "error": _("The server could not take the taps; trying again."),
            "synced_at": _("Last contact with the server: %(time)s"),
            "refused_title": _("Refused by the server"),
            "no_storage": _(
                "This browser cannot store taps: do not reload the page until all are sent."
            ),
        },
    }
    return render(
        request,
        "events/counter.html",
        {
            "site": site,
            "categories": categories,
            "config": config,
            "can_correct": request.user.has_perm("events.correct_tally", site),
            "on_the_day": window[0] <= timezone.now() < window[1],
        },
    )


# --- Audit trail and corrections ---------------------------------------------------------


class CorrectionForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What"))
    delta = forms.IntegerField(
        label=gettext_lazy("Change"),
        help_text=gettext_lazy("For example 120 to add, or -15 to take off."),
    )
    at_time = forms.TimeField(
        label=gettext_lazy("About the time"),
        required=False,
        help_text=gettext_lazy(
            "Where it belongs in the figures per hour. Empty: now, or closing time."
        ),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy('For example: "counter reset at 14:00, add 120".'),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (value, category_label(value)) for value in categories_for(site)
        ]
        self.site = site

    def recorded_at(self) -> datetime.datetime | None:
        at_time = self.cleaned_data.get("at_time")
        if at_time is None:
            return None
        day = timezone.localtime(self.site.opens_at, local_zone()).date()
        return datetime.datetime.combine(day, at_time, tzinfo=local_zone())


AUDIT_PAGE_SIZE = 100


@login_required
@require_http_methods(["GET", "POST"])
def site_tally_audit(request, pk: int):
    """Every entry at a site with who, when and from which device, and the correction
    form. Coordinators of the site's branch and organisers."""
    site = _site_for(request, pk, "events.correct_tally")
    if request.method == "POST":
        form = CorrectionForm(request.POST, site=site)
        if form.is_valid():
            try:
                tally_correct(
                    site=site,
                    category=form.cleaned_data["category"],
                    delta=form.cleaned_data["delta"],
                    reason=form.cleaned_data["reason"],
                    recorded_at=form.recorded_at(),
                    client_id=form.cleaned_data["client_id"],
                    device_id="web",
                    by=request.user,
                )
            except ValidationError as error:
                for name, items in error.message_dict.items():
                    field = "at_time" if name == "recorded_at" else name
                    for message in items:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("The correction was added."))
                return redirect("events:site_tally_audit", pk=site.pk)
    else:
        form = CorrectionForm(site=site, initial={"client_id": uuid.uuid4()})

    entries = (
        TallyEntry.objects.filter(site=site)
        .select_related("recorded_by")
        .order_by("-received_at", "-id")
    )
    only = request.GET.get("only")
    if only == "corrections":
        entries = entries.filter(is_correction=True)
    category = request.GET.get("category")
    if category in categories_for(site):
        entries = entries.filter(category=category)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    totals = tally_totals(site)
    categories = categories_for(site)
    filter_category = category if category in categories else ""
    filter_only = only or ""
    return render(
        request,
        "events/tally_audit.html",
        {
            "site": site,
            "form": form,
            "page": page,
            "totals": [(category_label(c), totals[c]) for c in categories],
            "category_choices": [(c, category_label(c)) for c in categories],
            "hours": [(row["hour"], [row[c] for c in categories]) for row in tally_hours(site)],
            "category_labels": [category_label(c) for c in categories],
            "filter_category": filter_category,
            "filter_only": filter_only,
            # What the links to the other pages keep.
            "page_query": urlencode({"category": filter_category, "only": filter_only}),
        },
    )


# --- Dashboard ---------------------------------------------------------------------------


def _hour_chart(figures: EditionFigures, previous: EditionFigures | None):
    current = figures.hour_of_day()
    earlier = previous.hour_of_day() if previous else {}
    hours = sorted(set(current) | set(earlier)) or [figures.event.default_opens_at.hour]
    headline = category_label(figures.headline_category)
    series = [Series(figures.event.name, [current.get(h, 0) for h in hours], "#005f99")]
    if previous:
        series.append(
            Series(previous.event.name, [earlier.get(h, 0) for h in hours], "#b9d3e6", "#005f99")
        )
    return bar_chart_svg(
        labels=[f"{h:02d}:00" for h in hours],
        series=series,
        title=_("%(category)s per hour") % {"category": headline.capitalize()},
        description=_("Per hour of the day, Europe/Amsterdam time."),
    )


def _change(current: int, previous: int | None, *, started: bool = True) -> dict:
    # Before the day there is nothing to compare yet: "-100%" would only alarm people.
    ratio = None if previous is None or not started else change_ratio(current, previous)
    change = None if ratio is None else round(ratio * 100)
    return {
        "current": current,
        "previous": previous,
        "change": change,
        "change_signed": None if change is None else f"{change:+d}",
    }


def _comparison(figures: EditionFigures, previous: EditionFigures | None) -> list[dict]:
    """Per category, and for the number of sites counting: this edition, the previous
    one and the change in percent (None without a previous figure above zero, and before
    the edition's day)."""
    started = figures.event.date <= timezone.localdate()
    rows = [
        {
            "label": category_label(category),
            **_change(
                figures.totals[category],
                previous.totals.get(category, 0) if previous else None,
                started=started,
            ),
        }
        for category in figures.categories
    ]
    rows.append(
        {
            "label": _("sites counting"),
            **_change(
                figures.sites_counting,
                previous.sites_counting if previous else None,
                started=started,
            ),
        }
    )
    return rows


def _dashboard_state(event: Event) -> dict:
    """The edition's figures as the dashboard, its JSON and the impact report show them,
    compared with the previous edition of the same kind."""
    figures = edition_figures(event)
    earlier_event = previous_edition(event)
    previous = edition_figures(earlier_event) if earlier_event else None
    return {
        "event": event,
        "figures": figures,
        "category_labels": [category_label(c) for c in figures.categories],
        "previous": previous,
        "chart": _hour_chart(figures, previous),
        "comparison": _comparison(figures, previous),
        "updated_at": timezone.localtime(timezone.now(), local_zone()),
    }


def _payload(state: dict) -> dict:
    figures: EditionFigures = state["figures"]
    previous: EditionFigures | None = state["previous"]
    return {
        "event": figures.event.slug,
        "updated_at": state["updated_at"].isoformat(),
        "updated_at_display": date_format(state["updated_at"], "H:i:s"),
        "categories": [{"value": c, "label": category_label(c)} for c in figures.categories],
        "totals": figures.totals,
        "sites_counting": figures.sites_counting,
        "sites": [
            {
                "id": row.site.pk,
                "name": row.site.display_name,
                "town": row.site.location.city,
                "branch": row.site.branch.name,
                "lat": row.site.location.latitude,
                "lon": row.site.location.longitude,
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
    }


@login_required
@require_safe
def dashboard_index(request):
    """Editions to open the dashboard of, newest first."""
    events = _dashboard_events(request).order_by("-date", "name")
    return render(request, "events/dashboard_index.html", {"events": events})


@login_required
@require_safe
def dashboard(request, slug: str):
    """National totals, per site, per hour and on a map, refreshed live (dashboard.js)."""
    from django.conf import settings

    event = _event_for_dashboard(request, slug)
    state = _dashboard_state(event)
    return render(
        request,
        "events/dashboard.html",
        {
            **state,
            "payload": _payload(state),
            "data_url": reverse("events:dashboard_data", kwargs={"slug": event.slug}),
            "tile_url": getattr(settings, "MAP_TILE_URL", DEFAULT_TILE_URL),
            "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION),
        },
    )


@login_required
@require_safe
def dashboard_data(request, slug: str):
    """The dashboard's figures as JSON, polled by the page during the day."""
    event = _event_for_dashboard(request, slug)
    response = JsonResponse(_payload(_dashboard_state(event)))
    response["Cache-Control"] = "no-store"
    return response


def _column(label: str) -> str:
    return capfirst(str(label))


@login_required
@require_safe
def dashboard_sites_csv(request, slug: str):
    """One row per site: its totals per category."""
    event = _event_for_dashboard(request, slug)
    figures = edition_figures(event)
    response, writer = csv_response(f"{event.slug}-sites.csv")
    writer.writerow(
        [
            _("Site number"),
            _("Site"),
            _("Town"),
            _("Branch"),
            *(_column(category_label(c)) for c in figures.categories),
        ]
    )
    for row in figures.sites:
        writer.writerow(
            [
                row.site.pk,
                spreadsheet_cell(row.site.display_name),
                spreadsheet_cell(row.site.location.city),
                spreadsheet_cell(row.site.branch.name),
                *(row.totals[c] for c in figures.categories),
            ]
        )
    return response


@login_required
@require_safe
def dashboard_hours_csv(request, slug: str):
    """One row per site and local hour with entries: the sums per category."""
    event = _event_for_dashboard(request, slug)
    categories = CATEGORIES_BY_KIND[event.kind]
    names = {site.pk: site for site in Site.objects.filter(event=event).select_related("location")}
    response, writer = csv_response(f"{event.slug}-hours.csv")
    writer.writerow(
        [
            _("Hour"),
            _("Site number"),
            _("Site"),
            *(_column(category_label(c)) for c in categories),
        ]
    )
    for hour, site_id, counts in site_hour_rows(event):
        writer.writerow(
            [
                hour.isoformat(),
                site_id,
                spreadsheet_cell(names[site_id].display_name),
                *(counts[c] for c in categories),
            ]
        )
    return response


@login_required
@require_safe
def impact_report(request, slug: str):
    """The printable impact report of an edition, compared with the previous one."""
    event = _event_for_dashboard(request, slug)
    state = _dashboard_state(event)
    return render(
        request,
        "events/impact_report.html",
        {
            **state,
            "branches": state["figures"].branches(),
        },
    )
