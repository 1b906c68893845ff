from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from journalclub.inputs import validate_single_line

from .models import TIME_ZONES, User, validate_display_name

DISPLAY_NAME_LABEL = _("Display name")
AFFILIATION_LABEL = _("Affiliation")
DISPLAY_NAME_HELP = _("The name shown beside your comments. Your email address is never shown.")
NAME_TAKEN = _(
    "That display name is already taken (names differing only in capitals or accents count "
    "as the same). Please choose another."
)


class SignupDetailsForm(forms.Form):
    """The extra fields allauth's sign-up form asks for."""

    display_name = forms.CharField(
        label=DISPLAY_NAME_LABEL,
        max_length=80,
        validators=[validate_single_line, validate_display_name],
        help_text=DISPLAY_NAME_HELP,
    )
    affiliation = forms.CharField(
        label=AFFILIATION_LABEL,
        max_length=200,
        required=False,
        validators=[validate_single_line],
        help_text=_("Optional: your organisation, shown beside your name."),
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"]
        if User().display_name_taken(name):
            raise forms.ValidationError(NAME_TAKEN, code="display_name_taken")
        return name

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.affiliation = self.cleaned_data["affiliation"]
        try:
            with transaction.atomic():
                user.save(update_fields=["display_name", "affiliation"])
        except IntegrityError:
            # Someone took the name since the form was checked: the account stands, unnamed.
            user.display_name = ""
            user.save(update_fields=["display_name", "affiliation"])
            messages.warning(
                request,
                gettext(
                    "Your display name was taken a moment ago: choose another on your profile."
                ),
            )


class ProfileForm(forms.ModelForm):
    display_name = forms.CharField(
        label=DISPLAY_NAME_LABEL,
        max_length=80,
        validators=[validate_single_line, validate_display_name],
        help_text=DISPLAY_NAME_HELP,
    )
    time_zone = forms.ChoiceField(
        choices=[("", _("The site's time zone"))]
        + [(name, name.replace("_", " ")) for name in TIME_ZONES],
        required=False,
        label=_("Time zone"),
        help_text=_("Times of comments and emails are shown in this zone."),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "affiliation",
            "role",
            "time_zone",
            "language",
            "reply_emails",
            "follow_on_comment",
        ]
        labels = {
            "affiliation": AFFILIATION_LABEL,
            "role": _("Role"),
            "reply_emails": _("Email me when someone replies to my comments"),
            "follow_on_comment": _("Follow a question when I comment on it"),
        }
        help_texts = {
            "affiliation": _("Your organisation, shown beside your name."),
            "reply_emails": "",
            "follow_on_comment": _("You get an email for each new comment there."),
        }

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"]
        if self.instance.display_name_taken(name):
            raise forms.ValidationError(NAME_TAKEN, code="display_name_taken")
        return name


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    """allauth's, keeping the secret drawn for this session until the authenticator is
    activated (allauth forgets it then). allauth draws a new one each time the page is
    shown, so a member who scanned the QR code and then reloaded the page was told
    "Incorrect code" for the codes of the app they had just set up."""

    def __init__(self, *args, **kwargs) -> None:
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)  # not allauth's: it draws a new secret
        self.secret = totp_auth.get_totp_secret(regenerate=False)
