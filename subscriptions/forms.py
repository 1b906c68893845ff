from django import forms

from .models import normalize_email


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={"invalid": "Enter an email address such as name@example.org."},
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])
