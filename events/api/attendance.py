"""Attendance on the day through the API (`events.services.attendance` decides):

    GET    /api/v1/shifts/{id}/attendance/                     who is on it, who came
    POST   /api/v1/shifts/{id}/attendance/{signup}/check-in/   (coordinators of the branch,
    POST   /api/v1/shifts/{id}/attendance/{signup}/check-out/   organisers)
    POST   /api/v1/shifts/{id}/attendance/{signup}/no-show/
    POST   /api/v1/shifts/{id}/attendance/{signup}/undo/
    POST   /api/v1/shifts/{id}/walk-ins/                        {"name", "form_key"}: a walk-in
                                                                helper (once per form_key)
    POST   /api/v1/shifts/{id}/walk-ins/{attendance}/check-out/
    DELETE /api/v1/shifts/{id}/walk-ins/{attendance}/           added by mistake
    POST   /api/v1/shifts/{id}/check-in/                        the volunteer themselves
    POST   /api/v1/check-in/{token}/                            with the site's QR code
    GET    /api/v1/events/{slug}/attendance/                    counts (organisers: every
                                                                branch; coordinators: theirs)

Refusals answer `{"code", "detail"}`: 409 for a rule (`check_in_too_early`, `shift_over`,
`not_confirmed`, ...), 403 for a person who may not (`permission_denied`, or
`not_your_shift`), 404/410 for an unknown or expired code.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ExpiringTokenAuthentication
from accounts.roles import coordinated_branch_ids, is_organiser
from common.api import ErrorSerializer, InvalidParameter
from locations.models import Branch

from ..errors import NotSignedUp
from ..models import Attendance, Event, Shift, Signup
from ..selectors import shift_for
from ..services import attendance
from .schema import ERROR_400, ERROR_403, ERROR_404

TAKE = "events.take_attendance"

# --- Serializers ----------------------------------------------------------------------------


class AttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shift = serializers.IntegerField(source="shift_id")
    signup = serializers.IntegerField(source="signup_id", allow_null=True)
    walk_in_name = serializers.CharField(help_text="Only for walk-in helpers.")
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    method = serializers.ChoiceField(choices=Attendance.Method.choices, allow_blank=True)
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    no_show_at = serializers.DateTimeField(allow_null=True)


class PersonAttendanceSerializer(serializers.Serializer):
    signup = serializers.IntegerField(source="pk")
    signup_status = serializers.ChoiceField(source="status", choices=Signup.Status.choices)
    first_name = serializers.CharField(source="volunteer.user.first_name")
    last_name = serializers.CharField(source="volunteer.user.last_name")
    attendance = AttendanceSerializer(
        source="attendance_row", allow_null=True, help_text="null: not checked in (yet)."
    )


class CountsSerializer(serializers.Serializer):
    signed_up = serializers.IntegerField(help_text="Confirmed places.")
    turned_up = serializers.IntegerField(help_text="Of them, checked in or out.")
    no_shows = serializers.IntegerField(help_text="Of them, marked as not come.")
    walk_ins = serializers.IntegerField(help_text="Helpers who came without signing up.")


class ShiftAttendanceSerializer(serializers.Serializer):
    shift = serializers.IntegerField()
    check_in_open = serializers.BooleanField()
    counts = CountsSerializer()
    people = PersonAttendanceSerializer(many=True)
    walk_ins = AttendanceSerializer(many=True)


class BranchCountsSerializer(CountsSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EditionAttendanceSerializer(CountsSerializer):
    event = serializers.CharField()
    branches = BranchCountsSerializer(many=True)


class WalkInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=attendance.WALK_IN_NAME_LENGTH)
    form_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{1,64}\Z",
        required=False,
        allow_blank=True,
        help_text=(
            "Optional one-time key of this request (URL-safe letters, digits, '-' and '_', "
            "at most 64): sent again with the same key and name, the request returns the "
            "helper it added (200) and adds no second one."
        ),
    )


def _counts(counts: attendance.AttendanceCounts) -> dict:
    return {
        "signed_up": counts.signed_up,
        "turned_up": counts.turned_up,
        "no_shows": counts.no_shows,
        "walk_ins": counts.walk_ins,
    }


# --- Views ----------------------------------------------------------------------------------


class _AttendanceView(APIView):
    # Token first, so an unauthenticated client gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def _shift(self, request, pk: int):
        """The shift for a coordinator of its branch or an organiser (404 when not
        visible, 403 when visible and not theirs)."""
        return shift_for(request.user, pk, TAKE)

    def _signup(self, shift, signup_pk: int) -> Signup:
        signup = (
            Signup.objects.filter(shift=shift, pk=signup_pk)
            .select_related("volunteer__user")
            .first()
        )
        if signup is None:
            raise Http404
        return signup


_REFUSALS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: ERROR_403,
    404: ERROR_404,
    409: OpenApiResponse(
        ErrorSerializer,
        description="Refused, nothing changed. `code`: `check_in_too_early`, `shift_over`, "
        "`shift_not_begun`, `not_confirmed`, `no_place`, `shift_cancelled`, "
        "`site_not_published`, `not_checked_in`, `already_checked_in`, "
        "`form_already_sent` (a walk-in's `form_key` used for another name or shift).",
    ),
}


class ShiftAttendanceView(_AttendanceView):
    @extend_schema(
        operation_id="shift_attendance",
        summary="Who is on a shift and whether they came (coordinators, organisers)",
        responses={200: ShiftAttendanceSerializer, **_REFUSALS},
        tags=["attendance"],
    )
    def get(self, request, pk: int):
        shift = self._shift(request, pk)
        people = list(
            Signup.objects.filter(shift=shift)
            .confirmed()
            .select_related("volunteer__user")
            .order_by(*Signup.WAITLIST_ORDER)
        )
        rows = attendance.attendance_of(people)
        for signup in people:
            signup.attendance_row = rows.get(signup.pk)
        data = {
            "shift": shift.pk,
            "check_in_open": attendance.may_check_in(shift),
            "counts": _counts(attendance.shift_attendance([shift.pk])[shift.pk]),
            "people": people,
            "walk_ins": attendance.walk_ins([shift.pk]).get(shift.pk, []),
        }
        response = Response(ShiftAttendanceSerializer(data).data)
        response["Cache-Control"] = "private, no-store"
        return response


def _action_schema(operation: str, summary: str, ok: int = 200):
    return extend_schema(
        operation_id=operation,
        summary=summary,
        request=None,
        responses={ok: AttendanceSerializer, **_REFUSALS},
        tags=["attendance"],
    )


class SignupCheckInView(_AttendanceView):
    @_action_schema("attendance_check_in", "Check a person in by hand")
    def post(self, request, pk: int, signup: int):
        shift = self._shift(request, pk)
        row = attendance.check_in(
            signup=self._signup(shift, signup),
            by=request.user,
            method=Attendance.Method.COORDINATOR,
        )
        return Response(AttendanceSerializer(row).data)


class SignupCheckOutView(_AttendanceView):
    @_action_schema("attendance_check_out", "Check a person out")
    def post(self, request, pk: int, signup: int):
        shift = self._shift(request, pk)
        row = Attendance.objects.filter(signup=self._signup(shift, signup)).first()
        if row is None:
            raise attendance.NotCheckedIn()
        return Response(
            AttendanceSerializer(attendance.check_out(attendance=row, by=request.user)).data
        )


class SignupNoShowView(_AttendanceView):
    @_action_schema("attendance_no_show", "Mark a person as not come (once the shift began)")
    def post(self, request, pk: int, signup: int):
        shift = self._shift(request, pk)
        row = attendance.mark_no_show(signup=self._signup(shift, signup), by=request.user)
        return Response(AttendanceSerializer(row).data)


class SignupUndoView(_AttendanceView):
    @extend_schema(
        operation_id="attendance_undo",
        summary="Back to not checked in",
        request=None,
        responses={204: None, **_REFUSALS},
        tags=["attendance"],
    )
    def post(self, request, pk: int, signup: int):
        shift = self._shift(request, pk)
        row = Attendance.objects.filter(signup=self._signup(shift, signup)).first()
        if row is not None:
            attendance.undo(attendance=row, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WalkInListView(_AttendanceView):
    @extend_schema(
        operation_id="attendance_walk_in",
        summary="Add a walk-in helper (came without signing up), checked in at once",
        request=WalkInSerializer,
        responses={
            201: AttendanceSerializer,
            200: OpenApiResponse(
                AttendanceSerializer, description="Sent again with the same `form_key`."
            ),
            400: ERROR_400,
            **_REFUSALS,
        },
        tags=["attendance"],
    )
    def post(self, request, pk: int):
        shift = self._shift(request, pk)
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = attendance.add_walk_in(
            shift=shift,
            name=serializer.validated_data["name"],
            by=request.user,
            form_key=serializer.validated_data.get("form_key", ""),
        )
        return Response(
            AttendanceSerializer(row).data,
            status=status.HTTP_200_OK if row.repeated else status.HTTP_201_CREATED,
        )


class _WalkInView(_AttendanceView):
    def _row(self, request, pk: int, walk_in: int) -> Attendance:
        shift = self._shift(request, pk)
        return get_object_or_404(Attendance, shift=shift, pk=walk_in, signup=None)


class WalkInDetailView(_WalkInView):
    @extend_schema(
        operation_id="attendance_walk_in_remove",
        summary="Remove a walk-in helper added by mistake",
        responses={204: None, **_REFUSALS},
        tags=["attendance"],
    )
    def delete(self, request, pk: int, walk_in: int):
        attendance.undo(attendance=self._row(request, pk, walk_in), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WalkInCheckOutView(_WalkInView):
    @_action_schema("attendance_walk_in_check_out", "Check a walk-in helper out")
    def post(self, request, pk: int, walk_in: int):
        row = attendance.check_out(attendance=self._row(request, pk, walk_in), by=request.user)
        return Response(AttendanceSerializer(row).data)


class SelfCheckInView(_AttendanceView):
    @_action_schema("shift_check_in", "Check in on one's own confirmed shift")
    def post(self, request, pk: int):
        # Through the shift, so that an id out of the database's range is a 404.
        shift = get_object_or_404(Shift, pk=pk)
        signup = (
            Signup.objects.filter(
                shift=shift, volunteer__user=request.user, status__in=Signup.ACTIVE_STATUSES
            )
            .select_related("volunteer")
            .first()
        )
        if signup is None:
            raise NotSignedUp()
        row = attendance.check_in(signup=signup, by=request.user, method=Attendance.Method.SELF)
        return Response(AttendanceSerializer(row).data)


class CodeCheckInView(_AttendanceView):
    @extend_schema(
        operation_id="check_in_with_code",
        summary="Check in with a site's QR code of the day",
        description="Checks the signed-in person in on each of their confirmed shifts at "
        "the code's site that are open for check-in now. 404 `check_in_code_unknown`; 410 "
        "`check_in_code_expired` or `check_in_code_withdrawn`; 409 `no_shift_here` or "
        "`check_in_too_early`.",
        request=None,
        responses={
            200: AttendanceSerializer(many=True),
            410: OpenApiResponse(ErrorSerializer, description="Expired or withdrawn."),
            **_REFUSALS,
        },
        tags=["attendance"],
    )
    def post(self, request, token: str):
        rows = attendance.check_in_with_code(token=token, user=request.user)
        return Response(AttendanceSerializer(rows, many=True).data)


class EditionAttendanceView(_AttendanceView):
    @extend_schema(
        operation_id="edition_attendance",
        summary="An edition's attendance counts: organisers all, coordinators their branches",
        parameters=[OpenApiParameter("branch", int, description="Only this branch (its id).")],
        responses={200: EditionAttendanceSerializer, 400: ERROR_400, **_REFUSALS},
        tags=["attendance"],
    )
    def get(self, request, slug: str):
        user = request.user
        event = get_object_or_404(Event, slug=slug)
        if is_organiser(user):
            branch_ids = None
        else:
            branch_ids = set(coordinated_branch_ids(user))
            if not branch_ids:
                raise PermissionDenied
        raw = request.query_params.get("branch", "").strip()
        if raw:
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
                raise InvalidParameter("branch", _("Give the id of a branch as a whole number."))
            chosen = int(raw)
            if branch_ids is not None and chosen not in branch_ids:
                raise PermissionDenied
            branch_ids = {chosen}
        by_branch = attendance.branch_attendance(event, branch_ids=branch_ids)
        names = dict(Branch.objects.filter(pk__in=by_branch).values_list("pk", "name"))
        total = attendance.AttendanceCounts()
        branches = []
        for branch_id, counts in sorted(by_branch.items(), key=lambda i: names.get(i[0], "")):
            total += counts
            branches.append({"id": branch_id, "name": names.get(branch_id, ""), **_counts(counts)})
        data = {"event": event.slug, **_counts(total), "branches": branches}
        response = Response(EditionAttendanceSerializer(data).data)
        response["Cache-Control"] = "private, no-store"
        return response
