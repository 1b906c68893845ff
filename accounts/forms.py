from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction

from journalclub.inputs import validate_single_line

from .models import TIME_ZONES, User

DISPLAY_NAME_HELP = "The name shown beside your comments. Your email address is never shown."
NAME_TAKEN = "That display name is already taken (names differing only in capitals or accents count as the same). Please choose another."  # noqa: E501


class SignupDetailsForm(forms.Form):
    """The extra fields allauth's sign-up form asks for."""

    display_name = forms.CharField(
        max_length=80, validators=[validate_single_line], help_text=DISPLAY_NAME_HELP
    )
    affiliation = forms.CharField(
        max_length=200,
        required=False,
        validators=[validate_single_line],
        help_text="Optional: your organisation, shown beside your name.",
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
                request, "Your display name was taken a moment ago: choose another on your profile."
            )


class ProfileForm(forms.ModelForm):
    display_name = forms.CharField(
        max_length=80, validators=[validate_single_line], help_text=DISPLAY_NAME_HELP
    )
    time_zone = forms.ChoiceField(
        choices=[("", "The site's time zone")]
        + [(name, name.replace("_", " ")) for name in TIME_ZONES],
        required=False,
        help_text="Times of comments and emails are shown in this zone.",
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "affiliation",
            "role",
            "time_zone",
            "reply_emails",
            "follow_on_comment",
        ]
        labels = {
            "reply_emails": "Email me when someone replies to my comments",
            "follow_on_comment": "Follow a question when I comment on it",
        }
        help_texts = {
            "affiliation": "Your organisation, shown beside your name.",
            "reply_emails": "",
            "follow_on_comment": "You get an email for each new comment there.",
        }

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"]
        if self.instance.display_name_taken(name):
            raise forms.ValidationError(NAME_TAKEN, code="display_name_taken")
        return name
