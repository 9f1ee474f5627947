"""The rule-book: who may do what. Pages, API, admin and feeds ask `user.has_perm(...)`.

`rules.apps.AutodiscoverRulesConfig` imports this module at start-up.
"""

import rules

from .roles import is_organiser

# Organisers manage every model of the app through the admin and the pages.
_MANAGED_MODELS = {
    "locations": ["branch", "location"],
    "events": ["event", "shifttemplate", "site", "sitestatuschange", "shift", "tallyentry"],
    "volunteers": ["volunteer", "signup", "remindersent"],
    "accounts": ["user"],
}
for _app, _models in _MANAGED_MODELS.items():
    for _model in _models:
        for _action in ("view", "add", "change", "delete"):
            rules.add_perm(f"{_app}.{_action}_{_model}", is_organiser)
    # The admin shows an app to whoever passes its module rule.
    rules.add_perm(_app, is_organiser)
