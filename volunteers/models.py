"""The volunteer's side: reminders sent about their shifts, and coordinators' appeals for help."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderSent(models.Model):
    """A reminder that went out; unique per signup and kind, so it goes out once."""

    class Kind(models.TextChoices):
        DAYS_BEFORE = "days_before", _("days before")
        MORNING = "morning", _("morning of the day")

    signup = models.ForeignKey(
        "events.Signup",
        verbose_name=_("sign-up"),
        on_delete=models.CASCADE,
        related_name="reminders",
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
