"""The control room of an edition on its day (`/manage/editions/{slug}/today/`): per site the
shifts on now and next with their places and who checked in, the site's live state as its
lead set it (`events.services.day`), its latest count and the time of its last tap, and
alerts (a site that asks for help; a shift that started with fewer people checked in than
it has places; a site that should be open and has sent nothing for a while), alerts first.

Organisers see every site of the edition (and may pick a branch), coordinators their
branches' sites; others are refused as on the dashboard (`tallies.view_dashboard`). The
page refreshes itself from the same address with `?format=json` (today.js). Its reads
are a fixed number of queries however many sites the edition has.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_safe

from accounts.roles import coordinated_branch_ids, is_organiser
from common import clock
from events.extensions import Link
from events.models import Event, Shift, Site, SiteState
from events.services.attendance import shift_attendance
from events.views.rows import path_for_pk
from locations.models import Branch

from ..categories import category_name, counted_at
from ..models import TallyEntry, TallyHour
from ..selectors import local_zone
from .dashboard import _event_for_dashboard, private_no_store

# A site that should be open and has sent no tap and set no state for this long is shown
# as silent.
DEFAULT_QUIET_MINUTES = 30
# A shift counts as short of people once it has been on this long with fewer checked in
# than places: people who arrive on time check in during their first minutes.
DEFAULT_CHECK_IN_GRACE_MINUTES = 10
# How often the page asks for fresh figures (seconds).
DEFAULT_REFRESH_SECONDS = 20


def quiet_after() -> datetime.timedelta:
    return datetime.timedelta(
        minutes=getattr(settings, "CONTROL_ROOM_QUIET_MINUTES", DEFAULT_QUIET_MINUTES)
    )


def check_in_grace() -> datetime.timedelta:
    return datetime.timedelta(
        minutes=getattr(
            settings, "CONTROL_ROOM_CHECK_IN_GRACE_MINUTES", DEFAULT_CHECK_IN_GRACE_MINUTES
        )
    )


def refresh_seconds() -> int:
    return int(getattr(settings, "CONTROL_ROOM_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))


# --- What the page shows ---------------------------------------------------------------------

# Alerts by weight: the heaviest decides a site's place in the list and its colour.
NEEDS_HELP, SHORT_OF_PEOPLE, SILENT = "needs_help", "short_of_people", "silent"
ALERT_WEIGHT = {NEEDS_HELP: 3, SHORT_OF_PEOPLE: 2, SILENT: 1}


@dataclass
class Alert:
    code: str
    message: str

    @property
    def weight(self) -> int:
        return ALERT_WEIGHT[self.code]


@dataclass
class ShiftRow:
    id: int
    role: str
    role_label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    confirmed: int
    checked_in: int = 0
    walk_ins: int = 0

    @property
    def short(self) -> bool:
        return self.checked_in < self.capacity


@dataclass
class SiteRow:
    id: int
    name: str
    town: str
    branch_id: int
    branch: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    state: str | None
    state_label: str
    state_note: str
    state_at: datetime.datetime | None
    last_tap_at: datetime.datetime | None
    totals: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, total
    shifts_now: list[ShiftRow] = field(default_factory=list)
    shifts_next: list[ShiftRow] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return max((alert.weight for alert in self.alerts), default=0)

    @property
    def note_beside_state(self) -> str:
        """The state's note, where the alerts do not show it already (a call for help)."""
        return "" if self.state == SiteState.State.NEEDS_HELP else self.state_note

    @property
    def level(self) -> str:
        """The heaviest alert's code, or "" without one (the card's colour)."""
        return max(self.alerts, key=lambda a: a.weight).code if self.alerts else ""


@functools.lru_cache(maxsize=4096)
def _local(moment: datetime.datetime) -> tuple[str, str]:
    """`moment`'s local time of day ("11:00") and its machine-readable form; many shifts
    and sites share their times, and formatting each took a fifth of the page's time.
    The same in every language (digits and a colon)."""
    local = timezone.localtime(moment, local_zone())
    return date_format(local, "H:i"), local.isoformat()


def _time(moment: datetime.datetime | None) -> str:
    return "" if moment is None else _local(moment)[0]


# --- Reading the edition's day ---------------------------------------------------------------


