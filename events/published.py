"""What marks the stored public answers (`common.published`) as changed when editions,
sites, shifts, places, locations or branches change.

Every save and delete of those models does, through Django's signals: the services'
`save()` calls and the admin's alike. The services that change rows without `save()` (a
claim's INSERT, `update()` of many rows, `bulk_create`) call `published.changed(SITES)`
themselves, in the same transaction.
"""

from django.db.models.signals import post_delete, post_save

from common import published
from locations.models import Branch, Location

from .models import Event, Shift, Signup, Site, SiteStatusChange

SHOWN = (Event, Site, SiteStatusChange, Shift, Signup, Location, Branch)


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    published.changed(published.SITES)


def connect() -> None:
    for model in SHOWN:
        uid = f"published.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
