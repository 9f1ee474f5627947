"""Sending a batch of e-mails so that one bad message does not stop the rest."""

import logging
from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger(__name__)


def send_each(messages: Iterable[EmailMessage], *, what: str) -> int:
    """Send `messages` over one connection, each on its own: a message the mail server
    refuses (a bad address, a full mailbox) is logged and the others still go out.
    Returns how many were sent. `what` names the batch in the log (no addresses: they
    are personal data).

    A connection that cannot be opened at all raises, as `send_messages` does.
    """
    messages = list(messages)
    if not messages:
        return 0
    sent = failed = 0
    with get_connection() as connection:
        for message in messages:
            message.connection = connection
            try:
                sent += message.send()
            except Exception:
                failed += 1
                logger.exception("%s: a message could not be sent", what)
    if failed:
        logger.error("%s: %d of %d message(s) not sent", what, failed, len(messages))
    return sent