def control_room_sites(event: Event, viewer, branch_id: int | None = None) -> QuerySet[Site]:
    """The approved sites of `event` that `viewer` watches: all for organisers (of one
    branch when `branch_id` is given), their branches' for coordinators."""
    sites = Site.objects.filter(event=event, status=Site.Status.PUBLISHED)
    if not is_organiser(viewer):
        sites = sites.filter(branch_id__in=coordinated_branch_ids(viewer))
    if branch_id is not None:
        sites = sites.filter(branch_id=branch_id)
    return sites


def _site_rows(sites: QuerySet[Site]) -> dict[int, SiteRow]:
    """The sites with their latest state and the time of their last tap: one query."""
    latest = SiteState.objects.filter(site=OuterRef("pk")).order_by("-set_at", "-id")
    last_tap = TallyEntry.objects.filter(site=OuterRef("pk"), is_correction=False).order_by(
        "-recorded_at"
    )
    rows = sites.annotate(
        state_value=Subquery(latest.values("state")[:1]),
        state_note=Subquery(latest.values("note")[:1]),
        state_at=Subquery(latest.values("set_at")[:1]),
        last_tap_at=Subquery(last_tap.values("recorded_at")[:1]),
    ).values_list(
        "pk",
        "name",
        "location__name",
        "location__city",
        "branch_id",
        "branch__name",
        "opens_at",
        "closes_at",
        "state_value",
        "state_note",
        "state_at",
        "last_tap_at",
    )
    labels = dict(SiteState.State.choices)
    return {
        pk: SiteRow(
            id=pk,
            name=name or place,
            town=town,
            branch_id=branch_id,
            branch=branch,
            opens_at=opens_at,
            closes_at=closes_at,
            state=state,
            state_label=str(labels.get(state, "")) if state else "",
            state_note=note or "",
            state_at=state_at,
            last_tap_at=last_tap_at,
        )
        for (
            pk,
            name,
            place,
            town,
            branch_id,
            branch,
            opens_at,
            closes_at,
            state,
            note,
            state_at,
            last_tap_at,
        ) in rows
    }


def _add_shifts(rows: dict[int, SiteRow], sites: QuerySet[Site], now: datetime.datetime) -> None:
    """Per site, the shifts on now and those starting next (all that start at the next
    start time), with who checked in: two queries."""
    day_end = clock.at_local(now.astimezone(local_zone()).date(), datetime.time.max)
    shifts = (
        Shift.objects.filter(
            site__in=sites.values("pk"), is_cancelled=False, ends_at__gt=now, starts_at__lte=day_end
        )
        .order_by("site_id", "starts_at", "role", "pk")
        .values_list("pk", "site_id", "role", "starts_at", "ends_at", "capacity", "confirmed_count")
    )
    labels = dict(Shift.Role.choices)
    shown: list[ShiftRow] = []
    for pk, site_id, role, starts_at, ends_at, capacity, confirmed in shifts:
        row = rows.get(site_id)
        if row is None:
            continue
        label = str(labels.get(role, role))
        shift = ShiftRow(pk, role, label, starts_at, ends_at, capacity, confirmed)
        if starts_at <= now:
            row.shifts_now.append(shift)
        elif not row.shifts_next or row.shifts_next[0].starts_at == starts_at:
            row.shifts_next.append(shift)
        else:
            continue
        shown.append(shift)
    if shown:
        counts = shift_attendance([shift.id for shift in shown])
        for shift in shown:
            found = counts.get(shift.id)
            if found is not None:
                shift.checked_in = found.turned_up + found.walk_ins
                shift.walk_ins = found.walk_ins


def _add_totals(rows: dict[int, SiteRow], sites: QuerySet[Site], event: Event) -> None:
    """Per site, its total per category from the hourly sums: one query."""
    categories = tuple(c.slug for c in counted_at(event))
    sums: dict[int, dict[str, int]] = {}
    for site_id, category, total in (
        TallyHour.objects.filter(site__in=sites.values("pk"), category__in=categories)
        .values_list("site_id", "category")
        .annotate(total=Sum("total"))
        .order_by()
    ):
        sums.setdefault(site_id, {})[category] = total
    labels = {category: category_name(event.kind_id, category) for category in categories}
    for site_id, row in rows.items():
        found = sums.get(site_id, {})
        row.totals = [(c, labels[c], found.get(c, 0)) for c in categories]


