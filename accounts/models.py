"""People: the user account (one per person, identified by e-mail address) and the
volunteer profile.

Roles are not stored here beyond `is_organiser`: a coordinator is a user listed as a
coordinator of a branch (`locations.Branch.coordinators`), a volunteer is a user with a
volunteer profile (`Volunteer`). The role predicates are in `roles.py`.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from locations.models import Branch

from .tokens import new_calendar_token


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_organiser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    # Empty (NULL) only for a helper without a log-in who gave no address (`Volunteer.
    # link_token`); every account that logs in has one.
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    # The person's own language (a code of settings.LANGUAGES): their mails and calendar
    # feeds are written in it alone. Empty: not chosen (accounts from before it was
    # asked), and mails to them are then written in Dutch and in English.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    is_organiser = models.BooleanField(
        _("national organiser"),
        default=False,
        help_text=_("National office staff: may manage every edition, site and branch."),
    )

    # A coordinator's choice: the daily digest of their sites' unfilled places before an
    # edition, and the alert when a shift starts short of people (events/alerts.py).
    staffing_alerts = models.BooleanField(
        _("understaffing alerts by e-mail"),
        default=True,
        help_text=_(
            "Coordinators: a daily list of your sites' unfilled places in the weeks before "
            "an action day, and a message when a shift starts with too few people."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email or f"#{self.pk}"

    def clean(self) -> None:
        super().clean()
        if self.email:
            self.email = self.__class__.objects.normalize_email(self.email).lower()
        else:
            self.email = None


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
    # A helper without a log-in (no password; added by a coordinator or joined through a
    # site's invitation) reaches their shifts through a personal link holding this token;
    # accounts have none. Resetting it makes the old link useless.
    link_token = models.CharField(
        _("personal link token"), max_length=64, unique=True, null=True, blank=True
    )
    # A helper without a log-in: true from their creation on, also after their data was
    # erased (rosters of past shifts still mark them); false again only when they made
    # their own account (`volunteers.helpers.helper_became_account`). The one answer to
    # "is this a helper": `has_login`, `helpers()`, claiming and mail links read it.
    is_helper = models.BooleanField(_("helper without a log-in"), default=False, editable=False)
    # When the person agreed that we keep their name (and phone or address) for the
    # shifts, and who recorded it when a coordinator added them.
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
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

    @property
    def has_login(self) -> bool:
        """Whether the person logs in (an account); a helper, also an erased one, does not."""
        return not self.is_helper

    @property
    def helper_link_works(self) -> bool:
        """A helper whose personal link opens their page: not erased, link not taken back."""
        return self.is_helper and self.anonymised_at is None and self.link_token is not None


class SentMail(models.Model):
    """A mail that was sent, by a key naming what it was about (e.g. "signup:12:confirmed",
    "message:4:user:31"): recorded before it goes out, so that a retried task or a second
    worker never sends it twice (`accounts.mail.send_once`)."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("sent mail")
        verbose_name_plural = _("sent mails")

    def __str__(self) -> str:
        return self.key
