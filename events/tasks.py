"""Background tasks of the events app: the mail about sites and shifts
(`events.notifications`). Queued by the services once their change commits; each takes ids
and strings only (they travel through the queue as JSON) and sends through
`accounts.mail.send_once`, so a retried task never mails anyone twice."""

from common.tasks import background

from . import notifications


@background
def send_shift_mails_task(name: str, signup_ids: list[int]) -> int:
    """The mail `events/email/<name>` about each of these sign-ups (promoted,
    shift_cancelled, address_shared, signup_confirmed, signup_waitlisted, signup_released,
    waitlist_left)."""
    return notifications.send_shift_mails(name, signup_ids)


@background
def send_shift_moved_task(
    signup_ids: list[int], was_starts: str, was_ends: str, starts: str, ends: str
) -> int:
    """The mail about a shift's new time to its volunteers (times as ISO strings)."""
    return notifications.send_shift_moved(signup_ids, was_starts, was_ends, starts)


@background
def send_site_cancelled_task(site_id: int, signup_ids: list[int], comment: str) -> int:
    """A cancelled site, to the volunteers who had a place there."""
    return notifications.send_site_cancelled(site_id, signup_ids, comment)


@background
def send_coordinators_task(site_id: int, kind: str, comment: str, change: str) -> int:
    """A site's change (published, sent back, cancelled), to its branch's coordinators."""
    return notifications.send_coordinators(site_id, kind, comment, change)


# --- Understaffing alerts (events/alerts.py), queued every few minutes by the worker ------
# (engineer E; `volunteers.periodic` queues them)


@background
def send_staffing_digests() -> int:
    """The coordinators' daily digests that are due (each sent once a day)."""
    from .alerts import staffing_digests_send

    return staffing_digests_send()


@background
def send_shift_alerts() -> int:
    """The alerts about shifts that started with open places (each sent once)."""
    from .alerts import shift_alerts_send

    return shift_alerts_send()
