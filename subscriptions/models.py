"""Readers who get an email about each new review and synthesis, and the record of what
was announced to them.

A visitor's address gets nothing but one confirmation email until its owner confirms it
(double opt-in); a member's verified address is confirmed already. Every email carries a
one-click unsubscribe link (RFC 8058). The links are signed ids, each kind with its own
salt, so a token works for its own purpose only.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

from posts.models import Review

CONFIRM_SALT = "subscriptions.confirm"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
CONFIRMATION_VALID_FOR = timedelta(days=7)
# At most one confirmation email per address in this time, so that the form cannot be
# used to flood someone's inbox.
CONFIRMATION_INTERVAL = timedelta(minutes=10)
# And at most this many ever, until the address is confirmed.
MAX_CONFIRMATION_EMAILS = 3


def normalize_email(email: str) -> str:
    """One spelling per address: lowercase, its domain in ASCII (IDNA)."""
    local, at, domain = email.strip().rpartition("@")
    try:
        domain = punycode(domain)
    except UnicodeError:
        pass
    return f"{local}{at}{domain}".lower()


def site_url() -> str:
    """The site's address, for links in emails: from the configured domain, never from a
    request's Host header."""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{Site.objects.get_current().domain}"


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriberQuerySet":
        return self.filter(confirmed_at__isnull=False)

    def of_member(self, member) -> "SubscriberQuerySet":
        """The subscriptions of `member`'s account and of its verified addresses."""
        addresses = EmailAddress.objects.filter(user=member, verified=True).values_list(
            "email", flat=True
        )
        return self.filter(Q(member=member) | Q(email__in=[normalize_email(a) for a in addresses]))


class Subscriber(models.Model):
    email = models.EmailField(verbose_name=_("email"), max_length=254, unique=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_subscriptions",
        verbose_name=_("member"),
        help_text=_("The member who subscribed while signed in, if any."),
    )
    subscribed_at = models.DateTimeField(verbose_name=_("subscribed at"), default=timezone.now)
    confirmed_at = models.DateTimeField(
        verbose_name=_("confirmed at"),
        null=True,
        blank=True,
        help_text=_(
            "Empty until the owner of the address confirms: until then it gets no "
            "email but the confirmation."
        ),
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_emails = models.PositiveSmallIntegerField(default=0, editable=False)
    language = models.CharField(
        verbose_name=_("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The emails to this address are in this language: the site's when they subscribed."
        ),
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-subscribed_at", "-id"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def confirm(self) -> None:
        if self.confirmed_at is None:
            self.confirmed_at = timezone.now()
            self.save(update_fields=["confirmed_at"])

    def claim_confirmation_email(self) -> bool:
        """True if a confirmation email may go now (none went in the last interval, and
        fewer than MAX_CONFIRMATION_EMAILS ever), and records that one goes; two requests
        at once cannot both claim it."""
        now = timezone.now()
        claimed = (
            Subscriber.objects.filter(
                pk=self.pk,
                confirmed_at__isnull=True,
                confirmation_emails__lt=MAX_CONFIRMATION_EMAILS,
            )
            .filter(
                Q(confirmation_sent_at__isnull=True)
                | Q(confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
            )
            .update(confirmation_sent_at=now, confirmation_emails=F("confirmation_emails") + 1)
        )
        if claimed:
            self.confirmation_sent_at = now
        return claimed == 1

    def confirm_url(self) -> str:
        token = signing.dumps(self.pk, salt=CONFIRM_SALT)
        return site_url() + reverse("subscriptions:confirm", kwargs={"token": token})

    def unsubscribe_url(self) -> str:
        token = signing.dumps(self.pk, salt=UNSUBSCRIBE_SALT)
        return site_url() + reverse("subscriptions:unsubscribe", kwargs={"token": token})

    @classmethod
    def from_token(cls, token: str, *, salt: str, max_age: timedelta | None = None) -> int | None:
        """The id a link was signed for; None if the token was not made by us for `salt`,
        or is older than `max_age`."""
        try:
            return signing.loads(token, salt=salt, max_age=max_age)
        except signing.BadSignature:
            return None


class Announcement(models.Model):
    """A review or synthesis that subscribers were emailed about (or that came out before
    subscriptions existed): each is announced once."""

    class Kind(models.TextChoices):
        REVIEW = "published", _("Review published")
        SYNTHESIS = "synthesis", _("Synthesis published")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("review")
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=Kind.choices)
    announced_at = models.DateTimeField(verbose_name=_("announced at"), default=timezone.now)
    recipients = models.PositiveIntegerField(
        verbose_name=_("recipients"),
        default=0,
        help_text=_("How many subscribers it was emailed to."),
    )

    class Meta:
        ordering = ["-announced_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="one_announcement_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.review}"


def forget_subscriptions_of(sender, instance, **kwargs) -> None:
    """A member who deletes their account stops getting emails at any of their addresses."""
    Subscriber.objects.of_member(instance).delete()
