import logging
from datetime import timedelta
from functools import cache

from allauth.account.utils import has_verified_email
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import needs_two_factor
from journalclub.markdown import render_comment
from posts.models import Question, Review

logger = logging.getLogger("journalclub.moderation")


def visible_comment_q(prefix: str = "") -> Q:
    """The rule for a comment everyone may read, usable through a relation (`prefix`)."""
    return Q(
        **{
            f"{prefix}deleted_at__isnull": True,
            f"{prefix}hidden_at__isnull": True,
            f"{prefix}approved": True,
        }
    )


def with_comment_counts(reviews: QuerySet) -> QuerySet:
    """`reviews`, each with `comment_count`: its comments everyone may read."""
    # Meta.ordering does not apply to aggregating queries: restate it.
    return reviews.annotate(
        comment_count=models.Count("comments", filter=visible_comment_q("comments__"))
    ).order_by(*Review._meta.ordering)


def active_discussions(reviews: QuerySet) -> QuerySet:
    """Published `reviews` by their most recent comment everyone may read, newest first."""
    return (
        reviews.published()
        .annotate(
            last_comment_at=models.Max(
                "comments__created_at", filter=visible_comment_q("comments__")
            )
        )
        .filter(last_comment_at__isnull=False)
        .order_by("-last_comment_at")
    )


@cache
def _permalink_pattern() -> str:
    # Reversed once: a page may link thousands of comments.
    return reverse("comments:permalink", kwargs={"pk": 918273645}).replace("918273645", "{}")


def participation_refusal(user) -> str | None:
    """Why `user` may not post, reply, edit or flag; None if they may."""
    if not user.is_authenticated:
        return "Sign in to join the discussion."
    if user.is_suspended:
        until = (
            f"until {timezone.localtime(user.suspended_until):%d %B %Y}"
            if user.suspended_until
            else "until further notice"
        )
        return f"Your account is suspended {until}: {user.suspension_reason}"
    if not has_verified_email(user):
        return "Verify your email address before you join the discussion."
    return None


def can_comment(user) -> bool:
    return participation_refusal(user) is None


def is_moderator(user) -> bool:
    """Moderators are the Moderators group (and superusers): staff status is not needed,
    but two-factor authentication is, where the site requires it."""
    return (
        user.is_authenticated
        and user.has_perm("comments.view_hidden_comment")
        and not needs_two_factor(user)
    )


class HideReason(models.TextChoices):
    SPAM = "spam", "Spam"
    OFF_TOPIC = "off_topic", "Off-topic"
    DISRESPECTFUL = "disrespectful", "Disrespectful"
    PERSONAL_INFORMATION = "personal_information", "Personal information"
    OTHER = "other", "Other"
    FLAGGED = "flagged", "Flagged by members, awaiting review"


FLAG_REASONS = [choice for choice in HideReason.choices if choice[0] != HideReason.FLAGGED]


@cache
def _author_fields_not_on_cards() -> list[str]:
    """A card names its author: the rest of a member's row is not worth loading."""
    shown = {"id", "username", "first_name", "last_name", "display_name", "affiliation"}
    user_model = get_user_model()
    return [
        f"author__{field.name}"
        for field in user_model._meta.concrete_fields
        if field.name not in shown
    ]


class CommentQuerySet(models.QuerySet):
    def visible(self) -> "CommentQuerySet":
        return self.filter(visible_comment_q())

    def for_threads(self, *, moderator: bool = False) -> "CommentQuerySet":
        """Everything a thread may show, in the order the tree is built from: deleted and
        hidden comments stay in so that their replies keep their place. What each reader
        may see of them is decided by `threads.build_threads`."""
        comments = (
            self.select_related("author")
            .defer(*_author_fields_not_on_cards())
            .order_by("created_at", "id")
        )
        if moderator:
            comments = comments.select_related("hidden_by")
        return comments


