import uuid
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journalclub.inputs import (
    control_character,
    validate_no_control_characters,
    validate_single_line,
    whole_number,
)
from posts.models import Question, Review, language_choices

from .models import FLAG_REASONS, Comment, Flag, writes_in_last_minute

HIDE_REASONS = FLAG_REASONS

CONTROL_MESSAGE = gettext_lazy(
    "Your comment contains %(character)s, which can't be saved. Remove it (it often comes "
    "from pasting) and post again."
)


def validate_comment_text(body: str) -> None:
    """Line breaks and tabs, yes; NUL (PostgreSQL refuses it) and other control characters
    (feeds cannot carry them), no."""
    if character := control_character(body, multi_line=True):
        raise forms.ValidationError(
            CONTROL_MESSAGE, code="control_character", params={"character": character}
        )


def interface_language() -> str:
    """The language of the interface, as a language a comment may be written in."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in language_choices()]
    return language if language in codes else settings.LANGUAGE_CODE


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Markdown works: *emphasis*, **bold**, lists, > quotes, links."),
        error_messages={
            "required": gettext_lazy("Write something before posting: the comment is empty.")
        },
    )
    # Members write in either language on either version; not required, so that a form
    # without it (a reply from the script) posts in the interface's language.
    language = forms.ChoiceField(
        label=gettext_lazy("Written in"),
        choices=language_choices,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a language from the list.")},
    )

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        self.fields["language"].initial = interface_language()
        body = self.fields["body"]
        body.widget.attrs["maxlength"] = settings.COMMENTS_MAX_LENGTH
        # In place of CharField's own NUL check, whose message is less helpful.
        body.validators = [validate_comment_text]

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or interface_language()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before posting: the comment is empty."))
        limit = settings.COMMENTS_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                _(
                    "Comments can be at most %(limit)s characters; yours has %(length)s. "
                    "Shorten it, or split it into a comment and a reply."
                )
                % {
                    "limit": number_format(limit, force_grouping=True),
                    "length": number_format(len(body), force_grouping=True),
                }
            )
        return body

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.author is not None and writes_in_last_minute(self.author) >= (
            settings.COMMENTS_PER_MINUTE
        ):
            raise forms.ValidationError(
                _(
                    "You can post or edit at most %(limit)s comments a minute. Your text is "
                    "kept below: wait a moment, then send it again."
                )
                % {"limit": settings.COMMENTS_PER_MINUTE}
            )
        return cleaned

    def one_time_key(self) -> uuid.UUID:
        """The key for one drawing of the form: the key it was sent with when it comes back
        with an error, else a new one. Templates call it once per form they draw."""
        return self._form_key() or uuid.uuid4()

    @property
    def submission_key(self) -> uuid.UUID | None:
        """Names this sending: the form's one-time key with the text sent. The same form sent
        again with the same text names the same comment; edited text, a new one. None from
        a form drawn before forms had keys (a tab left open)."""
        form_key = self._form_key()
        return None if form_key is None else uuid.uuid5(form_key, self.data.get("body", ""))

    def earlier_submission(self, question: Question) -> Comment | None:
        """The comment this very sending posted already on `question`: a double click, or
        a retry after an answer that was lost."""
        if self.submission_key is None or self.author is None:
            return None
        earlier = Comment.objects.select_related("review", "question__review")
        return earlier.filter(
            author=self.author, submission_key=self.submission_key, question=question
        ).first()

    def _form_key(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.data.get("submission_key", ""))
        except ValueError:
            return None


class FlagForm(forms.Form):
    # No reason chosen in advance: the member says what is wrong.
    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong with this comment?"),
        choices=FLAG_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what is wrong with this comment.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Anything the moderators should know (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_control_characters],
    )

    def __init__(self, *args, flagger=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.flagger = flagger

    def clean(self) -> dict:
        cleaned = super().clean()
        limit = settings.COMMENTS_FLAGS_PER_MINUTE
        if self.flagger is not None and Flag.objects.recent_by(self.flagger).count() >= limit:
            raise forms.ValidationError(
                _(
                    "You can flag at most %(limit)s comments a minute. Wait a moment and send "
                    "this flag again."
                )
                % {"limit": limit}
            )
        return cleaned


class HideForm(forms.Form):
    # No reason chosen in advance but the one members flagged it for most (hide view).
    reason = forms.ChoiceField(
        choices=[("", gettext_lazy("Choose a reason"))] + HIDE_REASONS,
        label=gettext_lazy("Why hide it?"),
        error_messages={"required": gettext_lazy("Choose why you hide this comment.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional, shown to the author and moderators)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_control_characters],
    )


class ModeratorNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.TextInput,
        validators=[validate_single_line],
    )


SUSPENSION_LENGTHS = [
    ("1", gettext_lazy("1 day")),
    ("7", gettext_lazy("7 days")),
    ("30", gettext_lazy("30 days")),
    ("indefinite", gettext_lazy("Until further notice")),
    ("date", gettext_lazy("Until a date")),
]


class SuspendForm(forms.Form):
    # None chosen in advance: how long is the moderator's decision, every time.
    length = forms.ChoiceField(
        label=gettext_lazy("For how long?"),
        choices=SUSPENSION_LENGTHS,
        widget=forms.RadioSelect,
        required=False,
    )
    until = forms.DateField(
        label=gettext_lazy("Until (with “Until a date”)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown to the member."),
        validators=[validate_no_control_characters],
    )
    hide_comments = forms.BooleanField(
        label=gettext_lazy("Also hide all their visible comments"), required=False
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        length, until = cleaned.get("length"), cleaned.get("until")
        if not length and until is not None:
            length = cleaned["length"] = "date"  # a date alone says how long
        if not length:
            if "until" not in self.errors:
                self.add_error("length", _("Choose how long the suspension lasts."))
        elif length == "date":
            if until is None and "until" not in self.errors:
                self.add_error("until", _("Choose the date the suspension ends."))
            elif until is not None and until <= timezone.localdate():
                self.add_error("until", _("Choose a date after today."))
        return cleaned

    def until_datetime(self) -> datetime | None:
        """When the suspension ends; None for one until further notice."""
        length = self.cleaned_data["length"]
        if length == "indefinite":
            return None
        if length == "date":
            return timezone.make_aware(datetime.combine(self.cleaned_data["until"], time.min))
        return timezone.now() + timedelta(days=int(length))


class IdChoiceField(forms.ModelChoiceField):
    """An object by its id, written in ASCII digits: not "١", which `int()` reads as 1."""

    def to_python(self, value):
        if value not in self.empty_values and whole_number(str(value)) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class QueueFilterForm(forms.Form):
    review = IdChoiceField(
        queryset=Review.objects.all(),
        required=False,
        label=gettext_lazy("Review"),
        empty_label=gettext_lazy("All reviews"),
    )
    member = forms.CharField(
        required=False,
        max_length=80,
        label=gettext_lazy("Member"),
        help_text=gettext_lazy("Display name or email."),
        validators=[validate_single_line],
    )
    last_week = forms.BooleanField(required=False, label=gettext_lazy("Last 7 days only"))
