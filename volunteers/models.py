"""The volunteer's side: reminders sent about their shifts, coordinators' appeals for help,
sites' invitations to help without an account, and where such helpers came from."""

import datetime

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
    # Only volunteers who speak this language (a code the site needs) were asked; empty:
    # everyone of the branch.
    language = models.CharField(_("language asked for"), max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("staffing appeal")
        verbose_name_plural = _("staffing appeals")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["site", "sent_at"], name="appeal_site_sent_idx")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.sent_at:%Y-%m-%d %H:%M}"


class SiteInvitation(models.Model):
    """A site's invitation to help without an account: a short link (`/j/<token>/`) and
    its QR code that a coordinator shows or prints. Whoever opens it sees the site's
    shifts open for claims and signs up with a name and a phone number or an e-mail
    address (`volunteers.helpers.helper_join`).

    It works until `expires_at` (by default the end of the site's day) unless revoked.
    A site has at most one invitation that is not revoked: a new one (renewing) revokes
    the one before, so a link that was passed around too widely can be replaced.
    """

    site = models.ForeignKey(
        "events.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token = models.CharField(_("token"), max_length=32, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("site invitation")
        verbose_name_plural = _("site invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(revoked_at__isnull=True),
                name="invitation_one_unrevoked_per_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.created_at:%Y-%m-%d %H:%M}"

    def is_live(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def last_day(self):
        """The last day it works (it expires at the midnight after), Europe/Amsterdam."""
        return timezone.localdate(self.expires_at - datetime.timedelta(microseconds=1))


class HelperOrigin(models.Model):
    """How a helper without a log-in came: added by a coordinator of `site`
    (`invitation` empty) or joined through one of its invitations. `form_key` is the
    one-time key of the form that made them: the same form sent twice (a double tap, a
    resent request) finds this row and makes no second helper or sign-up. No personal
    data: it stays when the helper's data is erased."""

    volunteer = models.OneToOneField(
        "accounts.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="helper_origin",
    )
    site = models.ForeignKey(
        "events.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    invitation = models.ForeignKey(
        SiteInvitation,
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpers",
    )
    form_key = models.CharField(_("form key"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("helper origin")
        verbose_name_plural = _("helper origins")

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.site_id}"


class Message(models.Model):
    """A message a coordinator or an organiser wrote to the volunteers of a shift, a site,
    a branch's sites in an edition, or a whole edition (`volunteers.messages`).

    Kept as the record of who wrote what to whom and when: the text in the writer's
    language, its versions in other languages, and one `MessageRecipient` per person."""

    class Scope(models.TextChoices):
        SHIFT = "shift", _("the volunteers of a shift")
        SITE = "site", _("the volunteers of a site")
        BRANCH = "branch", _("the volunteers of a branch's sites")
        EDITION = "edition", _("the volunteers of every site")

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("with a place")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CHECKED_IN = "checked_in", _("checked in today")

    scope = models.CharField(_("written to"), max_length=10, choices=Scope.choices)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("action day"),
        on_delete=models.CASCADE,
        related_name="volunteer_messages",
    )
    # The branch whose volunteers (of a shift, site or the branch's sites) were written
    # to; empty for a whole edition.
    branch = models.ForeignKey(
        "locations.Branch",
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="volunteer_messages",
    )
    site = models.ForeignKey(
        "events.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="volunteer_messages",
    )
    shift = models.ForeignKey(
        "events.Shift",
        verbose_name=_("shift"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="volunteer_messages",
    )
    # Who was meant (`Audience` values): those with a place, on the waitlist, checked in.
    audiences = models.JSONField(_("audience"), default=list)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    # The address replies go to (the writer's at the time).
    reply_to = models.EmailField(_("reply to"), blank=True, default="")
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"))
    # Versions in other languages: {"ar": {"subject": …, "body": …}, …}.
    versions = models.JSONField(_("other languages"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message to volunteers")
        verbose_name_plural = _("messages to volunteers")
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["branch", "written_at"], name="message_branch_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="edition") | models.Q(branch__isnull=False),
                name="message_branch_unless_edition",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def text_in(self, language: str) -> tuple[str, str, str]:
        """(language, subject, body): the version in `language` where there is one, else
        the writer's."""
        version = self.versions.get(language) if language != self.language else None
        if version:
            return language, version["subject"], version["body"]
        return self.language, self.subject, self.body


class MessageRecipient(models.Model):
    """One person a `Message` was meant for: sent (with the time) or not reachable by mail
    (a helper without an address)."""

    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    volunteer = models.ForeignKey(
        "accounts.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    by_mail = models.BooleanField(_("has an e-mail address"), default=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient of a message")
        verbose_name_plural = _("recipients of messages")
        constraints = [
            models.UniqueConstraint(fields=["message", "volunteer"], name="message_recipient_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.volunteer_id}"