def writes_in_last_minute(member) -> int:
    """How many comments `member` posted or edited in the last minute: both count
    against `COMMENTS_PER_MINUTE`, as each costs a render."""
    since = timezone.now() - timedelta(minutes=1)
    posted = Comment.objects.filter(author=member, created_at__gte=since).count()
    edited = CommentRevision.objects.filter(comment__author=member, replaced_at__gte=since)
    return posted + edited.count()


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
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Empty when the comment was hidden automatically after flags.",
    )
    hidden_reason = models.CharField(
        max_length=30, choices=HideReason.choices, blank=True, editable=False
    )
    hidden_note = models.TextField(blank=True, editable=False)
    approved = models.BooleanField(
        default=True, editable=False, help_text="False while it waits for pre-moderation."
    )
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="Names the sending that posted it: the form's one-time key with its text. "
        "The same form sent twice posts once.",
    )

    objects = CommentQuerySet.as_manager()

    # What the current reader sees of it; `threads.build_threads` sets it per reader.
    display = "text"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["review", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="one_comment_per_submission",
            )
        ]
        permissions = [
            ("hide_comment", "Can hide, unhide and approve comments"),
            ("view_hidden_comment", "Can see flags and hidden text"),
            ("resolve_flag", "Can resolve flags"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author}"

    def save(self, *args, **kwargs) -> None:
        if getattr(self, "_rendered_body", None) != self.body:
            self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return _permalink_pattern().format(self.pk)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        comment = super().from_db(db, field_names, values, **kwargs)
        comment._rendered_body = comment.__dict__.get("body")
        return comment

    def render(self) -> None:
        """Render the text to HTML. Call it before opening a transaction: rendering a long
        comment takes milliseconds that no database lock should wait for."""
        self.body_html = render_comment(self.body)
        self._rendered_body = self.body

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_removed(self) -> bool:
        """Its author deleted their account, and its text went with it."""
        return self.author_id is None and not self.body

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_publicly_visible(self) -> bool:
        return not self.is_deleted and not self.is_hidden and self.approved

    @property
    def edit_deadline(self):
        return self.created_at + timedelta(minutes=settings.COMMENTS_EDIT_WINDOW_MINUTES)

    def is_editable_by(self, user) -> bool:
        return (
            user.is_authenticated
            and user.pk == self.author_id
            and self.is_editable_by_author(timezone.now())
        )

    def is_editable_by_author(self, now) -> bool:
        return not self.is_deleted and not self.is_hidden and now <= self.edit_deadline

    def edit(self, body: str) -> None:
        """Replace the text, keeping the earlier version for moderators."""
        earlier = CommentRevision(
            comment=self, body=self.body, written_at=self.edited_at or self.created_at
        )
        self.body = body
        self.edited_at = timezone.now()
        self.render()
        with transaction.atomic():
            earlier.save()
            # Only what an edit changes: a moderator may have hidden it meanwhile.
            self.save(update_fields=["body", "body_html", "edited_at"])

    def delete_by_author(self) -> None:
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"])

    @transaction.atomic
    def hide(self, *, by, reason: str, note: str = "") -> None:
        """Hide from everyone but the author and moderators. `by` is None for auto-hiding."""
        self.hidden_at = timezone.now()
        self.hidden_by, self.hidden_reason, self.hidden_note = by, reason, note
        self.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_note"])
        action = ModerationAction.Action.HIDE if by else ModerationAction.Action.AUTO_HIDE
        ModerationAction.record(action, actor=by, comment=self, reason=reason, note=note)

    @transaction.atomic
    def unhide(self, *, by, note: str = "") -> None:
        reason = self.hidden_reason
        self.hidden_at, self.hidden_by, self.hidden_reason, self.hidden_note = None, None, "", ""
        self.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_note"])
        ModerationAction.record(
            ModerationAction.Action.UNHIDE, actor=by, comment=self, reason=reason, note=note
        )

    @transaction.atomic
    def approve(self, *, by) -> None:
        self.approved = True
        self.save(update_fields=["approved"])
        ModerationAction.record(ModerationAction.Action.APPROVE, actor=by, comment=self)

    @transaction.atomic
    def dismiss_flags(self, *, by, note: str = "") -> int:
        dismissed = self.flags.open().update(resolved_at=timezone.now(), resolved_by=by)
        ModerationAction.record(ModerationAction.Action.DISMISS, actor=by, comment=self, note=note)
        return dismissed

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
    replaced_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Version of comment {self.comment_id} from {self.written_at:%Y-%m-%d %H:%M}"


class FlagQuerySet(models.QuerySet):
    def open(self) -> "FlagQuerySet":
        return self.filter(resolved_at__isnull=True)

    def recent_by(self, flagger) -> "FlagQuerySet":
        """The flags `flagger` raised in the last minute."""
        return self.filter(flagger=flagger, created_at__gte=timezone.now() - timedelta(minutes=1))


class Flag(models.Model):
    """A member's report that a comment breaks the rules. One per member and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=30, choices=FLAG_REASONS)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "flagger"], name="one_flag_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on comment {self.comment_id}"


class ModerationAction(models.Model):
    """The audit trail: one row per moderation action, never changed afterwards."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hid a comment"
        UNHIDE = "unhide", "Unhid a comment"
        AUTO_HIDE = "auto_hide", "Comment hidden automatically after flags"
        DISMISS = "dismiss", "Dismissed flags"
        APPROVE = "approve", "Approved a comment"
        SUSPEND = "suspend", "Suspended a member"
        LIFT = "lift", "Lifted a suspension"
        ACCOUNT_DELETED = "account_deleted", "A member deleted their account"

    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for automatic actions.",
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member acted on: the comment's author, or the suspended member.",
    )
    reason = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def record(cls, action: str, *, actor, comment=None, member=None, reason="", note=""):
        if member is None and comment is not None:
            member = comment.author
        entry = cls.objects.create(
            action=action, actor=actor, comment=comment, member=member, reason=reason, note=note
        )
        logger.info(
            "moderation %s",
            action,
            extra={
                "event": "moderation",
                "action": action,
                "actor_id": getattr(actor, "pk", None),
                "comment_id": getattr(comment, "pk", None),
                "member_id": getattr(member, "pk", None),
                "reason": reason,
            },
        )
        return entry


class QuestionFollow(models.Model):
    """A member who wants an email for each new visible comment under a question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["question", "member"], name="one_follow_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.member} follows question {self.question_id}"
