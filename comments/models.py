from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from journalclub.markdown import render_comment
from posts.models import Question, Review


def visible_comment_q(prefix: str = "") -> Q:
    """The rule for a comment everyone may read, usable through a relation (`prefix`)."""
    return Q(**{f"{prefix}deleted_at__isnull": True})


class CommentQuerySet(models.QuerySet):
    def visible(self) -> "CommentQuerySet":
        return self.filter(visible_comment_q())

    def for_threads(self) -> "CommentQuerySet":
        """Everything a thread shows, in the order the tree is built from: deleted comments
        stay in so that their replies keep their place."""
        return self.select_related("author").order_by("created_at", "id")

    def recent_by(self, user, *, seconds: int) -> "CommentQuerySet":
        return self.filter(author=user, created_at__gte=timezone.now() - timedelta(seconds=seconds))


class Comment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    body = models.TextField()
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the author deleted it. Nothing is erased."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["review", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author}"

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_comment(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def edit_deadline(self):
        return self.created_at + timedelta(minutes=settings.COMMENTS_EDIT_WINDOW_MINUTES)

    def is_editable_by(self, user) -> bool:
        return (
            user.is_authenticated
            and user.pk == self.author_id
            and not self.is_deleted
            and timezone.now() <= self.edit_deadline
        )

    def is_deletable_by(self, user) -> bool:
        return user.is_authenticated and user.pk == self.author_id and not self.is_deleted

    @transaction.atomic
    def edit(self, body: str) -> None:
        """Replace the text, keeping the earlier version for moderators."""
        CommentRevision.objects.create(
            comment=self, body=self.body, written_at=self.edited_at or self.created_at
        )
        self.body = body
        self.edited_at = timezone.now()
        self.save()

    def delete_by_author(self) -> None:
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"])

    def reply_position(self) -> tuple["Comment", int]:
        """Where a reply to this comment goes: under it, or beside it at the deepest level."""
        if self.depth + 1 < settings.COMMENTS_MAX_DEPTH:
            return self, self.depth + 1
        return self.parent, self.depth


class CommentRevision(models.Model):
    """An earlier text of an edited comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Version of comment {self.comment_id} from {self.written_at:%Y-%m-%d %H:%M}"
