"""Background tasks of the volunteer's side: messages to volunteers, coordinators'
appeals, and the reminders that the worker queues periodically (`send_due_reminders`).
Each takes ids and strings only and mails through `accounts.mail.send_once` (reminders:
their own `ReminderSent` record), so a retried task mails nobody twice."""

from common.tasks import background

from . import appeals, messages, reminders


@background
def send_message_task(message_id: int) -> int:
    """A coordinator's or organiser's message to its recipients (`volunteers.messages`)."""
    return messages.message_deliver(message_id)


@background
def send_appeal_task(appeal_id: int, volunteer_ids: list[int]) -> int:
    """A coordinator's appeal for help to these volunteers (`volunteers.appeals`)."""
    return appeals.appeal_deliver(appeal_id, volunteer_ids)


@background
def send_due_reminders() -> int:
    """Send the reminders that are due now (`volunteers.reminders`); returns how many."""
    return reminders.reminders_send().sent
