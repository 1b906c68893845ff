import unicodedata

from django import forms
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

from .models import normalize_email

INVALID_EMAIL = _("Enter an email address such as name@example.org.")


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={"invalid": INVALID_EMAIL},
    )

    def clean_email(self) -> str:
        """The address in one spelling, so that the limits on confirmation emails count
        each inbox once: the unusual forms that several spellings of one inbox could take
        (quoted or non-ASCII names, backslashes) are refused."""
        email = self.cleaned_data["email"]
        if any(unicodedata.category(char) in ("Cc", "Cf") for char in email):
            raise forms.ValidationError(_("An email address cannot contain control characters."))
        local, _at, domain = email.rpartition("@")
        if '"' in email or "\\" in email:
            raise forms.ValidationError(_("Enter an email address without quotes or backslashes."))
        if not local.isascii():
            raise forms.ValidationError(
                _("Use only unaccented letters, digits and . _ + - before the @.")
            )
        try:
            punycode(domain)
        except UnicodeError:
            raise forms.ValidationError(INVALID_EMAIL) from None
        return normalize_email(email)
