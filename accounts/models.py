import unicodedata
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from journalclub.inputs import validate_single_line

# A member without a display name (none should be: sign-up asks for one) is shown as this,
# never by their internal username.
UNNAMED_MEMBER = _("Member")
# Not choices on the field: the list comes with the system's time zone data, and would
# change the migrations from one machine to the next.
TIME_ZONES = sorted(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in TIME_ZONES:
        raise ValidationError(_("Choose a time zone from the list."), code="invalid_time_zone")


def name_key(name: str) -> str:
    """`name` as compared for uniqueness: "Amara  Okáfor" and "amara okafor" are one name."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


# Characters that show as nothing (or as a blank) and so could make one name look like
# another's: format characters (zero-width spaces and joiners, soft hyphen, bidi controls)
# are found by their category; these are letters or marks that render empty.
INVISIBLE_CHARACTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
ALPHABETS = ("LATIN", "CYRILLIC", "GREEK")


def _is_invisible(character: str) -> bool:
    code = ord(character)
    return (
        unicodedata.category(character) == "Cf"
        or character in INVISIBLE_CHARACTERS
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
    )


def _alphabet(character: str) -> str | None:
    if not character.isalpha():
        return None
    name = unicodedata.name(character, "")
    return next((alphabet for alphabet in ALPHABETS if name.startswith(alphabet + " ")), None)


def validate_display_name(name: str) -> None:
    """A name that reads as what it is: no invisible characters, one alphabet, and short
    enough to be compared with the others (name_key, whose column has a length)."""
    if invisible := next((c for c in name if _is_invisible(c)), None):
        raise ValidationError(
            _("Remove the invisible character (U+%(code)04X) from the name.")
            % {"code": ord(invisible)},
            code="invisible_character",
        )
    if len({alphabet for c in name if (alphabet := _alphabet(c))}) > 1:
        raise ValidationError(
            _("A name may use one alphabet: not Latin letters with Cyrillic or Greek ones."),
            code="mixed_alphabets",
        )
    if len(name_key(name)) > User._meta.get_field("display_name_key").max_length:
        raise ValidationError(
            _("This name is too long once its characters are spelled out: shorten it."),
            code="name_key_too_long",
        )


class User(AbstractUser):
    """A site account. Members are known publicly by their display name, never their email."""

    class Role(models.TextChoices):
        KNOWLEDGE_BROKER = "broker", _("Knowledge broker")
        RESEARCHER = "researcher", _("Researcher")
        PRACTITIONER = "practitioner", _("Practitioner")
        OTHER = "other", pgettext_lazy("role", "Other")

    # One line each: a name goes into email subjects, where a line break would add a header.
    display_name = models.CharField(
        verbose_name=_("display name"),
        max_length=80,
        blank=True,
        validators=[validate_single_line],
        help_text=_("The name shown beside your comments."),
    )
    # The display name as compared for uniqueness (name_key), kept by save().
    display_name_key = models.CharField(max_length=200, blank=True, editable=False)
    affiliation = models.CharField(
        verbose_name=_("affiliation"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    role = models.CharField(verbose_name=_("role"), max_length=20, choices=Role.choices, blank=True)
    reply_emails = models.BooleanField(
        verbose_name=_("reply emails"),
        default=True,
        help_text=_("Email me when someone replies to my comments."),
    )
    follow_on_comment = models.BooleanField(
        verbose_name=_("follow on comment"),
        default=True,
        help_text=_("Follow a question automatically when I comment on it."),
    )
    time_zone = models.CharField(
        verbose_name=_("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Times on the site are shown in this zone. Empty: the site's own."),
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The site and its emails to you are in this language."),
    )

    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    suspended_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("Empty while suspended: indefinitely.")
    )
    suspension_reason = models.TextField(blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        permissions = [("suspend_member", _("Can suspend members"))]
        constraints = [
            models.UniqueConstraint(
                fields=["display_name_key"],
                condition=~Q(display_name_key=""),
                name="unique_display_name",
                violation_error_message=_("That display name is already taken."),
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
        return self.display_name or self.get_full_name() or str(UNNAMED_MEMBER)

    def get_short_name(self) -> str:
        # The admin's greeting, among others: never the generated username.
        return self.public_name

    def display_name_taken(self, name: str) -> bool:
        """Whether another member's display name is `name`, give or take case and accents."""
        key = name_key(name)
        return bool(key) and User.objects.filter(display_name_key=key).exclude(pk=self.pk).exists()
