"""What we hold about a person, for them to download (GDPR art. 15 and 20)."""

from typing import Any

from accounts.models import Volunteer
from common import clock
from events.models import Signup
from events.services.attendance import attendance_of


def volunteer_data_export(user) -> dict[str, Any]:
    """Everything personal we store about `user`: account, profile, sign-ups, reminders.

    The calendar tokens are left out: they are secrets, shown on the person's own pages.
    """
    from allauth.account.models import EmailAddress

    volunteer = Volunteer.objects.filter(user=user).select_related("home_branch").first()
    data: dict[str, Any] = {
        "exported_at": clock.now(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user)
            ],
            "organiser": user.is_organiser,
            "coordinator_of": list(user.coordinated_branches.values_list("name", flat=True)),
        },
        "volunteer": None,
        "signups": [],
    }
    if volunteer is None:
        return data
    data["volunteer"] = {
        "phone": volunteer.phone,
        "languages": volunteer.languages,
        "home_branch": volunteer.home_branch.name if volunteer.home_branch else None,
        "created_at": volunteer.created_at,
    }
    signups = list(
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__site__event", "shift__site__location")
        .prefetch_related("reminders")
        .order_by("shift__starts_at", "created_at")
    )
    turned_up = attendance_of(signups)
    data["signups"] = [
        {
            "event": signup.shift.site.event.name,
            "site": signup.shift.site.display_name,
            "town": signup.shift.site.location.city,
            "role": signup.shift.role,
            "starts_at": signup.shift.starts_at,
            "ends_at": signup.shift.ends_at,
            "status": signup.status,
            "signed_up_at": signup.created_at,
            "confirmed_at": signup.confirmed_at,
            "cancelled_at": signup.cancelled_at,
            "reminders_sent": [
                {"kind": r.kind, "sent_at": r.sent_at} for r in signup.reminders.all()
            ],
            # Whether they came (checked in or out, or marked as not come), and when.
            "attendance": _attendance(turned_up.get(signup.pk)),
        }
        for signup in signups
    ]
    return data


def _attendance(row) -> dict | None:
    if row is None:
        return None
    return {
        "status": row.status,
        "checked_in_at": row.checked_in_at,
        "checked_out_at": row.checked_out_at,
        "marked_as_not_come_at": row.no_show_at,
    }
