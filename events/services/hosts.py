"""Recording a site's host, its contact person and the host's consent (`events.hosts`).

One service for the page and the API. The consent (who gave it, their role, the day, and
the conditions) is recorded with who recorded it and when; changing it later, also after
the site was published, records the new person and moment. A site at an azc is reviewed
only once this is recorded (`events.services.workflow`).
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from common import clock
from common.errors import InvalidInput
from common.text import PHONE_PATTERN, PlainTextValidator

from .. import locking
from ..errors import HostConsentMissing
from ..hosts import OTHER_CONDITIONS_MAX_LENGTH, SiteHost, needs_host_consent
from ..models import Site
from .editions import refuse_closed_edition
from .workflow import wrong_status

log = logging.getLogger(__name__)

# A visitor limit above this is a typing error, not a house rule.
VISITOR_LIMIT_MAX = 100_000

# The fields that make up the consent: a change to any of them is a new record of it.
CONSENT_FIELDS = (
    "consent_given_by_name",
    "consent_given_by_role",
    "consent_given_on",
    "no_photos_inside",
    "visitor_limit",
    "id_required",
    "other_conditions",
)


@dataclass(frozen=True)
class HostDetails:
    """What a coordinator records about a site's host (the page's form and the API's
    body give the same)."""

    organisation: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    consent_given_by_name: str = ""
    consent_given_by_role: str = ""
    consent_given_on: datetime.date | None = None
    no_photos_inside: bool = False
    visitor_limit: int | None = None
    id_required: bool = False
    other_conditions: str = ""


TEXT_LIMITS = {
    "organisation": 200,
    "contact_name": 150,
    "contact_phone": 30,
    "consent_given_by_name": 150,
    "consent_given_by_role": 150,
}


def _cleaned(details: HostDetails) -> tuple[dict, dict[str, list[str]]]:
    """The details with text stripped, and the problems by field."""
    data = {
        name: (value.strip() if isinstance(value, str) else value)
        for name, value in details.__dict__.items()
    }
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not data["organisation"]:
        refuse("organisation", _("Name the organisation that hosts this site, such as COA."))
    for field, limit in TEXT_LIMITS.items():
        if len(data[field]) > limit:
            refuse(field, _("At most %(limit)d characters.") % {"limit": limit})
    for field in (*TEXT_LIMITS, "other_conditions"):
        try:
            label = SiteHost._meta.get_field(field).verbose_name
            PlainTextValidator(label, multiline=field == "other_conditions")(data[field])
        except ValidationError as error:
            refuse(field, " ".join(error.messages))
    if len(data["other_conditions"]) > OTHER_CONDITIONS_MAX_LENGTH:
        refuse(
            "other_conditions",
            _("At most %(limit)d characters.") % {"limit": OTHER_CONDITIONS_MAX_LENGTH},
        )
    if data["contact_phone"] and not PHONE_PATTERN.match(data["contact_phone"]):
        refuse(
            "contact_phone",
            _("Enter a phone number of digits, such as 06 12345678 or +31 6 12345678."),
        )
    if data["contact_email"]:
        try:
            validate_email(data["contact_email"])
        except ValidationError:
            refuse("contact_email", _("Enter a valid e-mail address."))
    limit = data["visitor_limit"]
    if limit is not None and not (1 <= limit <= VISITOR_LIMIT_MAX):
        refuse(
            "visitor_limit",
            _("A visitor limit is a number from 1 to %(max)d; leave it empty for none.")
            % {"max": VISITOR_LIMIT_MAX},
        )
    given_on = data["consent_given_on"]
    if given_on is not None and given_on > clock.today():
        refuse("consent_given_on", _("The day consent was given cannot be in the future."))
    # The consent is who gave it, in what role, on what day: all three or none yet.
    parts = ("consent_given_by_name", "consent_given_by_role", "consent_given_on")
    if any(data[part] for part in parts):
        messages = {
            "consent_given_by_name": _("Say who gave the consent."),
            "consent_given_by_role": _("Say in what role they gave it (e.g. location manager)."),
            "consent_given_on": _("Say on what day consent was given."),
        }
        for part in parts:
            if not data[part]:
                refuse(part, messages[part])
    return data, errors


@transaction.atomic
def site_host_record(*, site: Site, by, details: HostDetails) -> SiteHost:
    """Record (or change) the host of `site`, its contact person and the host's consent.

    Allowed for a site in any status but cancelled, until the edition's day has passed.
    The consent's `consent_recorded_by`/`_at` become `by`/now whenever the consent or its
    conditions change. Raises `InvalidInput` naming the fields (nothing saved),
    `SiteWrongStatus` for a cancelled site, `EditionClosed` after the day."""
    data, errors = _cleaned(details)
    if errors:
        raise InvalidInput(fields=errors)
    # The site's row lock orders this with its review: a submission waits for the consent
    # being recorded, and sees it.
    locked = locking.lock_site(site.pk, related=("event",))
    if locked.is_cancelled:
        raise wrong_status(locked, _("This site has been cancelled; its host no longer changes."))
    refuse_closed_edition(locked.event)
    consent_given = all(
        data[field] for field in ("organisation", "consent_given_by_name", "consent_given_on")
    ) and bool(data["consent_given_by_role"])
    if (
        not consent_given
        and locked.status in (Site.Status.SUBMITTED, Site.Status.PUBLISHED)
        and needs_host_consent(locked)
    ):
        # The consent is what let the site be reviewed: it may change, not go.
        raise HostConsentMissing(
            _(
                "This site at an azc is submitted or approved: its host's consent can be "
                "changed, not removed. Cancel the site if the host withdrew their consent."
            )
        )
    host = SiteHost.objects.filter(site=locked).first() or SiteHost(site=locked)
    consent_changed = any(getattr(host, field) != data[field] for field in CONSENT_FIELDS)
    for field, value in data.items():
        setattr(host, field, value)
    host.updated_by = by
    if not data["consent_given_on"]:
        host.consent_recorded_by, host.consent_recorded_at = None, None
    elif consent_changed or host.consent_recorded_at is None:
        host.consent_recorded_by, host.consent_recorded_at = by, clock.now()
    host.save()
    log.info(
        "host of site %s recorded by %s (consent %s)",
        locked.pk,
        getattr(by, "pk", None),
        "changed" if consent_changed else "unchanged",
    )
    return host
