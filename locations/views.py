"""Coordinators' pages for locations: list and search, create and edit with a map.

Everything works without JavaScript and without map tiles: "Look up" fills in the position
from the address on the server; the latitude and longitude can be typed. With JavaScript
the map shows the pin, which can be dragged; a moved pin is kept as placed by hand.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.forms import show_errors
from common.pagination import query_without_page
from common.redirects import safe_next_url

from .forms import LocationForm, initial_for
from .geocoding import AddressNotFound, GeocodingError, address_query, geocode
from .models import Branch, Location, Province
from .selectors import location_is_editable, locations_for, locations_search, within_radius
from .services import location_save

PAGE_SIZE = 50
MANAGE = "locations.manage_location"


def _manage(view):
    return login_required(permission_required(MANAGE, raise_exception=True)(view))


@_manage
def location_list(request):
    # PostgreSQL refuses a NUL character in a query; no name or address holds one.
    text = request.GET.get("q", "").replace("\x00", "").strip()
    province = request.GET.get("province", "")
    if province not in Province.values:
        province = ""
    near = request.GET.get("near", "").strip()
    radius_text = request.GET.get("radius_km", "").strip() or "10"
    locations = locations_search(text=text, province=province, user=request.user)
    distances = None
    centre = None
    error = ""
    if near:
        try:
            radius_km = float(radius_text.replace(",", "."))
            if not 0 < radius_km <= 300:
                raise ValueError
        except ValueError:
            error = _("The radius is a number of kilometres between 0 and 300.")
        else:
            try:
                centre = geocode(near)
            except AddressNotFound:
                # Nothing lies "near" a place nobody knows: say so, and list nothing.
                error = _("“%(place)s” was not found: give a Dutch town or postcode.") % {
                    "place": near
                }
                locations = []
            except GeocodingError as failure:
                error = failure.detail
                locations = []
            else:
                found = within_radius(
                    locations,
                    latitude=centre.latitude,
                    longitude=centre.longitude,
                    radius_km=radius_km,
                )
                distances = {location.pk: km for location, km in found}
                locations = [location for location, _km in found]
    page = Paginator(locations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for location in page.object_list:
        # Another branch's place (one no branch looks after, as a coordinator sees it)
        # shows its name and town only: whole kilometres say no more than the town.
        location.editable = location_is_editable(request.user, location)
        km = distances.get(location.pk) if distances is not None else None
        rows.append((location, km if km is None or location.editable else round(km)))
    return render(
        request,
        "locations/location_list.html",
        {
            "page": page,
            "rows": rows,
            "q": text,
            "province": province,
            "provinces": Province.choices,
            "near": near,
            "radius_km": radius_text,
            "centre": centre,
            "error": error,
            "query": query_without_page(request),
        },
    )


@_manage
def location_create(request):
    return _edit(request, None)


@_manage
def location_edit(request, pk: int):
    location = get_object_or_404(locations_for(request.user), pk=pk)
    if not request.user.has_perm("locations.edit_location", location):
        raise PermissionDenied
    return _edit(request, location)


def branch_choices(user) -> list[Branch]:
    """The branches a new location may belong to: all for organisers, the person's own
    for a coordinator."""
    if user.has_perm("locations.override_position_outside_nl"):  # organisers
        return list(Branch.objects.order_by("name"))
    return list(user.coordinated_branches.order_by("name"))


def _may_choose_branch(user, location: Location | None) -> bool:
    """Who looks after a place is chosen when it is made; organisers may change it later
    (a place handed to another branch, or to the national office)."""
    return location is None or user.has_perm("locations.override_position_outside_nl")


def _chosen_branch(request, location: Location | None) -> tuple[Branch | None, str]:
    """The branch a location is for, and an error when the choice is not allowed.
    Organisers may leave it empty (the national office looks after it)."""
    if not _may_choose_branch(request.user, location) or (
        location is not None and "branch" not in request.POST
    ):
        return location.branch, ""
    choices = branch_choices(request.user)
    organiser = request.user.has_perm("locations.override_position_outside_nl")
    raw = request.POST.get("branch", "")
    if not raw and not organiser and len(choices) == 1:
        return choices[0], ""
    chosen = next((branch for branch in choices if str(branch.pk) == raw), None)
    if chosen is None and (raw or not organiser):
        return None, _("Choose the branch that looks after this place.")
    return chosen, ""


def _edit(request, location: Location | None):
    may_allow_abroad = request.user.has_perm("locations.override_position_outside_nl")
    looked_up = None
    if request.method != "POST":
        initial = initial_for(location) if location else {"kind": _kind_asked(request)}
        form = LocationForm(initial=initial, may_allow_abroad=may_allow_abroad)
        return _render(request, form, location, looked_up)

    form = LocationForm(request.POST, may_allow_abroad=may_allow_abroad)
    branch, branch_error = _chosen_branch(request, location)
    if branch_error:
        form.is_valid()
        form.add_error(None, branch_error)
    if not form.is_valid():
        return _render(request, form, location, looked_up)
    manual = form.cleaned_data["position_is_manual"] or (
        form.pin_was_moved and not form.cleaned_data["pin_kept"]
    )
    if request.POST.get("action") == "lookup":
        return _lookup(request, form, location, keep_pin=manual)
    try:
        outcome = location_save(
            location=location,
            data=form.to_input(position_is_manual=manual),
            by=request.user,
            branch=branch,
        )
    except DomainError as error:  # bad input, or an address nothing knows (GeocodingError)
        show_errors(form, error, field_names={"house_number_addition": "house_number"})
        return _render(request, form, location, looked_up)
    saved = outcome.location
    if outcome.geocoded is not None:
        messages.success(request, _("Saved. %(lookup)s") % {"lookup": outcome.geocoded.describe()})
    elif saved.position_is_manual:
        messages.success(request, _("Saved, with the position placed by hand."))
    else:
        messages.success(request, _("Saved."))
    back = _next_url(request)
    if back:
        # Back to the page that asked for a new location (e.g. a site registration),
        # with the saved location chosen.
        separator = "&" if "?" in back else "?"
        return redirect(f"{back}{separator}{urlencode({'location': saved.pk})}")
    return redirect("locations:edit", pk=saved.pk)


def _kind_asked(request) -> str:
    """The kind a new location starts as: `?kind=` from the page that asked for it (a
    coffee action's registration asks for a public space), else an azc."""
    kind = request.GET.get("kind", "")
    return kind if kind in Location.Kind.values else Location.Kind.AZC


def _next_url(request) -> str:
    """A `?next=` of our own site (kept in the form's URL), or ''."""
    return safe_next_url(request, request.GET.get("next", ""), "")


def _lookup(request, form: LocationForm, location: Location | None, *, keep_pin: bool):
    """Look the address up and show it on the form, without saving."""
    data = form.cleaned_data
    house = data.get("house_number")
    query = address_query(
        street=data.get("street", ""),
        house_number=house.number if house else None,
        house_number_addition=house.suffix if house else "",
        postcode=data.get("postcode", ""),
        city=data["city"],
    )
    try:
        result = geocode(query)
    except GeocodingError as error:
        form.add_error(None, error.detail)
        return _render(request, form, location, None)
    values = form.data.copy()
    values["looked_up_latitude"] = str(result.latitude)
    values["looked_up_longitude"] = str(result.longitude)
    if keep_pin:
        values["pin_kept"] = "1"
        messages.info(
            request,
            result.describe()
            + " "
            + _(
                "Your pin placed by hand stays where it is; untick “placed by hand” and save "
                "to use the looked-up position instead."
            ),
        )
    else:
        values["latitude"] = str(result.latitude)
        values["longitude"] = str(result.longitude)
        values.pop("position_is_manual", None)
        values.pop("pin_kept", None)
        messages.info(request, result.describe())
    for name in ("postcode", "municipality", "province"):
        found = getattr(result.address, name)
        if found and not values.get(name) and not (name == "postcode" and len(found) != 7):
            values[name] = found
    fresh = LocationForm(
        values, may_allow_abroad=form.fields.get("outside_netherlands_allowed") is not None
    )
    fresh.is_valid()
    return _render(request, fresh, location, result)


def _render(request, form, location, looked_up):
    return render(
        request,
        "locations/location_form.html",
        {
            "form": form,
            "location": location,
            "looked_up": looked_up,
            "next": _next_url(request),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "branches": (
                branch_choices(request.user) if _may_choose_branch(request.user, location) else []
            ),
            "chosen_branch": request.POST.get(
                "branch", str(location.branch_id or "") if location else ""
            ),
        },
        status=200,
    )