def _add_alerts(row: SiteRow, now: datetime.datetime) -> None:
    if row.state == SiteState.State.NEEDS_HELP:
        row.alerts.append(
            Alert(
                NEEDS_HELP,
                _("Asks for help: %(note)s") % {"note": row.state_note}
                if row.state_note
                else _("Asks for help."),
            )
        )
    grace = check_in_grace()
    for shift in row.shifts_now:
        if shift.short and shift.starts_at + grace <= now:
            row.alerts.append(
                Alert(
                    SHORT_OF_PEOPLE,
                    ngettext(
                        "%(role)s since %(time)s: %(checked_in)s of %(capacity)s place checked in.",
                        "%(role)s since %(time)s: %(checked_in)s of %(capacity)s places "
                        "checked in.",
                        shift.capacity,
                    )
                    % {
                        "role": shift.role_label.capitalize(),
                        "time": _time(shift.starts_at),
                        "checked_in": shift.checked_in,
                        "capacity": shift.capacity,
                    },
                )
            )
    should_be_open = row.opens_at <= now < row.closes_at
    if should_be_open and row.state != SiteState.State.CLOSED_EARLY:
        heard = max(
            [moment for moment in (row.last_tap_at, row.state_at) if moment is not None],
            default=None,
        )
        if max(heard or row.opens_at, row.opens_at) + quiet_after() <= now:
            if heard is None:
                message = _("Open since %(time)s, and no tap and no state yet.") % {
                    "time": _time(row.opens_at)
                }
            else:
                message = _("Nothing heard since %(time)s (no tap, no state).") % {
                    "time": _time(heard)
                }
            row.alerts.append(Alert(SILENT, message))
    row.alerts.sort(key=lambda alert: -alert.weight)


def control_room_rows(
    event: Event, viewer, *, branch_id: int | None = None, now: datetime.datetime | None = None
) -> list[SiteRow]:
    """The sites `viewer` watches, with shifts, state, counts and alerts; those with
    alerts first (the heaviest first), then by name. Four queries."""
    now = now or clock.now()
    sites = control_room_sites(event, viewer, branch_id)
    rows = _site_rows(sites)
    if rows:
        _add_shifts(rows, sites, now)
        _add_totals(rows, sites, event)
    for row in rows.values():
        _add_alerts(row, now)
    return sorted(rows.values(), key=lambda r: (-r.weight, r.name.casefold(), r.id))


# --- The cards as HTML ----------------------------------------------------------------------


def _time_tag(moment: datetime.datetime) -> str:
    text, machine = _local(moment)
    return f'<time datetime="{machine}">{text}</time>'


def _span(start: datetime.datetime, end: datetime.datetime) -> str:
    return f'<bdi dir="ltr">{_time_tag(start)}–{_time_tag(end)}</bdi>'


