from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator

from .models import Comment

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
        if self.author is not None and self.is_new_comment:
            recent = Comment.objects.recent_by(self.author, seconds=60).count()
            if recent >= settings.COMMENTS_PER_MINUTE:
                raise forms.ValidationError(
                    f"You can post at most {settings.COMMENTS_PER_MINUTE} comments a minute. "
                    "Your text is kept below: wait a moment, then post it again."
                )
        return cleaned

    is_new_comment = True


class EditCommentForm(CommentForm):
    is_new_comment = False
