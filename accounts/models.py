import unicodedata
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from journalclub.inputs import validate_single_line

# A member without a display name (none should be: sign-up asks for one) is shown as this,
# never by their internal username.
UNNAMED_MEMBER = "Member"
# Not choices on the field: the list comes with the system's time zone data, and would
# change the migrations from one machine to the next.
TIME_ZONES = sorted(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in TIME_ZONES:
        raise ValidationError("Choose a time zone from the list.", code="invalid_time_zone")


def name_key(name: str) -> str:
    """`name` as compared for uniqueness: "Amara  Okáfor" and "amara okafor" are one name."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


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
        help_text="The name shown beside your comments.",
    )
    # The display name as compared for uniqueness (name_key), kept by save().
    display_name_key = models.CharField(max_length=200, blank=True, editable=False)
    affiliation = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    reply_emails = models.BooleanField(
        default=True, help_text="Email me when someone replies to my comments."
    )
    follow_on_comment = models.BooleanField(
        default=True, help_text="Follow a question automatically when I comment on it."
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Times on the site are shown in this zone. Empty: the site's own.",
    )

    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    suspended_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Empty while suspended: indefinitely."
    )
    suspension_reason = models.TextField(blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        permissions = [("suspend_member", "Can suspend members")]
        constraints = [
            models.UniqueConstraint(
                fields=["display_name_key"],
                condition=~Q(display_name_key=""),
                name="unique_display_name",
                violation_error_message="That display name is already taken.",
            )
        ]

    def __str__(self) -> str:
        return self.public_name

    def save(self, *args, **kwargs) -> None:
        self.display_name_key = name_key(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "display_name_key"}
        super().save(*args, **kwargs)

    @property
    def is_suspended(self) -> bool:
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or self.suspended_until > timezone.now()

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or UNNAMED_MEMBER

    def get_short_name(self) -> str:
        # The admin's greeting, among others: never the generated username.
        return self.public_name

    def display_name_taken(self, name: str) -> bool:
        """Whether another member's display name is `name`, give or take case and accents."""
        key = name_key(name)
        return bool(key) and User.objects.filter(display_name_key=key).exclude(pk=self.pk).exists()
