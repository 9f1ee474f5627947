"""Changes to locations: create or edit one (with geocoding), and keep hand-placed pins.

Views, the import and the admin call `location_save()`; it parses nothing and trusts
nothing about positions: a position is either looked up through the geocoding chain or
placed by hand, and a position outside the Netherlands needs an organiser's say-so.
"""

import dataclasses
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from common import clock
from common.errors import InvalidInput, full_clean

from .borders import is_in_netherlands
from .geocoding import GeocodeResult, address_query, geocode
from .models import Branch, Location
from .signals import location_moved

MANUAL_SOURCE = "manual"
IMPORT_SOURCE = "import"

# The fields `location_save` writes from a `LocationInput`.
ADDRESS_FIELDS = (
    "name",
    "kind",
    "reference",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "municipality",
    "province",
)
POSITION_FIELDS = (
    "latitude",
    "longitude",
    "position_precision",
    "position_source",
    "position_is_manual",
    "outside_netherlands_allowed",
)
# Where a location is (the address and GEO of calendar events): a change here is a change of
# place for every site at the location. A new name alone moves nothing.
PLACE_FIELDS = (
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "latitude",
    "longitude",
)


@dataclass
class LocationInput:
    """What a person (or an import row) says about a location, already parsed.

    `position_is_manual`: True places the pin at (`latitude`, `longitude`) by hand; False
    looks the address up (and drops an earlier hand-placed pin); None keeps a hand-placed
    pin when there is one and looks the address up otherwise (what an import does).
    """

    name: str
    city: str
    kind: str = Location.Kind.OTHER
    reference: str | None = None
    street: str = ""
    house_number: int | None = None
    house_number_addition: str = ""
    postcode: str = ""
    municipality: str = ""
    province: str = ""
    latitude: float | None = None
    longitude: float | None = None
    position_is_manual: bool | None = None
    position_source: str = MANUAL_SOURCE
    outside_netherlands_allowed: bool | None = None  # None: leave as it is


@dataclass
class SaveOutcome:
    location: Location
    created: bool
    changed: bool
    geocoded: GeocodeResult | None  # the lookup that placed the pin, when one did


KEEP = object()  # `location_save(branch=KEEP)`: the location's branch stays as it is


def location_save(
    *,
    location: Location | None,
    data: LocationInput,
    by=None,
    commit: bool = True,
    branch=KEEP,
) -> SaveOutcome:
    """Create (`location=None`) or update a location from `data`; `branch` is the branch
    that looks after it (None: the national office).

    Raises `InvalidInput` naming the field for bad input (a pin outside the
    Netherlands is an error on `latitude` unless the location is allowed there), and a
    `GeocodingError` when the address must be looked up and cannot be; in both cases
    nothing is saved. `by` is the person (None for the import command): only a person
    with `locations.override_position_outside_nl` may change that allowance. With
    `commit=False` everything is checked and looked up, but nothing is written.

    Looks up addresses through the network; never call it inside a transaction.
    """
    created = location is None
    target = Location() if created else Location.objects.get(pk=location.pk)
    before = {name: getattr(target, name) for name in ADDRESS_FIELDS + POSITION_FIELDS}

    for name in ADDRESS_FIELDS:
        setattr(target, name, getattr(data, name))
    if branch is not KEEP:
        target.branch = branch

    if data.outside_netherlands_allowed is not None and data.outside_netherlands_allowed != (
        target.outside_netherlands_allowed
    ):
        if by is None or not by.has_perm("locations.override_position_outside_nl"):
            raise InvalidInput(
                _("Only an organiser can allow a location outside the Netherlands."),
                field="outside_netherlands_allowed",
            )
        target.outside_netherlands_allowed = data.outside_netherlands_allowed

    result = None
    keep_manual = data.position_is_manual is None and target.position_is_manual
    if data.position_is_manual:
        if data.latitude is None or data.longitude is None:
            raise InvalidInput(
                _("Place the pin on the map, or type the latitude and longitude."),
                field="latitude",
            )
        if (data.latitude, data.longitude) != (before["latitude"], before["longitude"]) or not (
            before["position_is_manual"]
        ):
            target.position_source = data.position_source
        target.latitude, target.longitude = data.latitude, data.longitude
        target.position_precision = Location.Precision.MANUAL
        target.position_is_manual = True
    elif not keep_manual:
        result = geocode(
            address_query(
                street=data.street,
                house_number=data.house_number,
                house_number_addition=data.house_number_addition,
                postcode=data.postcode,
                city=data.city,
            )
        )
        target.latitude, target.longitude = result.latitude, result.longitude
        target.position_precision = result.precision
        target.position_source = result.source
        target.position_is_manual = False
        _fill_blanks(target, result)

    outside = target.has_position and not is_in_netherlands(target.latitude, target.longitude)
    if outside and not target.outside_netherlands_allowed:
        raise InvalidInput(
            _(
                "This position lies outside the Netherlands. Check the pin (latitude "
                "and longitude swapped?); only an organiser can allow a location abroad."
            ),
            field="latitude",
        )

    full_clean(target)
    identity = ("name", "postcode", "house_number", "house_number_addition", "city")
    if created or any(getattr(target, name) != before[name] for name in identity):
        # Checked when the location is new or its name or address changes, so that two
        # locations entered before this rule can still be edited otherwise.
        _refuse_duplicate(target)
    after = {name: getattr(target, name) for name in ADDRESS_FIELDS + POSITION_FIELDS}
    changed = created or after != before
    if result is not None and changed:
        target.geocoded_at = clock.now()
    if commit and changed:
        moved = [name for name in PLACE_FIELDS if after[name] != before[name]]
        try:
            with transaction.atomic():
                target.save()
                if moved and not created:
                    location_moved.send(sender=Location, location=target, changed=moved)
        except IntegrityError as error:
            # Another request took the same reference between the check and the write.
            raise InvalidInput(
                _("Another location already has this reference."),
                field="reference",
            ) from error
    return SaveOutcome(location=target, created=created, changed=changed, geocoded=result)


