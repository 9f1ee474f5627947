"""One aggregate: national editions of an action day, the sites where they happen, their
shifts, and the volunteers' sign-ups for those shifts."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import clock
from common.constraints import ConstraintErrorsOnFields
from common.languages import in_language
from locations.models import Branch, Location


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, today: datetime.date | None = None):
        return self.filter(date__gte=today or clock.today())


class ActionKind(models.Model):
    """A kind of action day ("Open azc dag", "Bakkie Doen", a market stall): what
    organisers define once and every edition of that kind follows. Its slug is what the
    API, the map's filter and the feeds carry (`Event.kind`); it never changes once
    editions use it, and a kind is retired rather than deleted (`is_active`). What is
    counted at it lives in `tallies.Category`."""

    class Shape(models.TextChoices):
        PIN = "pin", _("pin")
        SQUARE = "square", _("square")
        DIAMOND = "diamond", _("diamond")
        CIRCLE = "circle", _("circle")

    slug = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short code in the API and in links, e.g. open_day. Cannot change later."),
    )
    names = models.JSONField(
        _("names"), default=dict, help_text=_("The name in each language (code → name).")
    )
    marker_colour = models.CharField(
        _("marker colour"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-f]{6}$", _("Give a colour as #rrggbb."))],
    )
    marker_shape = models.CharField(
        _("marker shape"), max_length=10, choices=Shape.choices, default=Shape.PIN
    )
    location_kind = models.CharField(
        _("usual kind of location"),
        max_length=20,
        choices=Location.Kind.choices,
        default=Location.Kind.OTHER,
        help_text=_("Where sites of this kind usually are (an azc, a public space)."),
    )
    default_opens_at = models.TimeField(_("default opening time"), default=datetime.time(10, 0))
    default_closes_at = models.TimeField(_("default closing time"), default=datetime.time(16, 0))
    shift_templates = models.JSONField(
        _("default shifts"),
        default=list,
        blank=True,
        help_text=_("The shifts every site starts with: role, start, end, places."),
    )
    same_weekday = models.BooleanField(
        _("next edition on the same weekday"),
        default=False,
        help_text=_(
            "A copy for next year falls on the same weekday (an open day on a Saturday) "
            "rather than on the same date (World Refugee Day, 20 June)."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Retired kinds get no new editions.")
    )

    class Meta:
        verbose_name = _("kind of action day")
        verbose_name_plural = _("kinds of action day")
        ordering = ["position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_closes_at__gt=models.F("default_opens_at")),
                name="action_kind_default_hours_order",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.names) or self.slug


class Event(ConstraintErrorsOnFields):
    """One national edition of an action day, e.g. "Open azc dag 2027"."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.ForeignKey(
        ActionKind,
        verbose_name=_("kind"),
        to_field="slug",
        db_column="kind",
        on_delete=models.PROTECT,
        related_name="editions",
    )
    date = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    registration_opens_at = models.DateTimeField(_("registration opens at"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True
    )
    default_opens_at = models.TimeField(_("default opening time"), default=datetime.time(10, 0))
    default_closes_at = models.TimeField(_("default closing time"), default=datetime.time(16, 0))
    release_deadline_hours = models.PositiveIntegerField(
        _("release deadline (hours)"),
        default=24,
        help_text=_("Volunteers can release a shift until this many hours before it starts."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    constraint_error_fields = {
        "event_registration_window_order": "registration_closes_at",
        "event_default_hours_order": "default_closes_at",
    }

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "name"]
        indexes = [
            models.Index(fields=["is_published", "date"], name="event_published_date_idx"),
            models.Index(fields=["kind", "date"], name="event_kind_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_window_order",
                violation_error_code="event_registration_window_order",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=models.Q(default_closes_at__gt=models.F("default_opens_at")),
                name="event_default_hours_order",
                violation_error_code="event_default_hours_order",
                violation_error_message=_(
                    "The default closing time must be after the opening time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", kwargs={"slug": self.slug})


class ShiftTemplate(ConstraintErrorsOnFields):
    """A shift every new site of an edition starts with (a role, a time of day, places)."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="shift_templates"
    )
    role = models.CharField(_("role"), max_length=30)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), default=2)

    constraint_error_fields = {
        "shifttemplate_end_after_start": "ends_at",
        "shifttemplate_capacity_not_negative": "capacity",
    }

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        ordering = ["event", "starts_at", "role"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="shifttemplate_end_after_start",
                violation_error_code="shifttemplate_end_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=0),
                name="shifttemplate_capacity_not_negative",
                violation_error_code="shifttemplate_capacity_not_negative",
                violation_error_message=_("Places cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


def published_sites(prefix: str = "") -> models.Q:
    """The condition for sites the public sees: approved, of a published edition. The
    one rule for pages, feeds, the API and mail (`Site.objects.published()`, and
    `Site.is_public` for a site in hand); `prefix` reaches the site through a relation
    (`"shift__site__"`)."""
    return models.Q(
        **{f"{prefix}status": Site.Status.PUBLISHED, f"{prefix}event__is_published": True}
    )


class SiteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_sites())

    def live(self):
        """Sites that are not cancelled: they hold their location for the edition (the
        constraint `site_one_per_event_location`) and count for staffing."""
        return self.exclude(status=Site.Status.CANCELLED)


class Site(ConstraintErrorsOnFields):
    """An edition taking place at one location, run by one branch."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="sites"
    )
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="sites"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the location's name."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    public_description = models.TextField(_("public description"), blank=True)
    languages_needed = models.JSONField(
        _("languages needed"),
        default=list,
        blank=True,
        help_text=_("Language codes such as nl, en, ar, ti, fa."),
    )
    expected_visitors = models.PositiveIntegerField(_("expected visitors"), null=True, blank=True)
    show_approximate_location = models.BooleanField(
        _("show only the town publicly"),
        default=False,
        help_text=_("The public sees the town, not the building; volunteers with a shift see all."),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Goes up when time or place change (for calendars).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SiteQuerySet.as_manager()

    constraint_error_fields = {
        "site_one_per_event_location": "location",
        "site_closes_after_opens": "closes_at",
    }

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["event", "opens_at", "id"]
        indexes = [
            models.Index(fields=["event", "status"], name="site_event_status_idx"),
            models.Index(fields=["status", "opens_at"], name="site_status_opens_idx"),
            models.Index(fields=["branch", "event"], name="site_branch_event_idx"),
        ]
        constraints = [
            # A cancelled site keeps its history and its calendar entry; the location is
            # free again for a new registration (the azc opens after all).
            models.UniqueConstraint(
                fields=["event", "location"],
                condition=~models.Q(status="cancelled"),
                name="site_one_per_event_location",
                violation_error_code="site_one_per_event_location",
                violation_error_message=_("This location already has a site in this edition."),
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="site_closes_after_opens",
                violation_error_code="site_closes_after_opens",
                violation_error_message=_("A site must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.location.name

    @property
    def is_public(self) -> bool:
        """The same rule as `Site.objects.published()`, for a site in hand."""
        return self.status == self.Status.PUBLISHED and self.event.is_published

    @property
    def is_approved(self) -> bool:
        """Approved by the national office (status published); public once the edition
        is published too (`is_public`)."""
        return self.status == self.Status.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def get_absolute_url(self) -> str:
        return reverse("events:site_detail", kwargs={"pk": self.pk})


class SiteStatusChange(models.Model):
    """Who moved a site from one status to another, and when: the site's history."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Site.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Site.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("site status change")
        verbose_name_plural = _("site status changes")
        ordering = ["site", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.from_status or '—'} → {self.to_status}"


class Shift(ConstraintErrorsOnFields):
    """A slot at a site: a role, a time and a number of places."""

    class Role(models.TextChoices):
        RECEPTION = "reception", _("reception")
        TOUR_GUIDE = "tour_guide", _("tour guide")
        COFFEE = "coffee", _("coffee")
        CONVERSATION = "conversation", _("conversation")
        COUNTING = "counting", _("counting visitors")
        SETUP = "setup", _("set-up")
        # The person in charge at the site on the day: sets the site's live state and asks
        # for help from their phone while their shift is on (`events.day`).
        LEAD = "lead", _("site lead")
        OTHER = "other", _("other")

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="shifts"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.IntegerField(_("places"), validators=[MinValueValidator(0)])
    notes = models.TextField(_("notes for volunteers"), blank=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Goes up when time or place change (for calendars).")
    )
    # The number of its confirmed sign-ups, stored so that lists read places without
    # counting sign-ups, and so that a claim takes a place with one conditional UPDATE
    # (`events.services.signups.take_place`). Only the sign-up services change it, in the
    # transaction that changes the sign-ups. The waitlist is not stored: joining it takes
    # a shared lock, so that claims on a full shift do not queue for each other.
    confirmed_count = models.IntegerField(_("confirmed places"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    constraint_error_fields = {
        "shift_end_after_start": "ends_at",
        "shift_capacity_not_negative": "capacity",
    }

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "role", "id"]
        indexes = [
            models.Index(fields=["site", "starts_at"], name="shift_site_starts_idx"),
            models.Index(fields=["starts_at"], name="shift_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="shift_end_after_start",
                violation_error_code="shift_end_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=0),
                name="shift_capacity_not_negative",
                violation_error_code="shift_capacity_not_negative",
                violation_error_message=_("Places cannot be negative."),
            ),
            # What holds for every shift: the count is never negative (a release that
            # took more than there was fails instead of going unseen).
            # Not `confirmed_count <= capacity`: `shift_update` refuses fewer places than
            # confirmed volunteers, but a shift may hold more (places lowered before that
            # rule, or by hand); nobody is pushed off it and lists show it as full. Not
            # "a cancelled shift holds no places" either: cancelling through the services
            # cancels its sign-ups, but a shift marked cancelled otherwise keeps them, and
            # the count stays equal to them.
            models.CheckConstraint(
                condition=models.Q(confirmed_count__gte=0),
                name="shift_confirmed_count_not_negative",
            ),
        ]

    def __str__(self) -> str:
        local_start = timezone.localtime(self.starts_at)
        return f"{self.get_role_display()} {local_start:%d-%m-%Y %H:%M}"

    COUNT_FIELDS = ("confirmed_count",)

    def save(self, *args, **kwargs):
        """A shift read earlier and saved whole must not write back the count it read: it
        changes meanwhile, by the sign-up services' UPDATEs. So saving an existing shift
        writes every field but the count, unless `update_fields` names it."""
        whole = kwargs.get("update_fields") is None and not kwargs.get("force_insert")
        if whole and not self._state.adding and not args:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.COUNT_FIELDS
            ]
        super().save(*args, **kwargs)


class SignupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Signup.ACTIVE_STATUSES)

    def confirmed(self):
        return self.filter(status=Signup.Status.CONFIRMED)

    def waitlist(self):
        """Waitlisted sign-ups in the order they are served (`Signup.WAITLIST_ORDER`)."""
        return self.filter(status=Signup.Status.WAITLISTED).order_by(*Signup.WAITLIST_ORDER)


class Signup(models.Model):
    """A volunteer's claim on a shift.

    At most one active (confirmed or waitlisted) signup per shift and volunteer; the
    waitlist is served in order of `created_at`, then `id` (`WAITLIST_ORDER`).
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlisted")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)
    WAITLIST_ORDER = ("created_at", "id")

    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="signups"
    )
    volunteer = models.ForeignKey(
        "accounts.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="signups",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # At a site shown approximately, the exact address goes to a volunteer only once the
    # site's coordinator has shared it with them (see `address_share`).
    address_shared_at = models.DateTimeField(_("address shared at"), null=True, blank=True)
    address_shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("address shared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift", "created_at", "id"]
        indexes = [
            models.Index(fields=["shift", "status"], name="signup_shift_status_idx"),
            models.Index(fields=["volunteer", "status"], name="signup_volunteer_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=models.Q(status__in=["confirmed", "waitlisted"]),
                name="signup_one_active_per_shift_volunteer",
                violation_error_message=_("This volunteer already has a place on this shift."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} – {self.shift} ({self.get_status_display()})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED


class AddressDisclosure(models.Model):
    """The exact address of a site shown only approximately reached a person other than
    its coordinators: through which channel, first and last when. One row per site,
    person and channel; the coordinators see it on the roster."""

    class Channel(models.TextChoices):
        MAIL = "mail", _("e-mail")
        CALENDAR = "calendar", _("personal calendar")
        MAP = "map", _("map and API")

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="disclosures"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    first_at = models.DateTimeField(pgettext_lazy("the first time an address was given", "first"))
    last_at = models.DateTimeField(pgettext_lazy("the last time an address was given", "last"))

    class Meta:
        verbose_name = _("address disclosure")
        verbose_name_plural = _("address disclosures")
        ordering = ["site", "user", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "user", "channel"], name="disclosure_once_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.user_id} {self.channel}"


# --- The day itself: attendance, the site's check-in code, the site's live state ----------


class Attendance(models.Model):
    """Whether a person on a shift turned up: one row per sign-up that was checked in,
    checked out or marked as not come, and per walk-in helper (a person who came without
    signing up, added by name on the day). Who did each step and when is kept on the row.
    The rules are in `events.services.attendance`."""

    class Status(models.TextChoices):
        CHECKED_IN = "checked_in", _("checked in")
        CHECKED_OUT = "checked_out", _("checked out")
        NO_SHOW = "no_show", _("did not come")

    class Method(models.TextChoices):
        SELF = "self", pgettext_lazy("checked in", "by themselves")
        CODE = "code", pgettext_lazy("checked in", "with the site's QR code")
        COORDINATOR = "coordinator", pgettext_lazy("checked in", "by a coordinator")

    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="attendances"
    )
    signup = models.OneToOneField(
        Signup,
        verbose_name=_("sign-up"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance",
    )
    walk_in_name = models.CharField(_("walk-in helper"), max_length=150, blank=True)
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices)
    method = models.CharField(
        _("checked in how"), max_length=20, choices=Method.choices, blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked out by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    no_show_at = models.DateTimeField(_("marked as not come at"), null=True, blank=True)
    # The one-time key of the form (or API request) that added a walk-in helper: the same
    # form sent twice (a double tap, a resent request) finds this row and adds no second.
    form_key = models.CharField(
        _("form key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    no_show_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked as not come by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["shift", "id"]
        indexes = [models.Index(fields=["shift", "status"], name="attendance_shift_status_idx")]
        constraints = [
            # A row is about a sign-up or about a walk-in helper, never both or neither.
            models.CheckConstraint(
                condition=(
                    models.Q(signup__isnull=False, walk_in_name="")
                    | (models.Q(signup__isnull=True) & ~models.Q(walk_in_name=""))
                ),
                name="attendance_signup_or_walk_in",
            ),
            # A walk-in came: they are checked in or out, never "did not come".
            models.CheckConstraint(
                condition=models.Q(signup__isnull=False) | ~models.Q(status="no_show"),
                name="attendance_walk_in_came",
            ),
        ]

    def __str__(self) -> str:
        who = self.walk_in_name or f"sign-up {self.signup_id}"
        return f"{who}: {self.get_status_display()}"

    @property
    def is_walk_in(self) -> bool:
        return self.signup_id is None


class CheckInCode(models.Model):
    """The QR code a site's coordinator shows or prints on the day: volunteers with a
    place on a shift there scan it to check in. One per site and day; it works until
    `expires_at` (the end of that day) unless it is revoked or renewed."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="check_in_codes"
    )
    day = models.DateField(_("day"))
    token = models.CharField(_("code"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in code")
        verbose_name_plural = _("check-in codes")
        ordering = ["site", "-day", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day"],
                condition=models.Q(revoked_at__isnull=True),
                name="check_in_code_one_per_site_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}"


class SiteState(models.Model):
    """The live state of a site on the day, as its lead or coordinator set it: open,
    busy, needs help, closed early. One row per change (who, when, an optional note);
    the latest is the site's state. The control room shows it."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("a site's live state", "open")
        BUSY = "busy", pgettext_lazy("a site's live state", "busy")
        NEEDS_HELP = "needs_help", pgettext_lazy("a site's live state", "needs help")
        CLOSED_EARLY = "closed_early", pgettext_lazy("a site's live state", "closed early")

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="states"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("site state")
        verbose_name_plural = _("site states")
        ordering = ["site", "-set_at", "-id"]
        indexes = [models.Index(fields=["site", "-set_at"], name="site_state_latest_idx")]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.get_state_display()}"


# The host of a site and their consent: a model of its own module (see there for why).
from .hosts import SiteHost  # noqa: E402, F401
