"""Volunteer profiles, their claims on shifts, and the reminders sent about them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Shift
from locations.models import Branch

from .tokens import new_calendar_token


class Volunteer(models.Model):
    """A user's volunteer profile. Created on first need; never shown to the public."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="volunteer",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        help_text=_("Language codes such as nl, en, ar, ti, fa."),
    )
    home_branch = models.ForeignKey(
        Branch,
        verbose_name=_("home branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
    )
    calendar_token = models.CharField(
        _("calendar token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    coordinator_calendar_token = models.CharField(
        _("coordinator calendar token"),
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["user__email"]

    def __str__(self) -> str:
        return str(self.user)


class Signup(models.Model):
    """A volunteer's claim on a shift.

    At most one active (confirmed or waitlisted) signup per shift and volunteer; the
    waitlist is served in order of `created_at`, then `id`.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlisted")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="signups"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

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


class ReminderSent(models.Model):
    """A reminder that went out; unique per signup and kind, so it goes out once."""

    class Kind(models.TextChoices):
        DAYS_BEFORE = "days_before", _("days before")
        MORNING = "morning", _("morning of the day")

    signup = models.ForeignKey(
        Signup, verbose_name=_("sign-up"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["signup", "kind"], name="reminder_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.signup_id} {self.kind}"


class StaffingAppeal(models.Model):
    """A coordinator's e-mail to their branch's volunteers asking for help at a site.

    Kept as a record of who was asked when (and to space appeals out); the addresses
    themselves are not stored.
    """

    site = models.ForeignKey(
        "events.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="staffing_appeals",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    message = models.TextField(_("message"), blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("staffing appeal")
        verbose_name_plural = _("staffing appeals")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["site", "sent_at"], name="appeal_site_sent_idx")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.sent_at:%Y-%m-%d %H:%M}"
