"""The tally API: `/api/v1/sites/{id}/tallies/` and its corrections.

The batch is checked for shape here, by hand rather than with nested serializers: a
counter phone sends up to 500 entries at a time, and a plain loop is many times faster
than a serializer per entry. The serializers below describe the same shape for the
OpenAPI schema and check the (rare) corrections.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.parsers import JSONParser
from events.models import Site

from .categories import known_slugs
from .models import TallyEntry
from .selectors import categories_for, site_for_counting, tally_figures, tally_totals
from .services import (
    MAX_BATCH,
    REFUSAL_MESSAGES,
    TallyRecordResult,
    TallyTap,
    tally_correct,
    tally_record,
)

DEVICE_ID_MAX = TallyEntry._meta.get_field("device_id").max_length
_MAX_ERRORS = 20


# --- Shape of a batch --------------------------------------------------------------------


def _datetime(value: Any) -> datetime.datetime | None:
    """An ISO 8601 date and time with a UTC offset, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


def _uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def parse_batch(data: Any) -> tuple[list[TallyTap], str, datetime.datetime | None]:
    """The entries, device id and sending time of a batch; a 400 naming each bad field
    (`entries[3].delta`) when the batch is malformed."""
    if not isinstance(data, dict):
        raise ValidationError({"entries": [_("Send an object with a list of entries.")]})
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ValidationError({"entries": [_("Send a list of at least one entry.")]})
    if len(raw_entries) > MAX_BATCH:
        raise ValidationError(
            {"entries": [_("Send at most %(max)d entries at a time.") % {"max": MAX_BATCH}]}
        )
    errors: dict[str, list[str]] = {}

    device_id = data.get("device_id", "")
    if device_id is None:
        device_id = ""
    if not isinstance(device_id, str) or len(device_id) > DEVICE_ID_MAX:
        errors["device_id"] = [
            _("Send text of at most %(max)d characters.") % {"max": DEVICE_ID_MAX}
        ]
    sent_at = None
    if data.get("sent_at") is not None:
        sent_at = _datetime(data["sent_at"])
        if sent_at is None:
            errors["sent_at"] = [_("Send a date and time with a UTC offset (ISO 8601).")]

    taps: list[TallyTap] = []
    for index, raw in enumerate(raw_entries):
        if len(errors) >= _MAX_ERRORS:
            break
        where = f"entries[{index}]"
        if not isinstance(raw, dict):
            errors[where] = [_("Each entry is an object.")]
            continue
        errors_before = len(errors)
        raw_id, category = raw.get("id"), raw.get("category")
        delta, recorded_at = raw.get("delta"), _datetime(raw.get("recorded_at"))
        client_id = _uuid(raw_id)
        if client_id is None:
            errors[f"{where}.id"] = [_("Send a UUID.")]
        if not isinstance(category, str) or category not in known_slugs():
            errors[f"{where}.category"] = [
                _("Send one of: %(choices)s.") % {"choices": ", ".join(sorted(known_slugs()))}
            ]
        if not isinstance(delta, int) or isinstance(delta, bool):
            errors[f"{where}.delta"] = [_("Send a whole number.")]
        if recorded_at is None:
            errors[f"{where}.recorded_at"] = [
                _("Send a date and time with a UTC offset (ISO 8601).")
            ]
        if len(errors) == errors_before:
            taps.append(TallyTap(client_id, category, delta, recorded_at))
    if errors:
        raise ValidationError(errors)
    return taps, device_id, sent_at


# --- Serializers for the schema ----------------------------------------------------------


class TallyEntryInSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Made by the phone for every tap; resending is safe.")
    category = serializers.CharField(
        help_text="The code of a category counted at the site's kind of action day."
    )
    delta = serializers.IntegerField(help_text="-1 (undo) to +50; 0 is refused.")
    recorded_at = serializers.DateTimeField(
        help_text="When the tap happened, with a UTC offset, by the phone's clock."
    )


