"""Cancelling a site: its volunteers are told, their places freed, its history kept.

Lives in the volunteers layer because it changes sign-ups. The site and its shifts stay
in the database, marked cancelled, with a raised calendar `sequence`, so subscribed
calendars show them as cancelled instead of silently dropping them.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from common.mail import send_each
from events.editions import edition_closed_error, edition_is_closed
from events.models import Shift, Site
from events.services import site_cancel as events_site_cancel
from events.site_status import SiteWrongStatus, notify_coordinators, wrong_status

from .models import Signup

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CancellationResult:
    site: Site
    signups_freed: int
    volunteers_told: int


@transaction.atomic
def site_cancel(*, site: Site, by, comment: str = "") -> CancellationResult:
    """Cancel `site` in any status but cancelled, before its edition's day has passed.

    Every active sign-up (confirmed or waitlisted) on its shifts is cancelled, its shifts
    are marked cancelled, and the site's and shifts' calendar `sequence` go up. After the
    commit each affected volunteer gets one e-mail listing their shifts there, and the
    branch's coordinators are told. Raises `SiteWrongStatus` when already cancelled,
    `EditionClosed` after the day.
    """
    # Lock order: the site, then its shifts by primary key, then their sign-ups. Claims
    # lock the volunteer and then the shift, so they queue behind this and then find the
    # shift cancelled.
    locked = (
        Site.objects.select_for_update(of=("self",))
        .select_related("event", "location", "branch")
        .get(pk=site.pk)
    )
    if locked.status == Site.Status.CANCELLED:
        raise wrong_status(locked, _("This site has already been cancelled."))
    if edition_is_closed(locked.event):
        raise edition_closed_error(locked.event)
    shift_ids = list(
        Shift.objects.select_for_update()
        .filter(site=locked)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    signups = list(
        Signup.objects.select_for_update(of=("self",))
        .filter(shift_id__in=shift_ids, status__in=Signup.ACTIVE_STATUSES)
        .select_related("volunteer__user", "shift")
        .order_by("pk")
    )
    now = timezone.now()
    Signup.objects.filter(pk__in=[s.pk for s in signups]).update(
        status=Signup.Status.CANCELLED, cancelled_at=now, updated_at=now
    )
    # The site's part (status, history, calendar sequence of the site and its shifts).
    cancelled = events_site_cancel(site=locked, by=by, comment=(comment or "").strip())
    Shift.objects.filter(pk__in=shift_ids, is_cancelled=False).update(
        is_cancelled=True, updated_at=now
    )
    locked.status, locked.sequence = cancelled.status, cancelled.sequence

    per_volunteer: dict[int, list[Signup]] = defaultdict(list)
    for signup in signups:
        per_volunteer[signup.volunteer_id].append(signup)
    _tell_volunteers(locked, per_volunteer.values(), comment=(comment or "").strip())
    notify_coordinators(locked, kind="cancelled", comment=(comment or "").strip())
    log.info(
        "site %s cancelled by %s: %d sign-ups freed",
        locked.pk,
        getattr(by, "pk", None),
        len(signups),
    )
    return CancellationResult(
        site=locked, signups_freed=len(signups), volunteers_told=len(per_volunteer)
    )


def _tell_volunteers(site: Site, groups, *, comment: str) -> None:
    messages_to_send = []
    with translation.override(settings.LANGUAGE_CODE):
        for group in groups:
            user = group[0].volunteer.user
            if not user.is_active or not user.email or group[0].volunteer.anonymised_at:
                continue
            context = {
                "site": site,
                "event": site.event,
                "user": user,
                "signups": sorted(group, key=lambda s: s.shift.starts_at),
                "comment": comment,
                "map_url": settings.SITE_URL
                + reverse("events:map")
                + "?"
                + urlencode({"event": site.event.slug, "open_spots": "true"}),
            }
            subject = render_to_string("volunteers/mail/site_cancelled_subject.txt", context)
            # Dutch first, then the same in English, as every mail to volunteers (we do not
            # know which language each reads).
            bodies = []
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    bodies.append(
                        render_to_string("volunteers/mail/site_cancelled_body.txt", context)
                    )
            messages_to_send.append(
                EmailMessage(" ".join(subject.split()), "\n-- \n\n".join(bodies), to=[user.email])
            )
    if not messages_to_send:
        return

    def send() -> None:
        sent = send_each(messages_to_send, what=f"site {site.pk} cancelled")
        log.info("told %d volunteer(s) that site %s is cancelled", sent, site.pk)

    transaction.on_commit(send, robust=True)


__all__ = ["CancellationResult", "SiteWrongStatus", "site_cancel"]
