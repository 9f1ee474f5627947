"""Every change to editions, sites, shifts and sign-ups: one service per action, called by
pages, API, admin and commands alike. They raise only domain errors (`events.errors`,
`common.errors.InvalidInput`).

- `editions`: creating and changing an edition, its templates, its registration window;
- `cloning`: a new edition from an earlier one;
- `sites`: registering and changing a site;
- `workflow`: submit, publish, send back, cancel;
- `hosts`: the host of a site and their consent;
- `shifts`: planning shifts (with the sign-up rules a change to them touches);
- `signups`: claiming and releasing places, the waitlist.
"""

from .addresses import address_share
from .cloning import CloneResult, event_clone
from .editions import (
    RegistrationState,
    TemplateSpec,
    event_create,
    event_templates_set,
    event_update,
    registration_check,
    registration_state,
)
from .history import PastSite, edition_history_record, past_sites_add
from .hosts import HostDetails, site_host_record
from .shifts import shift_create, shift_create_series, shift_delete, shift_update
from .signups import lead_appoint, signup_create, signup_release
from .sites import site_create, site_update, sites_location_moved
from .workflow import (
    CancellationResult,
    site_cancel,
    site_publish,
    site_send_back,
    site_submit,
    sites_publish_bulk,
)

__all__ = [
    "CancellationResult",
    "CloneResult",
    "HostDetails",
    "PastSite",
    "RegistrationState",
    "TemplateSpec",
    "address_share",
    "edition_history_record",
    "event_clone",
    "event_create",
    "event_templates_set",
    "event_update",
    "lead_appoint",
    "past_sites_add",
    "registration_check",
    "registration_state",
    "shift_create",
    "shift_create_series",
    "shift_delete",
    "shift_update",
    "signup_create",
    "signup_release",
    "site_cancel",
    "site_create",
    "site_host_record",
    "site_publish",
    "site_send_back",
    "site_submit",
    "site_update",
    "sites_location_moved",
    "sites_publish_bulk",
]
