"""The shape of a geocoding answer, shared by every provider and the cache."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from ..models import Location
from .errors import ProviderFailure

Precision = Location.Precision

# Best first: a later provider's answer is only "better" when its precision ranks higher.
PRECISION_RANK = {
    Precision.ADDRESS: 4,
    Precision.STREET: 3,
    Precision.POSTCODE: 2,
    Precision.TOWN: 1,
}


@dataclass(frozen=True)
class AddressParts:
    """The address as the provider understood it, normalised (empty when it did not say)."""

    street: str = ""
    house_number: int | None = None
    house_number_addition: str = ""  # as stored on Location: "A", "-2", "A-2"
    postcode: str = ""  # "1234 AB", or four digits for a postcode area
    city: str = ""
    municipality: str = ""
    province: str = ""  # a Province code ("UT")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GeocodeResult:
    """A position for a query, how exact it is and where it came from.

    `precision` is a `Location.Precision` value: "address", "street", "postcode" or "town".
    `source` names the provider ("pdok", "nominatim", "offline" or another configured
    one). `failures` lists the providers earlier in the chain that failed this time, so
    the person can be told why the answer is less precise than hoped. `cached` is true when
    the answer came from the geocoding cache without asking any provider.
    """

    query: str
    latitude: float
    longitude: float
    precision: str
    source: str
    label: str = ""
    address: AddressParts = field(default_factory=AddressParts)
    cached: bool = False
    failures: tuple[ProviderFailure, ...] = ()

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)

    @property
    def precision_label(self) -> str:
        return str(Precision(self.precision).label)

    def describe(self) -> str:
        """One sentence for the person who asked: what was found, how exact, and why not
        better when an earlier provider failed."""
        message = _("Found “%(label)s” (precision: %(precision)s, source: %(source)s).") % {
            "label": self.label or self.query,
            "precision": self.precision_label,
            "source": self.source,
        }
        if self.failures:
            message += " " + _("Not answered by: %(failures)s.") % {
                "failures": "; ".join(str(failure) for failure in self.failures)
            }
        if self.precision != Precision.ADDRESS:
            message += " " + _("Drag the pin to the exact spot if you know it.")
        return message
