"""Places where action days happen, and the local branches that run them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields

from .postcodes import POSTCODE_PATTERN, validate_postcode


class Province(models.TextChoices):
    DRENTHE = "DR", "Drenthe"
    FLEVOLAND = "FL", "Flevoland"
    FRIESLAND = "FR", "Fryslân"
    GELDERLAND = "GE", "Gelderland"
    GRONINGEN = "GR", "Groningen"
    LIMBURG = "LI", "Limburg"
    NOORD_BRABANT = "NB", "Noord-Brabant"
    NOORD_HOLLAND = "NH", "Noord-Holland"
    OVERIJSSEL = "OV", "Overijssel"
    UTRECHT = "UT", "Utrecht"
    ZEELAND = "ZE", "Zeeland"
    ZUID_HOLLAND = "ZH", "Zuid-Holland"


class Branch(models.Model):
    """A local branch of the organisation and the area it serves."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    town = models.CharField(_("town"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_branches",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(ConstraintErrorsOnFields):
    """A place: an azc, a public space in a town, or another venue.

    The position may be missing (not yet geocoded). When it is set, `position_precision`
    says how exact it is and `position_source` where it came from. A position placed by
    hand (`position_is_manual`) is never replaced by a later geocode.
    """

    class Kind(models.TextChoices):
        AZC = "azc", _("asylum seekers' centre (azc)")
        PUBLIC_SPACE = "public_space", _("public space")
        OTHER = "other", _("other")

    class Precision(models.TextChoices):
        ADDRESS = "address", _("address")
        STREET = "street", _("street")
        POSTCODE = "postcode", _("postcode")
        TOWN = "town", _("town")
        MANUAL = "manual", _("placed by hand")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations",
        help_text=_(
            "The branch that looks after this place: only its coordinators (and the national "
            "office) see its address, change it and register sites there."
        ),
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.PositiveIntegerField(_("house number"), null=True, blank=True)
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("town"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    position_precision = models.CharField(
        _("position precision"), max_length=10, choices=Precision.choices, blank=True
    )
    position_source = models.CharField(_("position source"), max_length=100, blank=True)
    position_is_manual = models.BooleanField(
        _("position placed by hand"),
        default=False,
        help_text=_("A position placed by hand is never overwritten by geocoding."),
    )
    outside_netherlands_allowed = models.BooleanField(
        _("allowed outside the Netherlands"),
        default=False,
        help_text=_("Set by an organiser for the rare location across the border."),
    )
    geocoded_at = models.DateTimeField(_("geocoded at"), null=True, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("A stable key from an import file, so a re-import updates this location."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    constraint_error_fields = {
        "location_lat_lon_both_or_neither": "longitude",
        "location_latitude_range": "latitude",
        "location_longitude_range": "longitude",
        "location_postcode_format": "postcode",
    }

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["city", "name"]
        indexes = [
            # Bounding-box prefilter of radius and map queries.
            models.Index(fields=["latitude", "longitude"], name="location_lat_lon_idx"),
            models.Index(fields=["city"], name="location_city_idx"),
            models.Index(fields=["postcode"], name="location_postcode_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="location_lat_lon_both_or_neither",
                violation_error_code="location_lat_lon_both_or_neither",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
                violation_error_code="location_latitude_range",
                violation_error_message=_("Latitude must lie between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
                violation_error_code="location_longitude_range",
                violation_error_message=_("Longitude must lie between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=models.Q(postcode="") | models.Q(postcode__regex=POSTCODE_PATTERN),
                name="location_postcode_format",
                violation_error_code="location_postcode_format",
                violation_error_message=_("Enter a Dutch postcode written like 1234 AB."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def position_is_town(self) -> bool:
        """Only the town is known: the position is the town's centre, shared with every
        other place of the town whose address is not known either."""
        return self.position_precision == self.Precision.TOWN

    @property
    def address_line(self) -> str:
        """The street address on one line, as a letter would carry it."""
        from .addresses import format_house_number

        number = format_house_number(self.house_number, self.house_number_addition)
        street = " ".join(part for part in [self.street, number] if part)
        town = " ".join(part for part in [self.postcode, self.city] if part)
        return ", ".join(part for part in [street, town] if part)


class GeocodeCacheEntry(models.Model):
    """An earlier answer of the geocoding chain, so a query is asked of a provider once.

    `query` is the normalised query (see `locations.geocoding.normalise_query`). A "not
    found" is remembered too (`found` false), briefly, so a typo is not sent again and
    again. Answers expire at `expires_at`; an answer given after an earlier provider
    failed expires soon, so the better provider is asked again later.
    """

    query = models.CharField(_("query"), max_length=255, unique=True)
    found = models.BooleanField(_("found"), default=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    precision = models.CharField(
        _("precision"), max_length=10, choices=Location.Precision.choices, blank=True
    )
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    label = models.CharField(_("label"), max_length=300, blank=True)
    address = models.JSONField(_("address"), default=dict, blank=True)
    created_at = models.DateTimeField(_("asked at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("geocoding cache entry")
        verbose_name_plural = _("geocoding cache")
        ordering = ["query"]

    def __str__(self) -> str:
        return self.query


class GeocoderThrottle(models.Model):
    """The next moment a rate-limited provider may be asked, shared by every process."""

    provider = models.CharField(_("provider"), max_length=100, unique=True)
    next_request_at = models.DateTimeField(_("next request at"))

    class Meta:
        verbose_name = _("geocoder rate limit")
        verbose_name_plural = _("geocoder rate limits")

    def __str__(self) -> str:
        return self.provider
