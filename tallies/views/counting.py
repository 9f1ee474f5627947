"""Counting at a site: the counter at the door (`tallies.record_tally`), and the audit
trail with corrections (`tallies.correct_tally`). The rules are in `tallies/rules.py`;
anonymous visitors are sent to the log-in page, a site nobody may see is a 404."""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from common import clock
from common.errors import DomainError
from common.forms import show_errors
from events.models import Site

from ..categories import category_name, category_of
from ..models import TallyEntry
from ..selectors import (
    categories_for,
    counting_closes_at,
    counting_is_open,
    local_zone,
    site_for_counting,
    tally_figures,
    tally_refusals,
    tally_totals,
    tally_window,
)
from ..services import REFUSAL_MESSAGES, tally_correct


def category_label(site: Site, value: str) -> str:
    return category_name(site.event.kind_id, value)


def _site_for(request, pk: int, permission: str) -> Site:
    return site_for_counting(request.user, pk, permission)


# --- Counter ---------------------------------------------------------------------------


@login_required
@require_safe
def site_counter(request, pk: int):
    """The counter at the door: big buttons, works on with no network (see counter.js)."""
    site = _site_for(request, pk, "tallies.record_tally")
    # A volunteer sees the figures on the site's day only; later they may still send
    # taps the phone kept, without seeing the totals.
    totals = tally_totals(site) if request.user.has_perm("tallies.view_tallies", site) else None
    window = tally_window(site)
    categories = [
        {
            "value": value,
            "label": category.name,
            "tap": category.tap,
            "total": None if totals is None else totals[value],
        }
        for value in categories_for(site)
        if (category := category_of(site.event.kind_id, value)) is not None
    ]
    config = {
        "site": site.pk,
        "api": reverse("tallies_api:site_tallies", kwargs={"pk": site.pk}),
        "totals": totals,
        # When these totals were read (server time, whole seconds): a copy of this page
        # opened offline (the service worker's) shows the newer totals the phone kept.
        "totals_at": int(clock.now().timestamp()),
    }
    return render(
        request,
        "tallies/counter.html",
        {
            "site": site,
            "categories": categories,
            "config": config,
            "can_correct": request.user.has_perm("tallies.correct_tally", site),
            "on_the_day": window[0] <= clock.now() < window[1],
            "counting_closed": not counting_is_open(site),
        },
    )


# --- Audit trail and corrections ---------------------------------------------------------


class CorrectionForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What"))
    delta = forms.IntegerField(
        label=pgettext_lazy("tally correction: the number added or taken off", "Change"),
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
            (value, category_label(site, value)) for value in categories_for(site)
        ]
        self.site = site

    def recorded_at(self) -> datetime.datetime | None:
        at_time = self.cleaned_data.get("at_time")
        if at_time is None:
            return None
        day = timezone.localtime(self.site.opens_at, local_zone()).date()
        return datetime.datetime.combine(day, at_time, tzinfo=local_zone())


AUDIT_PAGE_SIZE = 100
# The audit page's reader is the coordinator the counter's longer words point to: a short
# name for each reason (the counter keeps REFUSAL_MESSAGES).
AUDIT_REASONS = {
    "rate_limited": gettext_lazy("Too many in one minute"),
    "total_limited": gettext_lazy("Too many in all, by one person or phone"),
    "counting_closed": gettext_lazy("Sent after counting closed"),
    "recorded_in_future": gettext_lazy("Time in the future (phone's clock)"),
    "recorded_off_day": gettext_lazy("Time far from the site's day"),
    "id_conflict": gettext_lazy("Id already used for another tap"),
}


@cache_control(private=True, no_store=True)  # it names who counted, and their devices
@login_required
@require_http_methods(["GET", "POST"])
def site_tally_audit(request, pk: int):
    """Every entry at a site with who, when and from which device, the taps the server
    refused, and the correction form. Coordinators of the site's branch (until counting
    closes) and organisers."""
    site = _site_for(request, pk, "tallies.correct_tally")
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
            except DomainError as error:
                show_errors(form, error, field_names={"recorded_at": "at_time"})
            else:
                messages.success(request, _("The correction was added."))
                return redirect("tallies:site_tally_audit", pk=site.pk)
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
    totals, hours = tally_figures(site)
    categories = categories_for(site)
    refusals = [
        {**row, "reason": AUDIT_REASONS.get(row["code"]) or REFUSAL_MESSAGES.get(row["code"], "")}
        for row in tally_refusals(site)
    ]
    filter_category = category if category in categories else ""
    filter_only = only or ""
    return render(
        request,
        "tallies/tally_audit.html",
        {
            "site": site,
            "form": form,
            "page": page,
            "totals": [(category_label(site, c), totals[c]) for c in categories],
            "category_choices": [(c, category_label(site, c)) for c in categories],
            "hours": [(row["hour"], [row[c] for c in categories]) for row in hours],
            "refusals": refusals,
            "refused_taps": sum(row["taps"] for row in refusals),
            # Counting closes at midnight: the last day it is open.
            "counting_until": timezone.localtime(
                counting_closes_at(site) - datetime.timedelta(microseconds=1), local_zone()
            ).date(),
            "counting_closed": not counting_is_open(site),
            "category_labels": [category_label(site, c) for c in categories],
            "filter_category": filter_category,
            "filter_only": filter_only,
            # What the links to the other pages keep.
            "page_query": urlencode({"category": filter_category, "only": filter_only}),
        },
    )
