from datetime import datetime, time

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from posts.models import Review

from .models import FLAG_REASONS, writes_in_last_minute

HIDE_REASONS = FLAG_REASONS

NUL_MESSAGE = (
    "Your comment contains a NUL character, which can't be saved. Remove it (it often comes "
    "from pasting) and post again."
)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown works: *emphasis*, **bold**, lists, > quotes, links.",
        error_messages={"required": "Write something before posting: the comment is empty."},
    )

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        body = self.fields["body"]
        body.widget.attrs["maxlength"] = settings.COMMENTS_MAX_LENGTH
        body.validators = [ProhibitNullCharactersValidator(message=NUL_MESSAGE)]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something before posting: the comment is empty.")
        limit = settings.COMMENTS_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                f"Comments can be at most {limit:,} characters; yours has {len(body):,}. "
                "Shorten it, or split it into a comment and a reply."
            )
        return body

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.author is not None and writes_in_last_minute(self.author) >= (
            settings.COMMENTS_PER_MINUTE
        ):
            raise forms.ValidationError(
                f"You can post or edit at most {settings.COMMENTS_PER_MINUTE} comments a "
                "minute. Your text is kept below: wait a moment, then send it again."
            )
        return cleaned


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong with this comment?", choices=FLAG_REASONS)
    note = forms.CharField(
        label="Anything the moderators should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    reason = forms.ChoiceField(choices=HIDE_REASONS, label="Why hide it?")
    note = forms.CharField(
        label="Note (optional, shown to the author and moderators)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModeratorNoteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=1000, widget=forms.TextInput
    )


class SuspendForm(forms.Form):
    until = forms.DateField(
        label="Suspended until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to suspend indefinitely.",
    )
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the member.",
    )
    hide_comments = forms.BooleanField(label="Also hide all their visible comments", required=False)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today, or leave it empty.")
        return until

    def until_datetime(self):
        until = self.cleaned_data["until"]
        if until is None:
            return None
        return timezone.make_aware(datetime.combine(until, time.min))


class QueueFilterForm(forms.Form):
    review = forms.ModelChoiceField(
        queryset=Review.objects.all(), required=False, empty_label="All reviews"
    )
    member = forms.CharField(
        required=False, max_length=80, label="Member", help_text="Display name or email."
    )
    last_week = forms.BooleanField(required=False, label="Last 7 days only")