def _refuse_duplicate(target: Location) -> None:
    """A location at the address of another (or with its name in the same town) is the
    same place entered twice, e.g. a form sent again: point to the one that exists, so
    that a site is never registered twice under two names."""
    others = Location.objects.exclude(pk=target.pk) if target.pk else Location.objects.all()
    same = Location.objects.none()
    if target.postcode and target.house_number is not None:
        same = others.filter(
            postcode=target.postcode,
            house_number=target.house_number,
            house_number_addition__iexact=target.house_number_addition,
        )
    existing = same.first() or (
        others.filter(name__iexact=target.name, city__iexact=target.city).first()
    )
    if existing is not None:
        raise InvalidInput(
            _(
                "This place already exists: “%(name)s” (%(address)s). Use that location: "
                "one place is entered once."
            )
            % {"name": existing.name, "address": existing.address_line or existing.city},
            field="name",
        )


def _fill_blanks(target: Location, result: GeocodeResult) -> None:
    """Complete what the person left empty from the looked-up address; never overwrite."""
    found = result.address
    for name in ("postcode", "municipality", "province"):
        value = getattr(found, name)
        if value and not getattr(target, name):
            if name == "postcode" and len(value) != 7:
                continue  # a postcode area ("3511") is no full postcode
            setattr(target, name, value)


def location_input_from(location: Location, **changes) -> LocationInput:
    """The input that would save `location` as it is, with `changes` applied."""
    fields = {f.name for f in dataclasses.fields(LocationInput)}
    values = {name: getattr(location, name) for name in fields if hasattr(location, name)}
    values.update(changes)
    return LocationInput(**values)


# --- Branches -------------------------------------------------------------------------------


def branch_create(*, name: str, town: str = "", province: str = "", email: str = "") -> Branch:
    """A new branch; its slug is made from its name. Raises `InvalidInput` naming the
    field (a name or slug another branch has)."""
    branch = Branch(
        name=name.strip(), slug=slugify(name), town=town, province=province, email=email
    )
    full_clean(branch)
    branch.save()
    return branch


def branch_coordinator_add(*, branch: Branch, user) -> None:
    """Make `user` a coordinator of `branch` (nothing changes when they are one already)."""
    branch.coordinators.add(user)