def render_cards(rows: list[SiteRow], *, only_alerts: bool = False) -> SafeString:
    """One card per site, as the page shows them and the refresh sends them again. Made
    here with plain string formatting rather than a template, which took five seconds for
    a thousand sites (as `dashboard.site_rows`); every text is escaped, and each label
    translated once."""
    if not rows:
        empty = (
            _("No alerts: every site is fine.") if only_alerts else _("No approved sites to show.")
        )
        return SafeString(f'<p class="cr-empty">{escape(empty)}</p>')
    words = {
        "since": escape(pgettext("a state set at a time", "since")),
        "no_state": escape(_("No state yet")),
        "last_tap": escape(_("Last tap")),
        "none_yet": escape(pgettext("no tap counted yet", "none yet")),
        "shift": escape(_("Shift")),
        "places": escape(_("Places")),
        "checked_in": escape(_("Checked in")),
        "now": escape(pgettext("a shift that is on now", "now")),
        "next": escape(pgettext("the shift that starts next", "next")),
        "no_more": escape(_("No more shifts today.")),
        "roster": escape(_("Roster")),
        "counter": escape(_("Counter")),
        "set_state": escape(_("Set the state")),
    }
    roster, counter, state_page = (
        path_for_pk("events:roster"),
        path_for_pk("tallies:site_counter"),
        path_for_pk("events:site_state"),
    )
    labels: dict[str, str] = {}

    def label(text: str) -> str:
        found = labels.get(text)
        if found is None:
            found = labels[text] = escape(capfirst(text))
        return found

    def walk_ins(count: int) -> str:
        text = ngettext("%(count)s walk-in", "%(count)s walk-ins", count) % {"count": count}
        return f' <span class="meta">({escape(text)})</span>'

    def shift_row(shift: ShiftRow, when: str) -> str:
        now = when == "now"
        classes = "cr-now cr-short" if now and shift.short else f"cr-{when}"
        extra = walk_ins(shift.walk_ins) if now and shift.walk_ins else ""
        return (
            f'<tr class="{classes}" data-shift="{shift.id:d}"><th scope="row">{words[when]}: '
            f"{label(shift.role_label)} {_span(shift.starts_at, shift.ends_at)}</th>"
            f'<td><bdi dir="ltr">{shift.confirmed:d}/{shift.capacity:d}</bdi></td>'
            f'<td data-checked-in><bdi dir="ltr">{shift.checked_in:d}/{shift.capacity:d}</bdi>'
            f"{extra}</td></tr>"
        )

    def card(row: SiteRow) -> str:
        level = f" cr-level-{row.level}" if row.level else ""
        alerts = ""
        if row.alerts:
            alerts = (
                '<ul class="cr-alerts" data-alerts>'
                + "".join(
                    f'<li class="cr-alert cr-alert-{a.code}" data-alert="{a.code}">'
                    f"{escape(a.message)}</li>"
                    for a in row.alerts
                )
                + "</ul>"
            )
        if row.state:
            note = row.note_beside_state
            state = (
                f'<p class="cr-state cr-state-{escape(row.state)}" '
                f'data-state="{escape(row.state)}">'
                f"<strong>{label(row.state_label)}</strong> "
                f'<span class="meta">{words["since"]} {_time_tag(row.state_at)}</span>'
                + (f'<br><bdi class="cr-note">{escape(note)}</bdi>' if note else "")
                + "</p>"
            )
        else:
            no_state = words["no_state"]
            state = f'<p class="cr-state" data-state=""><span class="meta">{no_state}</span></p>'
        figures = "".join(
            f'<div><dt>{label(name)}</dt><dd data-total="{escape(value)}">{total:d}</dd></div>'
            for value, name, total in row.totals
        )
        last_tap = _time_tag(row.last_tap_at) if row.last_tap_at else words["none_yet"]
        if row.shifts_now or row.shifts_next:
            shifts = (
                f'<table class="cr-shifts"><thead><tr><th scope="col">{words["shift"]}</th>'
                f'<th scope="col">{words["places"]}</th>'
                f'<th scope="col">{words["checked_in"]}</th></tr></thead><tbody>'
                + "".join(shift_row(shift, "now") for shift in row.shifts_now)
                + "".join(shift_row(shift, "next") for shift in row.shifts_next)
                + "</tbody></table>"
            )
        else:
            shifts = f'<p class="meta">{words["no_more"]}</p>'
        return (
            f'<article class="cr-card{level}" data-site="{row.id:d}" '
            f'aria-labelledby="cr-site-{row.id:d}"><header class="cr-card-head">'
            f'<h2 id="cr-site-{row.id:d}"><bdi>{escape(row.name)}</bdi></h2>'
            f'<p class="meta"><bdi>{escape(row.town)}</bdi> · <bdi>{escape(row.branch)}</bdi> · '
            f"{_span(row.opens_at, row.closes_at)}</p></header>"
            f"{alerts}{state}"
            f'<dl class="cr-figures">{figures}<div><dt>{words["last_tap"]}</dt>'
            f"<dd data-last-tap>{last_tap}</dd></div></dl>"
            f"{shifts}"
            f'<p class="cr-links"><a href="{roster(row.id)}">{words["roster"]}</a> · '
            f'<a href="{counter(row.id)}">{words["counter"]}</a> · '
            f'<a href="{state_page(row.id)}">{words["set_state"]}</a></p></article>'
        )

    return SafeString("\n".join(card(row) for row in rows))


# --- The page and its data ----------------------------------------------------------------


def _branch_choice(request, event: Event) -> tuple[int | None, list[tuple[int, str]]]:
    """The branch an organiser picked (`?branch=`) and the branches with approved sites in
    the edition to pick from; coordinators pick among their own when they have several."""
    branches = Branch.objects.filter(
        sites__event=event, sites__status=Site.Status.PUBLISHED
    ).distinct()
    if not is_organiser(request.user):
        branches = branches.filter(pk__in=coordinated_branch_ids(request.user))
    choices = list(branches.order_by("name").values_list("pk", "name"))
    try:
        picked = int(request.GET.get("branch", ""))
    except ValueError:
        picked = None
    if picked is not None and picked not in {pk for pk, _name in choices}:
        picked = None
    return picked, choices


