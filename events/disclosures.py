"""Recording where the exact address of a site shown approximately went (see
`events.services.addresses`): the map, the personal calendar and mail record each delivery
to a person other than the site's coordinators and the organisers."""

from collections.abc import Iterable

from common import clock

from .models import AddressDisclosure


def disclosures_record(*, site_ids: Iterable[int], user, channel: str) -> None:
    """Record that the exact address of these sites reached `user` through `channel` now
    (the first time, or once more). One statement, whatever the number of sites."""
    site_ids = sorted(set(site_ids))
    if not site_ids or user is None or not user.is_authenticated:
        return
    now = clock.now()
    AddressDisclosure.objects.bulk_create(
        [
            AddressDisclosure(site_id=pk, user=user, channel=channel, first_at=now, last_at=now)
            for pk in site_ids
        ],
        update_conflicts=True,
        unique_fields=["site", "user", "channel"],
        update_fields=["last_at"],
    )