class TallyBatchInSerializer(serializers.Serializer):
    entries = TallyEntryInSerializer(many=True, min_length=1, max_length=MAX_BATCH)
    device_id = serializers.CharField(
        required=False, max_length=DEVICE_ID_MAX, help_text="The counting device, for the audit."
    )
    sent_at = serializers.DateTimeField(
        required=False,
        help_text=(
            "The phone's clock when it sent the batch. When it differs from the server's "
            "clock by more than two minutes, every recorded_at of the batch is shifted by "
            "the difference."
        ),
    )


class RefusalSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.ChoiceField(choices=sorted(REFUSAL_MESSAGES))
    reason = serializers.CharField()


class TallyRecordOutSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Entries stored by this request.")
    duplicates = serializers.IntegerField(help_text="Entries that were already stored.")
    refused = RefusalSerializer(many=True)
    totals = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text=(
            "Per category; null for a volunteer sending taps after the site's day (they "
            "see the figures on the day only)."
        ),
    )
    clock_offset_seconds = serializers.IntegerField(
        help_text="The correction applied to the phone's clock (0 when none)."
    )


class TallyHourSerializer(serializers.Serializer):
    hour = serializers.DateTimeField(help_text="Start of the hour, Europe/Amsterdam.")
    counts = serializers.DictField(child=serializers.IntegerField())


class TallySummarySerializer(serializers.Serializer):
    site = serializers.IntegerField()
    event = serializers.SlugField()
    categories = serializers.ListField(child=serializers.CharField())
    totals = serializers.DictField(child=serializers.IntegerField())
    hours = TallyHourSerializer(many=True)


class CorrectionInSerializer(serializers.Serializer):
    category = serializers.CharField(
        help_text="The code of a category counted at the site's kind of action day."
    )
    delta = serializers.IntegerField(help_text="Any whole number except 0, e.g. 120 or -15.")
    reason = serializers.CharField(max_length=500)
    recorded_at = serializers.DateTimeField(
        required=False, help_text="The time the correction is about; default now."
    )
    id = serializers.UUIDField(required=False, help_text="Makes a resent correction count once.")


class CorrectionOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    category = serializers.CharField()
    delta = serializers.IntegerField()
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    totals = serializers.DictField(child=serializers.IntegerField())


# --- Views -------------------------------------------------------------------------------


def _site(request, pk: int, permission: str) -> Site:
    try:
        return site_for_counting(request.user, pk, permission)
    except DjangoPermissionDenied:
        raise PermissionDenied(_("You may not count at this site.")) from None


def _result_body(result: TallyRecordResult, *, show_totals: bool) -> dict:
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "refused": [
            {"id": str(r.client_id), "code": r.code, "reason": r.reason} for r in result.refused
        ],
        "totals": result.totals if show_totals else None,
        "clock_offset_seconds": round(result.clock_offset.total_seconds()),
    }


def summary_body(site: Site) -> dict:
    categories = categories_for(site)
    totals, hours = tally_figures(site)
    return {
        "site": site.pk,
        "event": site.event.slug,
        "categories": list(categories),
        "totals": totals,
        "hours": [
            {"hour": row["hour"].isoformat(), "counts": {c: row[c] for c in categories}}
            for row in hours
        ],
    }


WHO_MAY_COUNT = (
    "Organisers, the coordinators of the site's branch, and volunteers with a confirmed "
    "shift at the site on its day (a public site; they may send the day's taps later, "
    "but see the totals on the day only); others get 403. Session (with CSRF token) or "
    "`Authorization: Token …`."
)

_Error = ErrorSerializer
_ERRORS = {
    400: OpenApiResponse(_Error, description="Malformed; `fields` names each problem."),
    403: OpenApiResponse(_Error, description="Not signed in, or may not count here."),
    404: OpenApiResponse(_Error, description="No such site."),
}


