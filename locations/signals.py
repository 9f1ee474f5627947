"""What the locations layer tells the layers above it.

Layers depend downward only (DESIGN.md), so a change here that matters to events is announced
rather than acted on: `location_save` sends `location_moved` inside its transaction, and the
events app connects its service to it (`events.apps.EventsConfig.ready`). The receiver's
writes commit or roll back with the location's.
"""

from django.dispatch import Signal

# Sent by `locations.services.location_save` when an existing location's place (street
# address, postcode, town or position) changed, with `location` and `changed` (field names).
location_moved = Signal()
