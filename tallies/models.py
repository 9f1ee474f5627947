"""What was counted at the sites: one row per tap or correction; totals are sums."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields
from common.languages import in_language
from events.models import ActionKind, Event, Site


class Category(models.Model):
    """One thing counted at editions of a kind of action day (visitors, cups of coffee,
    passers-by reached): organisers define them with the kind. Entries carry its `slug`
    (unique within the kind), which is what the API and the CSVs name. A category that
    has counts is never deleted, only retired: it then stays in every figure of the
    editions that counted it, and new editions no longer offer it."""

    kind = models.ForeignKey(
        ActionKind,
        verbose_name=_("kind of action day"),
        to_field="slug",
        on_delete=models.CASCADE,
        related_name="categories",
    )
    slug = models.SlugField(_("code"), max_length=20)
    names = models.JSONField(_("names"), default=dict)
    taps = models.JSONField(
        _("what one tap means"),
        default=dict,
        blank=True,
        help_text=_('In each language, e.g. "one visitor through the door".'),
    )
    reached = models.BooleanField(
        _("counts towards people reached"),
        default=True,
        help_text=_("Off for what is not a person, like cups of coffee, or is counted twice."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("counted category")
        verbose_name_plural = _("counted categories")
        ordering = ["kind", "position", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="tally_category_kind_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.names) or self.slug

    @property
    def tap(self) -> str:
        return in_language(self.taps)


class TallyEntry(ConstraintErrorsOnFields):
    """One counted change at a site. Totals are sums of `delta`.

    `client_id` is made by the counting device for every tap; because it is unique, a
    batch that is sent again is stored once. A correction by a coordinator is an entry
    too, with a reason, so every total can be traced back.
    """

    # Taps may move a count by -1 (undo) up to +50 (a group at once); corrections are free,
    # and an imported total (`imported`) may be any figure above zero.
    TAP_DELTA_MIN = -1
    TAP_DELTA_MAX = 50

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="tally_entries"
    )
    category = models.CharField(_("category"), max_length=20)
    delta = models.IntegerField(_("change"))
    client_id = models.UUIDField(_("client id"), unique=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    is_correction = models.BooleanField(_("correction"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    # A total of a past edition read from a spreadsheet (`tallies.history_import`), not a
    # tap: counted at the site's opening hour, any size (a whole day's visitors).
    imported = models.BooleanField(_("imported"), default=False, db_default=False)
    # The upload that stored the entry: tells a tap stored by this request from one a
    # concurrent request stored first, and groups an audit trail by upload.
    sync_id = models.UUIDField(_("upload"), null=True, blank=True, editable=False)

    constraint_error_fields = {
        "tally_tap_delta_range": "delta",
        "tally_correction_has_reason": "reason",
        "tally_delta_not_zero": "delta",
    }

    class Meta:
        verbose_name = _("tally entry")
        verbose_name_plural = _("tally entries")
        ordering = ["site", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["site", "category"], name="tally_site_category_idx"),
            models.Index(fields=["site", "recorded_at"], name="tally_site_recorded_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_correction=True)
                | models.Q(imported=True, delta__gte=1)
                | models.Q(delta__gte=-1, delta__lte=50),
                name="tally_tap_delta_range",
                violation_error_code="tally_tap_delta_range",
                violation_error_message=_("A tap counts between -1 and +50."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_correction=False) | ~models.Q(reason=""),
                name="tally_correction_has_reason",
                violation_error_code="tally_correction_has_reason",
                violation_error_message=_("A correction needs a reason."),
            ),
            models.CheckConstraint(
                condition=~models.Q(delta=0),
                name="tally_delta_not_zero",
                violation_error_code="tally_delta_not_zero",
                violation_error_message=_("A change of zero counts nothing."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.category} {self.delta:+d}"


class HistoryImport(models.Model):
    """An edition recorded from a spreadsheet of its sites and totals
    (`tallies.history_import`): who imported it and when. Only an edition with this record
    is imported into again; one planned here, or recorded otherwise, is never touched by an
    import."""

    event = models.OneToOneField(
        Event, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="history_import"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("imported edition")
        verbose_name_plural = _("imported editions")

    def __str__(self) -> str:
        return str(self.event_id)


class TallyRefusal(models.Model):
    """Taps the server refused at a site, one row per upload and reason: how many, what
    they would have added, who sent them from which device. The audit page sums them per
    person, device and reason, so that the branch's coordinators see a phone whose clock
    is off, or someone counting far more than a door lets through. The refused taps
    themselves are not kept (they changed nothing)."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="tally_refusals"
    )
    code = models.CharField(_("reason"), max_length=32)
    taps = models.PositiveIntegerField(_("taps"))
    counted = models.IntegerField(_("what they would have counted"))
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    device_id = models.CharField(_("device"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("refused taps")
        verbose_name_plural = _("refused taps")
        ordering = ["site", "received_at", "id"]
        indexes = [
            models.Index(fields=["site", "received_at"], name="tally_refusal_site_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.code} ×{self.taps}"


class TallyHour(models.Model):
    """The sum of a site's entries in one category and one hour: what every total, the
    dashboard, its exports and the impact report read, so that they never sum the entries
    themselves (an edition has hundreds of thousands).

    Kept by the tally service (`tallies.summary`) in the transaction that stores the
    entries, corrections included, so it always equals the sums of the entries
    (`summary_differences` checks that). `hour` is the instant the hour starts. Europe/
    Amsterdam is always a whole number of hours from UTC (checked at start-up,
    `tallies.checks`), so its local hours are exactly the UTC hours: an entry's hour is
    its `recorded_at` truncated to the hour in UTC, and it is shown in local time. Both
    hours of the night the clocks go back are kept apart.
    """

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="tally_hours"
    )
    category = models.CharField(_("category"), max_length=20)
    hour = models.DateTimeField(_("hour"))
    total = models.BigIntegerField(_("total"))
    entries = models.PositiveIntegerField(_("entries"))
    corrections = models.PositiveIntegerField(_("corrections"))

    class Meta:
        verbose_name = _("hourly total")
        verbose_name_plural = _("hourly totals")
        ordering = ["site", "hour", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "category", "hour"], name="tally_hour_site_category_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.category} {self.hour:%Y-%m-%d %H:%M} {self.total:+d}"


class TallyMinuteCount(models.Model):
    """What one person, or one device, added at a site in one category in one minute of
    the taps' own time: the sum of their taps with a delta above 0 (undo taps and
    corrections count towards no limit). The limits per minute and per site
    (`TALLY_LIMIT_PER_MINUTE`, `TALLY_LIMIT_PER_SITE`) read these few rows instead of
    the entries. Kept by the tally service with the site locked, in the transaction that
    stores the taps.

    `counter` names who: `u<user id>` for a person, `d<device id>` for a device.
    """

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("category"), max_length=20)
    counter = models.CharField(_("person or device"), max_length=80)
    minute = models.DateTimeField(_("minute"))
    added = models.PositiveIntegerField(_("added"))

    class Meta:
        verbose_name = _("taps per minute")
        verbose_name_plural = _("taps per minute")
        ordering = ["site", "counter", "category", "minute"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "counter", "category", "minute"], name="tally_minute_count_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.counter} {self.category} {self.minute:%H:%M} {self.added}"


class ResultsPublication(models.Model):
    """An edition's results are public (`/results/<slug>/` and its embed): the organisers
    chose to publish them. No row, no public results; unpublishing deletes the row."""

    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="results_publication",
    )
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("results publication")
        verbose_name_plural = _("results publications")

    def __str__(self) -> str:
        return f"{self.event_id} {self.published_at:%Y-%m-%d %H:%M}"
