"""Where apps above this one add links to the pages of sites, without this app knowing
them (as `locations.signals` lets this app follow a location that moved).

Counting (`tallies`) adds "count visitors" to a site's public page, the volunteer's side
(`volunteers`) adds "help here" and, for coordinators, "ask volunteers for help". Each
registers a provider in its `AppConfig.ready()`:

    extensions.add_site_links(extensions.SITE_PAGE_TOOLS, links_for_counting)

A provider takes the person and the site and returns the links that person may follow
(it asks the rule-book itself); the page shows them in the order the apps registered.

Blocks of figures work the same way: counting adds the totals to the public pages of a
site and an edition that have taken place (`add_figures`, `figures`).
"""

from collections.abc import Callable
from dataclasses import dataclass

# The public site page: small links above the shifts (counting, the audit trail) ...
SITE_PAGE_TOOLS = "site_page_tools"
# ... and the call to action below them (claim a shift here).
SITE_PAGE_HELP = "site_page_help"
# The site's management page, beside "edit" and "cancel".
SITE_MANAGE_ACTIONS = "site_manage_actions"
# The site's roster, beside "download as CSV" (helpers without a log-in, the invitation).
SITE_ROSTER_ACTIONS = "site_roster_actions"
# Under a site in a coordinator's understaffing mails (`events.alerts`), beside the roster
# (ask the branch's volunteers for help). Relative URLs, as everywhere: the mail adds the
# site's address.
STAFFING_MAIL = "staffing_mail"
# A volunteer's confirmed shift on the site's day ("My shifts"): the big button to the
# counter, worded for the kind of day.
SHIFT_DAY_TOOLS = "shift_day_tools"

PLACES = (
    SITE_PAGE_TOOLS,
    SITE_PAGE_HELP,
    SITE_MANAGE_ACTIONS,
    SITE_ROSTER_ACTIONS,
    STAFFING_MAIL,
    SHIFT_DAY_TOOLS,
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


Provider = Callable[..., list[Link]]

_providers: dict[str, list[Provider]] = {place: [] for place in PLACES}


def add_site_links(place: str, provider: Provider) -> None:
    """Show `provider(user=…, site=…)`'s links at `place` on every site's page."""
    if provider not in _providers[place]:
        _providers[place].append(provider)


def site_links(place: str, *, user, site) -> list[Link]:
    return [link for provider in _providers[place] for link in provider(user=user, site=site)]


# --- Figures on the public pages of what has taken place ---------------------------------

SITE_PAGE_FIGURES = "site_page_figures"
EDITION_PAGE_FIGURES = "edition_page_figures"


@dataclass(frozen=True)
class Figures:
    """A block of figures: a heading and rows of (label, number)."""

    title: str
    rows: list[tuple[str, int]]


FigureProvider = Callable[..., list[Figures]]

_figure_providers: dict[str, list[FigureProvider]] = {
    SITE_PAGE_FIGURES: [],
    EDITION_PAGE_FIGURES: [],
}


def add_figures(place: str, provider: FigureProvider) -> None:
    """Show `provider(user=…, subject=…)`'s blocks at `place`: the subject is the site
    (`SITE_PAGE_FIGURES`) or the edition (`EDITION_PAGE_FIGURES`) of the page."""
    if provider not in _figure_providers[place]:
        _figure_providers[place].append(provider)


def figures(place: str, *, user, subject) -> list[Figures]:
    return [
        block
        for provider in _figure_providers[place]
        for block in provider(user=user, subject=subject)
    ]


# --- Links on an edition's management page -----------------------------------------------

# Beside "Staffing" and "Settings": counting adds the dashboard and the control room.
EditionProvider = Callable[..., list[Link]]

_edition_providers: list[EditionProvider] = []


def add_edition_links(provider: EditionProvider) -> None:
    """Show `provider(user=…, event=…)`'s links on an edition's management page."""
    if provider not in _edition_providers:
        _edition_providers.append(provider)


def edition_links(*, user, event) -> list[Link]:
    return [link for provider in _edition_providers for link in provider(user=user, event=event)]


# --- Links beside "New edition" on the management index ----------------------------------

# Counting adds "import a past edition" (organisers).
_editions_list_providers: list[Callable[..., list[Link]]] = []


def add_editions_list_links(provider: Callable[..., list[Link]]) -> None:
    """Show `provider(user=…)`'s links beside "New edition" in the list of editions."""
    if provider not in _editions_list_providers:
        _editions_list_providers.append(provider)


def editions_list_links(*, user) -> list[Link]:
    return [link for provider in _editions_list_providers for link in provider(user=user)]


# --- Links on an edition's public page ---------------------------------------------------

# Under the edition's name: counting adds its public results, once organisers publish them.
_edition_page_providers: list[EditionProvider] = []


def add_edition_page_links(provider: EditionProvider) -> None:
    """Show `provider(user=…, event=…)`'s links on an edition's public page."""
    if provider not in _edition_page_providers:
        _edition_page_providers.append(provider)


def edition_page_links(*, user, event) -> list[Link]:
    return [
        link for provider in _edition_page_providers for link in provider(user=user, event=event)
    ]