class SiteTalliesView(APIView):
    """Counts at one site: organisers, the branch's coordinators, and volunteers with a
    confirmed shift at the site on its day."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Totals of a site, per category and per hour",
        description=(
            "Sums per category of the site's kind of event, and per local hour "
            "(Europe/Amsterdam) from opening to closing, including corrections. " + WHO_MAY_COUNT
        ),
        responses={200: TallySummarySerializer, 403: _ERRORS[403], 404: _ERRORS[404]},
        tags=["tallies"],
    )
    def get(self, request, pk: int):
        site = _site(request, pk, "tallies.view_tallies")
        return Response(summary_body(site))

    @extend_schema(
        summary="Send counted taps",
        description=(
            f"Up to {MAX_BATCH} entries, each stored once by its `id`: an entry that was "
            "already stored is counted under `duplicates`, never twice. Entries that break "
            "a rule are listed under `refused` with a `code` and a `reason`, while the "
            "others are stored: `category_not_counted` (not counted at this kind of event), "
            "`delta_out_of_range` (a tap counts -1 to +50, not 0), `recorded_in_future`, "
            "`recorded_off_day` (more than 6 hours outside the site's day), `id_conflict` "
            "(the id is stored for a different site, category or delta), "
            "`counting_closed` (arrived more than TALLY_CLOSES_AFTER_DAYS, default 7, days "
            "after the site's day; a phone that was offline for a day or two still "
            "delivers), `rate_limited` (one person or device counted more than "
            "TALLY_LIMIT_PER_MINUTE, default 500, in one minute of the taps' time, at this "
            "site and in this category) and `total_limited` (more than "
            "TALLY_LIMIT_PER_SITE, default 5,000, at this site in this category). A "
            "malformed batch (not a list, more than 500 entries, an entry without a UUID, "
            "an unknown category, a time without offset) is a 400 and stores nothing. A "
            "cancelled site answers 409 `site_cancelled`, a site that is not approved 409 "
            "`site_not_approved`; nothing is stored then. " + WHO_MAY_COUNT
        ),
        request=TallyBatchInSerializer,
        responses={
            200: TallyRecordOutSerializer,
            **_ERRORS,
            409: OpenApiResponse(
                ErrorSerializer, description="The site is cancelled, or not approved."
            ),
        },
        tags=["tallies"],
    )
    def post(self, request, pk: int):
        site = _site(request, pk, "tallies.record_tally")
        taps, device_id, sent_at = parse_batch(request.data)
        result = tally_record(
            site=site, entries=taps, by=request.user, device_id=device_id, sent_at=sent_at
        )
        show_totals = request.user.has_perm("tallies.view_tallies", site)
        return Response(_result_body(result, show_totals=show_totals))


class SiteTallyCorrectionsView(APIView):
    """Corrections by the branch's coordinators and organisers."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Add a correction with a reason",
        description=(
            "An entry of any size (not 0, at most 100,000 either way) with a reason, e.g. "
            '"counter reset at 14:00, add 120". Earlier entries are never changed. The '
            "correction keeps who made it, when, and from which device. Organisers, and "
            "the coordinators of the site's branch until counting closes "
            "(TALLY_CLOSES_AFTER_DAYS after the site's day); others get 403."
        ),
        request=CorrectionInSerializer,
        responses={
            201: CorrectionOutSerializer,
            **_ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="The site is cancelled."),
        },
        tags=["tallies"],
    )
    def post(self, request, pk: int):
        site = _site(request, pk, "tallies.correct_tally")
        serializer = CorrectionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = tally_correct(
            site=site,
            category=data["category"],
            delta=data["delta"],
            reason=data["reason"],
            recorded_at=data.get("recorded_at"),
            client_id=data.get("id"),
            device_id="api",
            by=request.user,
        )
        return Response(
            {
                "id": str(entry.client_id),
                "category": entry.category,
                "delta": entry.delta,
                "reason": entry.reason,
                "recorded_at": entry.recorded_at.isoformat(),
                "totals": tally_totals(site),
            },
            status=status.HTTP_201_CREATED,
        )


def categories_in_schema(result, generator, request, public):
    """A drf-spectacular hook: every `category` property of the counting API lists the
    categories there are now (`tallies.Category`, data that organisers change). Without a
    database (`manage.py check` on a build machine) the lists are left out."""
    try:
        codes = sorted(known_slugs())
    except Exception:  # no database here (a build machine's check, a test's collection)
        return result
    if not codes:
        return result
    for component in result.get("components", {}).get("schemas", {}).values():
        category = component.get("properties", {}).get("category")
        if category is not None and category.get("type") == "string":
            category["enum"] = codes
    return result
