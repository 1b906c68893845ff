from django import forms

from journalclub.inputs import validate_single_line

from .models import User


class SignupDetailsForm(forms.Form):
    """The extra field allauth's sign-up form asks for."""

    display_name = forms.CharField(
        max_length=80,
        validators=[validate_single_line],
        help_text="Shown beside your comments. Your email address is never shown.",
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    display_name = forms.CharField(
        max_length=80, help_text="Shown beside your comments. Your email address is never shown."
    )

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "role", "reply_emails", "follow_on_comment"]
        labels = {
            "reply_emails": "Email me when someone replies to my comments",
            "follow_on_comment": "Follow a question when I comment on it",
        }
