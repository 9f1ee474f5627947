"""The totals counting adds to the public pages of a site and an edition that have taken
place (see `events.extensions`): the visitors (or coffees and conversations) counted,
per category, once counting there has closed. Until then the figures may still change,
and the pages show none."""

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from common import clock
from events.extensions import Figures
from events.models import Event, Site

from .categories import category_name, counted_at
from .models import TallyHour
from .selectors import counting_closes_after, counting_is_open, tally_totals


def _block(kind: str, totals: dict[str, int]) -> list[Figures]:
    if not any(totals.values()):
        return []
    rows = [(capfirst(category_name(kind, c)), n) for c, n in totals.items()]
    return [Figures(_("Counted on the day"), rows)]


def site_results(*, user, subject: Site) -> list[Figures]:
    """The site's totals, once counting at the site has closed."""
    if counting_is_open(subject):
        return []
    return _block(subject.event.kind_id, tally_totals(subject))


def edition_results(*, user, subject: Event) -> list[Figures]:
    """The totals of the edition's published sites, once counting has closed at all of
    them. The same for everyone: only approved sites count on a public page."""
    sites = Site.objects.published().filter(event=subject)
    last = sites.aggregate(last=Max("closes_at"))["last"]
    if last is None:
        return []
    last_day = timezone.localtime(last, clock.local_zone()).date()
    if clock.now() < counting_closes_after(last_day):
        return []
    totals = {c.slug: 0 for c in counted_at(subject)}
    rows = (
        TallyHour.objects.filter(site__in=sites, category__in=totals)
        .values_list("category")
        .annotate(total=Sum("total"))
        .order_by()
    )
    for category, total in rows:
        totals[category] = total
    return _block(subject.kind_id, totals)
