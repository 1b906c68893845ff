from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from journalclub.inputs import validate_single_line


class User(AbstractUser):
    """A site account. Members are known publicly by their display name, never their email."""

    class Role(models.TextChoices):
        KNOWLEDGE_BROKER = "broker", "Knowledge broker"
        RESEARCHER = "researcher", "Researcher"
        PRACTITIONER = "practitioner", "Practitioner"
        OTHER = "other", "Other"

    # One line each: a name goes into email subjects, where a line break would add a header.
    display_name = models.CharField(
        max_length=80,
        blank=True,
        validators=[validate_single_line],
        help_text="The name shown beside this member's comments.",
    )
    affiliation = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    reply_emails = models.BooleanField(
        default=True, help_text="Send an email when someone replies to this member's comment."
    )
    follow_on_comment = models.BooleanField(
        default=True, help_text="Follow a question automatically when commenting on it."
    )

    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    suspended_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Empty while suspended: indefinitely."
    )
    suspension_reason = models.TextField(blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        permissions = [("suspend_member", "Can suspend members")]

    def __str__(self) -> str:
        return self.public_name

    @property
    def is_suspended(self) -> bool:
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or self.suspended_until > timezone.now()

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username