def _shift_json(shift: ShiftRow) -> dict:
    return {
        "id": shift.id,
        "role": shift.role,
        "role_label": shift.role_label,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "capacity": shift.capacity,
        "confirmed": shift.confirmed,
        "checked_in": shift.checked_in,
        "walk_ins": shift.walk_ins,
    }


def _site_json(row: SiteRow) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "town": row.town,
        "branch": row.branch,
        "opens_at": row.opens_at.isoformat(),
        "closes_at": row.closes_at.isoformat(),
        "state": None
        if row.state is None
        else {
            "value": row.state,
            "label": row.state_label,
            "note": row.state_note,
            "set_at": row.state_at.isoformat() if row.state_at else None,
        },
        "totals": {value: total for value, _label, total in row.totals},
        "last_tap_at": row.last_tap_at.isoformat() if row.last_tap_at else None,
        "shifts_now": [_shift_json(shift) for shift in row.shifts_now],
        "shifts_next": [_shift_json(shift) for shift in row.shifts_next],
        "alerts": [{"code": alert.code, "message": alert.message} for alert in row.alerts],
    }


def _state(request, event: Event) -> dict:
    now = clock.now()
    is_today = event.date == clock.today()
    branch_id, branches = _branch_choice(request, event)
    only_alerts = request.GET.get("alerts") in {"1", "on", "true"}
    rows = control_room_rows(event, request.user, branch_id=branch_id, now=now) if is_today else []
    alerting = sum(1 for row in rows if row.alerts)
    if only_alerts:
        rows = [row for row in rows if row.alerts]
    return {
        "event": event,
        "is_today": is_today,
        "rows": rows,
        "sites_count": len(rows),
        "alerts_count": alerting,
        "needs_help_count": sum(1 for row in rows if row.state == SiteState.State.NEEDS_HELP),
        "branches": branches if is_organiser(request.user) or len(branches) > 1 else [],
        "branch_id": branch_id,
        "only_alerts": only_alerts,
        "updated_at": timezone.localtime(now, local_zone()),
    }


def _json(state: dict, cards_html: str) -> dict:
    return {
        "event": state["event"].slug,
        "is_today": state["is_today"],
        "updated_at": state["updated_at"].isoformat(),
        "updated_at_display": date_format(state["updated_at"], "H:i:s"),
        "sites_count": state["sites_count"],
        "alerts_count": state["alerts_count"],
        "sites": [_site_json(row) for row in state["rows"]],
        "cards_html": cards_html,
    }


@private_no_store
@login_required
@require_safe
def control_room(request, slug: str):
    """The control room; `?format=json` gives its data (with the cards as HTML) for the
    page's refresh. `?branch=<id>` and `?alerts=1` filter; `?display=wall` is the
    projector's layout."""
    event = _event_for_dashboard(request, slug)
    state = _state(request, event)
    cards_html = render_cards(state["rows"], only_alerts=state["only_alerts"])
    if request.GET.get("format") == "json":
        response = JsonResponse(_json(state, cards_html))
        response["Cache-Control"] = "no-store"
        return response
    query = request.GET.copy()
    query["format"] = "json"
    return render(
        request,
        "tallies/today.html",
        {
            **state,
            "cards_html": cards_html,
            "data_url": f"{request.path}?{query.urlencode()}",
            "refresh_seconds": refresh_seconds(),
            "wall": request.GET.get("display") == "wall",
            "dashboard_url": reverse("tallies:dashboard", kwargs={"slug": event.slug}),
        },
    )


def edition_day_links(*, user, event: Event) -> list[Link]:
    """The dashboard and the control room, on the edition's management page
    (`events.extensions.add_edition_links`)."""
    if not user.has_perm("tallies.view_dashboard"):
        return []
    return [
        Link(_("Dashboard"), reverse("tallies:dashboard", kwargs={"slug": event.slug})),
        Link(_("Control room"), reverse("tallies:control_room", kwargs={"slug": event.slug})),
    ]
