"""Every email the site sends, kept until it is delivered.

A change that causes an email (a comment, a flag, a sign-up) only writes to the database
and enqueues a task in the same transaction; the task worker builds the emails as `Email`
rows and delivers them (`outbox.tasks`). A row is sent at most once: its `key` names the
event and the recipient, so a task that runs again after a partial send skips those
already delivered. A failed delivery is tried again with growing delays; after
`EMAIL_MAX_ATTEMPTS` tries the row stays, with its error, for staff to see.
"""

import email.policy
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Minutes to wait after the 1st, 2nd, ... failed try: six tries over 66 minutes.
RETRY_DELAYS_MINUTES = (1, 5, 10, 20, 30)
# How long a worker may take to deliver a claimed email before another may try.
CLAIM_MINUTES = 10


class OutboxMessage(EmailMultiAlternatives):
    """Python folds header lines at 78 characters, and encodes (RFC 2047) a header it
    cannot fold at a space, such as a long List-Unsubscribe URL, which mail clients then
    cannot read as a URL. Lines of up to 998 characters are valid (RFC 5322)."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def retry_delay(attempts: int) -> timedelta:
    index = min(attempts, len(RETRY_DELAYS_MINUTES)) - 1
    return timedelta(minutes=RETRY_DELAYS_MINUTES[max(index, 0)])


class EmailQuerySet(models.QuerySet):
    def unsent(self) -> "EmailQuerySet":
        return self.filter(sent_at__isnull=True, failed_at__isnull=True, withdrawn_at__isnull=True)

    def due(self) -> "EmailQuerySet":
        return self.unsent().filter(next_attempt_at__lte=timezone.now())

    def failed(self) -> "EmailQuerySet":
        return self.filter(failed_at__isnull=False)


class Email(models.Model):
    key = models.CharField(
        verbose_name=_("key"),
        max_length=200,
        unique=True,
        help_text=_("The event and the recipient: one email each."),
    )
    from_email = models.CharField(verbose_name=_("from email"), max_length=300)
    to = models.CharField(verbose_name=_("to"), max_length=254)
    subject = models.CharField(verbose_name=_("subject"), max_length=998)
    body = models.TextField(verbose_name=_("body"))
    html_body = models.TextField(verbose_name=_("html body"), blank=True)
    headers = models.JSONField(verbose_name=_("headers"), default=dict, blank=True)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        verbose_name=_("next attempt at"), default=timezone.now, db_index=True
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(
        verbose_name=_("failed at"),
        null=True,
        blank=True,
        help_text=_("Set when every try failed: the email was not sent."),
    )
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    withdrawn_at = models.DateTimeField(
        verbose_name=_("withdrawn at"),
        null=True,
        blank=True,
        help_text=_("Set when what it tells of was gone before it was sent."),
    )

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["sent_at", "failed_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @classmethod
    def from_message(cls, message: EmailMessage, *, key: str, to: str) -> "Email":
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        return cls(
            key=key,
            from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
            to=to,
            subject=message.subject,
            body=message.body,
            html_body=html,
            headers=dict(message.extra_headers),
        )

    def message(self) -> EmailMessage:
        message = OutboxMessage(
            subject=self.subject,
            body=self.body,
            from_email=self.from_email,
            to=[self.to],
            headers=self.headers,
        )
        if self.html_body:
            message.attach_alternative(self.html_body, "text/html")
        return message

    def claim(self) -> bool:
        """Take this email for one delivery attempt; False if it is sent, given up, not
        due yet, or being delivered by another worker."""
        now = timezone.now()
        claimed = (
            Email.objects.due()
            .filter(pk=self.pk)
            .update(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        )
        return claimed == 1

    def withdraw(self) -> None:
        self.withdrawn_at = timezone.now()
        Email.objects.filter(pk=self.pk).update(withdrawn_at=self.withdrawn_at)

    def mark_sent(self) -> None:
        self.sent_at = timezone.now()
        Email.objects.filter(pk=self.pk).update(sent_at=self.sent_at)

    def mark_failed_attempt(self, error: BaseException) -> None:
        """Record a failed try, and when the next one may happen (if any is left)."""
        self.attempts += 1
        self.last_error = f"{type(error).__name__}: {error}"[:2000]
        now = timezone.now()
        if self.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            self.failed_at = now
        else:
            self.next_attempt_at = now + retry_delay(self.attempts)
        Email.objects.filter(pk=self.pk).update(
            attempts=self.attempts,
            last_error=self.last_error,
            failed_at=self.failed_at,
            next_attempt_at=self.next_attempt_at,
        )

    def retry(self) -> None:
        """Staff's "try again" for an email that was given up."""
        self.failed_at = None
        self.attempts = 0
        self.next_attempt_at = timezone.now()
        self.save(update_fields=["failed_at", "attempts", "next_attempt_at"])
