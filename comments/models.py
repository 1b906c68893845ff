import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from allauth.account.utils import has_verified_email
from django.conf import settings
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts.roles import needs_two_factor
from journalclub.markdown import render_comment
from journalclub.times import moment_text
from posts.models import Question, Review, language_choices, questions_in

logger = logging.getLogger("journalclub.moderation")


def with_comment_counts(reviews: QuerySet) -> QuerySet:
    """`reviews`, each with `comment_count`: its comments everyone may read. A translation
    counts its original's, as the two share one discussion."""
    discussed = Coalesce(OuterRef("translation_of"), OuterRef("pk"))
    counted = (
        Comment.objects.filter(visibility(ANONYMOUS), review=discussed)
        .order_by()
        .values("review")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return reviews.annotate(comment_count=Coalesce(Subquery(counted), 0))


def active_discussions(reviews: QuerySet) -> QuerySet:
    """Published `reviews` by their most recent comment everyone may read, newest first:
    the originals, which keep the comments, each with its `translation` selected."""
    return (
        reviews.published()
        .select_related("translation", "translation_of")
        .annotate(
            last_comment_at=models.Max(
                "comments__created_at", filter=visibility(ANONYMOUS, "comments__")
            )
        )
        .filter(last_comment_at__isnull=False)
        .order_by("-last_comment_at")
    )


def questions_of_comments_in(language: str, comments: Iterable["Comment"]) -> None:
    """Give each comment's question `in_language`: the question, and through it the review,
    a reader in `language` sees the comment under (`posts.models.questions_in`). Select
    each comment's `review__translation`, `review__translation_of` and `question`."""
    comments = list(comments)
    for comment in comments:
        comment.question.review = comment.review
    questions_in(language, (comment.question for comment in comments))


def discussions_in(language: str, reviews: QuerySet) -> list[Review]:
    """`active_discussions` as a reader in `language` names them: each review's published
    version in that language (`Review.version_in`), with its original's `last_comment_at`."""
    versions = []
    for review in reviews:
        version = review.version_in(language)
        version.last_comment_at = review.last_comment_at
        versions.append(version)
    return versions


@cache
def _permalink_pattern(language: str | None) -> str:
    # Reversed once per language: a page may link thousands of comments.
    return reverse("comments:permalink", kwargs={"pk": 918273645}).replace("918273645", "{}")


def participation_refusal(user) -> str | None:
    """Why `user` may not post, reply, edit or flag; None if they may."""
    if not user.is_authenticated:
        return _("Sign in to join the discussion.")
    if user.is_suspended:
        if user.suspended_until:
            return _("Your account is suspended until %(moment)s: %(reason)s") % {
                "moment": moment_text(user.suspended_until),
                "reason": user.suspension_reason,
            }
        return _("Your account is suspended until further notice: %(reason)s") % {
            "reason": user.suspension_reason
        }
    # Asked several times a request (the access helper, then the viewer): look it up once.
    if not hasattr(user, "_has_verified_email"):
        user._has_verified_email = has_verified_email(user)
    if not user._has_verified_email:
        return _("Verify your email address before you join the discussion.")
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


@dataclass(frozen=True)
class Viewer:
    """Who reads a discussion, as far as the rules below care."""

    user_id: int | None = None
    moderator: bool = False
    refusal: str | None = gettext_lazy("Sign in to join the discussion.")

    @classmethod
    def of(cls, user) -> "Viewer":
        if not user.is_authenticated:
            return cls()
        return cls(
            user_id=user.pk, moderator=is_moderator(user), refusal=participation_refusal(user)
        )

    @property
    def participant(self) -> bool:
        """May post, reply, edit and flag."""
        return self.refusal is None


ANONYMOUS = Viewer()


def visibility(viewer: Viewer, prefix: str = "") -> Q:
    """The rule: the comments whose text `viewer` may read. Everyone reads a comment that is
    not deleted, hidden or awaiting approval; its author and the moderators read it also
    while it is hidden or waits; nobody reads a deleted one. Every page, count, feed,
    search, export and email asks it: in SQL through `CommentQuerySet.visible_to` (or
    through a relation, with `prefix` "comments__"), in memory through
    `Comment.is_visible_to`, which evaluates this same Q (`holds`)."""

    def where(**lookups) -> Q:
        return Q(**{prefix + lookup: value for lookup, value in lookups.items()})

    readable = where(deleted_at__isnull=True)
    if viewer.moderator:
        return readable
    everyone = readable & where(hidden_at__isnull=True, approved=True)
    if viewer.user_id is None:
        return everyone
    return everyone | (readable & where(author_id=viewer.user_id))


# What a reader sees of a comment (`display_cases`):
TEXT = "text"  # its text
HIDDEN = "hidden"  # "Hidden by a moderator", in place, replies kept
DELETED = "deleted"  # "Deleted", only while replies below it are shown
WITHHELD = "withheld"  # awaiting approval: to everyone else, like DELETED
REMOVED = "removed"  # its author deleted their account and its text went with it
HOLDS_PLACE = (TEXT, HIDDEN, REMOVED)  # shown even without replies


def display_cases(viewer: Viewer) -> list[tuple[str, Q]]:
    """What `viewer` sees of a comment: the first case that holds, else WITHHELD. Asked in
    SQL by `CommentQuerySet.outline`, in memory by `Comment.display_for`."""
    return [
        (REMOVED, Q(author_id=None, body="")),
        (TEXT, visibility(viewer)),
        (DELETED, Q(deleted_at__isnull=False)),
        (HIDDEN, Q(hidden_at__isnull=False)),
    ]


def holds(rule: Q, comment) -> bool:
    """`rule` evaluated on a comment in memory: the rules above use exact and isnull
    lookups on its own fields, and nothing else is allowed in them."""
    outcomes = (
        holds(child, comment) if isinstance(child, Q) else _matches(comment, *child)
        for child in rule.children
    )
    return (all(outcomes) if rule.connector == Q.AND else any(outcomes)) != rule.negated


def _matches(comment, lookup: str, wanted) -> bool:
    field, _, kind = lookup.partition("__")
    value = getattr(comment, field)
    if kind == "isnull":
        return (value is None) == wanted
    if kind in ("", "exact"):
        return value == wanted
    raise ValueError(f"A rule evaluated in memory cannot use the lookup {lookup!r}.")


@dataclass(frozen=True)
class Actions:
    """What a viewer may do with a comment (`Comment.actions_for`): the links and buttons
    of its card, and what the views allow."""

    reply: bool = False
    edit: bool = False
    delete: bool = False
    flag: bool = False
    hide: bool = False
    unhide: bool = False
    approve: bool = False
    see_member: bool = False

    @property
    def members(self) -> bool:
        return self.reply or self.edit or self.delete or self.flag

    @property
    def forms(self) -> bool:
        """Forms on the card, which carry the reader's CSRF token."""
        return self.unhide or self.approve


class HideReason(models.TextChoices):
    SPAM = "spam", gettext_lazy("Spam")
    OFF_TOPIC = "off_topic", gettext_lazy("Off-topic")
    DISRESPECTFUL = "disrespectful", gettext_lazy("Disrespectful")
    PERSONAL_INFORMATION = "personal_information", gettext_lazy("Personal information")
    OTHER = "other", pgettext_lazy("hide reason", "Other")
    FLAGGED = "flagged", gettext_lazy("Flagged by members, awaiting review")


FLAG_REASONS = [choice for choice in HideReason.choices if choice[0] != HideReason.FLAGGED]


class FlagOutcome(models.TextChoices):
    UPHELD = "upheld", gettext_lazy("Upheld")
    DISMISSED = "dismissed", gettext_lazy("Dismissed")


class CommentQuerySet(models.QuerySet):
    def visible_to(self, viewer: Viewer) -> "CommentQuerySet":
        """The comments whose text `viewer` may read (`visibility`)."""
        return self.filter(visibility(viewer))

    def visible(self) -> "CommentQuerySet":
        """The comments everyone may read."""
        return self.visible_to(ANONYMOUS)

    # What the moderation queue lists, each with what its cards show moderators.

    def for_moderators(self) -> "CommentQuerySet":
        return self.select_related(
            "review__translation",
            "review__translation_of",
            "question",
            "author",
            "parent__author",
            "hidden_by",
        ).prefetch_related("revisions")

    def flagged(self) -> "CommentQuerySet":
        """Comments with open flags, the most flagged first, each with `open_flag_list`."""
        open_flags = Flag.objects.open()
        return (
            self.filter(pk__in=open_flags.values("comment"))
            .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
            .prefetch_related(
                Prefetch(
                    "flags", queryset=open_flags.select_related("flagger"), to_attr="open_flag_list"
                )
            )
            .order_by("-open_flags", "created_at")
        )

    def awaiting_approval(self) -> "CommentQuerySet":
        return self.filter(approved=False, deleted_at__isnull=True).order_by("created_at")

    def recently_hidden(self) -> "CommentQuerySet":
        return self.filter(hidden_at__isnull=False).order_by("-hidden_at")

    def by_member(self, name_or_email: str) -> "CommentQuerySet":
        return self.filter(
            Q(author__display_name__icontains=name_or_email)
            | Q(author__email__iexact=name_or_email)
        )

    def outline(self, viewer: Viewer) -> list[tuple]:
        """Each comment's place and what `viewer` sees of it, oldest first, without its
        text: the rows `threads.Outline` is built from. The last fields name the version
        of the comment its card shows."""
        public = ExpressionWrapper(visibility(ANONYMOUS), output_field=models.BooleanField())
        return list(
            self.order_by("created_at", "id")
            .annotate(shown=_shown(viewer), public=public)
            .values_list(
                "pk", "parent_id", "question_id", "author_id", "shown", "public",
                "edited_at", "hidden_at", "approved", "deleted_at", "created_at",
            )
        )  # fmt: skip

    def conversations_before(
        self, first_id: int, question_id: int, viewer: Viewer
    ) -> "CommentQuerySet":
        """The conversations of a question that `viewer` sees before the one comment
        `first_id` starts: a conversation shows while any of its comments holds a place."""
        started = Comment.objects.filter(pk=first_id).values("created_at")[:1]
        replies_in_place = (
            Comment.objects.filter(root=OuterRef("pk"))
            .alias(shown=_shown(viewer))
            .filter(shown__in=HOLDS_PLACE)
        )
        return (
            self.filter(question_id=question_id, parent=None)
            .filter(
                Q(created_at__lt=Subquery(started))
                | Q(created_at=Subquery(started), pk__lt=first_id)
            )
            .alias(shown=_shown(viewer))
            .filter(Q(shown__in=HOLDS_PLACE) | Exists(replies_in_place))
        )


def _shown(viewer: Viewer) -> Case:
    cases = [When(case, then=Value(name)) for name, case in display_cases(viewer)]
    return Case(*cases, default=Value(WITHHELD))


def edit_deadline(created_at: datetime) -> datetime:
    """Until when its author may edit a comment posted at `created_at`."""
    return created_at + timedelta(minutes=settings.COMMENTS_EDIT_WINDOW_MINUTES)


def writes_in_last_minute(member) -> int:
    """How many comments `member` posted or edited in the last minute: both count
    against `COMMENTS_PER_MINUTE`, as each costs a render."""
    since = timezone.now() - timedelta(minutes=1)
    posted = Comment.objects.filter(author=member, created_at__gte=since).count()
    edited = CommentRevision.objects.filter(comment__author=member, replaced_at__gte=since)
    return posted + edited.count()


class Comment(models.Model):
    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=gettext_lazy("review"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=gettext_lazy("question"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=gettext_lazy("parent"),
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=gettext_lazy(
            "The first comment of its conversation; empty on that first comment."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
        verbose_name=gettext_lazy("author"),
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    body = models.TextField(verbose_name=gettext_lazy("body"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(
        verbose_name=gettext_lazy("created at"), default=timezone.now, db_index=True
    )
    edited_at = models.DateTimeField(
        verbose_name=gettext_lazy("edited at"), null=True, blank=True, editable=False
    )
    deleted_at = models.DateTimeField(
        verbose_name=gettext_lazy("deleted at"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Set when the author deleted it. Nothing is erased."),
    )
    hidden_at = models.DateTimeField(
        verbose_name=gettext_lazy("hidden at"), null=True, blank=True, editable=False
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=gettext_lazy("hidden by"),
        help_text=gettext_lazy("Empty when the comment was hidden automatically after flags."),
    )
    hidden_reason = models.CharField(
        verbose_name=gettext_lazy("hidden reason"),
        max_length=30,
        choices=HideReason.choices,
        blank=True,
        editable=False,
    )
    hidden_note = models.TextField(
        verbose_name=gettext_lazy("hidden note"), blank=True, editable=False
    )
    approved = models.BooleanField(
        verbose_name=gettext_lazy("approved"),
        default=True,
        editable=False,
        help_text=gettext_lazy("False while it waits for pre-moderation."),
    )
    language = models.CharField(
        gettext_lazy("language"),
        max_length=8,
        choices=language_choices,
        default="en",
        help_text=gettext_lazy("The language the member wrote in, whichever version they read."),
    )
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text=gettext_lazy(
            "Names the sending that posted it: the form's one-time key with its text. "
            "The same form sent twice posts once."
        ),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = gettext_lazy("comment")
        verbose_name_plural = gettext_lazy("comments")
        indexes = [
            models.Index(fields=["review", "created_at"]),
            # Where a conversation comes on its question's pages (`conversations_before`).
            models.Index(
                fields=["question", "created_at"],
                condition=Q(parent=None),
                name="comment_conversations",
            ),
        ]
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
        return _("Comment %(number)s by %(author)s") % {"number": self.pk, "author": self.author}

    def save(self, *args, **kwargs) -> None:
        if getattr(self, "_rendered_body", None) != self.body:
            self.render()
        if self.parent_id is not None and self.root_id is None:
            self.root_id = self.parent.root_id or self.parent_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return _permalink_pattern(translation.get_language()).format(self.pk)

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
        return self.is_visible_to(ANONYMOUS)

    def is_visible_to(self, viewer: Viewer) -> bool:
        """May `viewer` read its text? The rule (`visibility`), asked in memory."""
        return holds(visibility(viewer), self)

    def display_for(self, viewer: Viewer) -> str:
        """What `viewer` sees of it: TEXT, or the placeholder that stands in its place."""
        return next((name for name, case in display_cases(viewer) if holds(case, self)), WITHHELD)

    def actions_for(self, viewer: Viewer) -> Actions:
        """What `viewer` may do with it. Reads `self.review` for whether the discussion is open."""
        shown = self.display_for(viewer) == TEXT
        own = viewer.user_id is not None and viewer.user_id == self.author_id
        takes_part = viewer.participant and self.review.discussion_open
        moderates = viewer.moderator
        return Actions(
            reply=takes_part and shown and not self.is_hidden and self.approved,
            edit=takes_part and own and shown and self.is_editable_by_author(timezone.now()),
            delete=own and not self.is_deleted,
            flag=viewer.participant and shown and not own and not self.is_hidden,
            # Hiding an auto-hidden comment is the moderator's decision to keep it hidden.
            hide=moderates
            and (not self.is_hidden or self.is_awaiting_review)
            and not self.is_deleted,
            unhide=moderates and self.is_hidden,
            approve=moderates and not self.approved and not self.is_deleted and not self.is_hidden,
            see_member=moderates and self.author_id is not None,
        )

    @property
    def edit_deadline(self) -> datetime:
        return edit_deadline(self.created_at)

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

    @property
    def is_awaiting_review(self) -> bool:
        """Hidden automatically after flags, until a moderator decides."""
        return self.is_hidden and self.hidden_reason == HideReason.FLAGGED

    @property
    def hidden_note_text(self) -> str:
        """The note shown with a hidden comment: a moderator's own words, or, when flags hid
        it, the site's note in the reader's language."""
        if self.hidden_by_id is None and self.hidden_reason == HideReason.FLAGGED:
            return site_note_text(self.hidden_note)
        return self.hidden_note

    @transaction.atomic
    def hide(self, *, by, reason: str, note: str = "") -> list["Flag"]:
        """Hide from everyone but the author and moderators. `by` is None for auto-hiding;
        a moderator's hiding upholds the open flags, which it returns."""
        self.hidden_at = timezone.now()
        self.hidden_by, self.hidden_reason, self.hidden_note = by, reason, note
        self.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_note"])
        action = ModerationAction.Action.HIDE if by else ModerationAction.Action.AUTO_HIDE
        ModerationAction.record(action, actor=by, comment=self, reason=reason, note=note)
        if by is None:
            return []  # auto-hidden: the flags wait for a moderator
        upheld = self.flags.resolve(FlagOutcome.UPHELD, by=by)
        if upheld:
            ModerationAction.record(
                ModerationAction.Action.UPHOLD,
                actor=by,
                comment=self,
                reason=reason,
                note=f"{len(upheld)} flag{'s' if len(upheld) > 1 else ''} upheld.",
            )
        return upheld

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
    def dismiss_flags(self, *, by, note: str = "") -> list["Flag"]:
        """Reject the open flags, which it returns: the comment stays up, or is shown again
        if the flags had hidden it."""
        if self.is_awaiting_review:
            self.hidden_at, self.hidden_by, self.hidden_reason, self.hidden_note = (
                None,
                None,
                "",
                "",
            )
            self.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_note"])
            note = f"{note} (shown again)".lstrip() if note else "Shown again."
        dismissed = self.flags.resolve(FlagOutcome.DISMISSED, by=by)
        ModerationAction.record(ModerationAction.Action.DISMISS, actor=by, comment=self, note=note)
        return dismissed

    def reply_position(self) -> tuple["Comment", int]:
        """Where a reply to this comment goes: under it, or beside it at the deepest level."""
        if self.depth + 1 < settings.COMMENTS_MAX_DEPTH:
            return self, self.depth + 1
        return self.parent, self.depth


class CommentRevision(models.Model):
    """An earlier text of an edited comment."""

    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=gettext_lazy("comment"),
    )
    body = models.TextField(verbose_name=gettext_lazy("body"))
    written_at = models.DateTimeField(verbose_name=gettext_lazy("written at"))
    replaced_at = models.DateTimeField(
        verbose_name=gettext_lazy("replaced at"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = gettext_lazy("comment revision")
        verbose_name_plural = gettext_lazy("comment revisions")

    def __str__(self) -> str:
        return _("Version of comment %(number)s from %(moment)s") % {
            "number": self.comment_id,
            "moment": moment_text(self.written_at),
        }


class FlagQuerySet(models.QuerySet):
    def open(self) -> "FlagQuerySet":
        return self.filter(resolved_at__isnull=True)

    def most_frequent_reason(self) -> str:
        """The reason given most often, "" when none; on a tie, the one given first."""
        reasons = Counter(self.order_by("created_at", "id").values_list("reason", flat=True))
        return reasons.most_common(1)[0][0] if reasons else ""

    def resolve(self, outcome: str, *, by) -> list["Flag"]:
        """Close the open flags with `outcome`; returns them, with their flaggers."""
        flags = list(self.open().select_related("flagger", "comment"))
        now = timezone.now()
        for flag in flags:
            flag.outcome, flag.resolved_at, flag.resolved_by = outcome, now, by
        Flag.objects.bulk_update(flags, ["outcome", "resolved_at", "resolved_by"])
        return flags

    def recent_by(self, flagger) -> "FlagQuerySet":
        """The flags `flagger` raised in the last minute."""
        return self.filter(flagger=flagger, created_at__gte=timezone.now() - timedelta(minutes=1))


class Flag(models.Model):
    """A member's report that a comment breaks the rules. One per member and comment."""

    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=gettext_lazy("comment"),
    )
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=gettext_lazy("flagger"),
    )
    reason = models.CharField(
        verbose_name=gettext_lazy("reason"), max_length=30, choices=FLAG_REASONS
    )
    note = models.CharField(verbose_name=gettext_lazy("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(
        verbose_name=gettext_lazy("resolved at"), null=True, blank=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("resolved by"),
    )
    outcome = models.CharField(
        verbose_name=gettext_lazy("outcome"),
        max_length=10,
        choices=FlagOutcome.choices,
        blank=True,
        help_text=gettext_lazy(
            "A moderator's decision: upheld (the comment was hidden) or dismissed."
        ),
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = gettext_lazy("flag")
        verbose_name_plural = gettext_lazy("flags")
        constraints = [
            models.UniqueConstraint(fields=["comment", "flagger"], name="one_flag_per_member")
        ]

    def __str__(self) -> str:
        return _("%(reason)s flag on comment %(number)s") % {
            "reason": self.get_reason_display(),
            "number": self.comment_id,
        }


# The notes the site writes itself when flags hide a comment ("3 members flagged it.") or are
# upheld ("2 flags upheld."), stored in English: shown in the reader's language, from the number
# they record. A moderator's own note is shown as written.
SITE_NOTES = [
    (
        re.compile(r"(\d+) members? flagged it\."),
        lambda count: ngettext(
            "%(count)s member flagged it.", "%(count)s members flagged it.", count
        ),
    ),
    (
        re.compile(r"(\d+) flags? upheld\."),
        lambda count: ngettext("%(count)s flag upheld.", "%(count)s flags upheld.", count),
    ),
]


def site_note_text(note: str) -> str:
    """`note`, in the active language if the site wrote it (SITE_NOTES)."""
    for pattern, text in SITE_NOTES:
        if match := pattern.fullmatch(note):
            count = int(match.group(1))
            return text(count) % {"count": count}
    return note


class ModerationAction(models.Model):
    """The audit trail: one row per moderation action, never changed afterwards."""

    class Action(models.TextChoices):
        HIDE = "hide", gettext_lazy("Hidden")
        UPHOLD = "uphold", gettext_lazy("Flags upheld")
        UNHIDE = "unhide", gettext_lazy("Unhidden")
        AUTO_HIDE = "auto_hide", gettext_lazy("Hidden automatically after flags")
        DISMISS = "dismiss", gettext_lazy("Flags dismissed")
        APPROVE = "approve", gettext_lazy("Approved")
        SUSPEND = "suspend", gettext_lazy("Suspended")
        LIFT = "lift", gettext_lazy("Suspension lifted")
        ACCOUNT_DELETED = "account_deleted", gettext_lazy("Account deleted")

    action = models.CharField(
        verbose_name=gettext_lazy("action"), max_length=20, choices=Action.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("actor"),
        help_text=gettext_lazy("Empty for automatic actions."),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("comment"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("member"),
        help_text=gettext_lazy(
            "The member acted on: the comment's author, or the suspended member."
        ),
    )
    reason = models.CharField(verbose_name=gettext_lazy("reason"), max_length=200, blank=True)
    note = models.TextField(verbose_name=gettext_lazy("note"), blank=True)
    created_at = models.DateTimeField(
        verbose_name=gettext_lazy("created at"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = gettext_lazy("moderation action")
        verbose_name_plural = gettext_lazy("moderation actions")

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({moment_text(self.created_at)})"

    @property
    def reason_label(self) -> str:
        """The reason as moderators read it: "Off-topic", not `off_topic`; a suspension's
        reason is the moderator's own words."""
        if self.reason in HideReason.values:
            return HideReason(self.reason).label
        return self.reason

    @property
    def note_text(self) -> str:
        """The note in the reader's language when the site wrote it (flags upheld, hidden
        automatically); else the moderator's own words."""
        if self.action in {self.Action.UPHOLD, self.Action.AUTO_HIDE}:
            return site_note_text(self.note)
        return self.note

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

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=gettext_lazy("question"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=gettext_lazy("member"),
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = gettext_lazy("question follow")
        verbose_name_plural = gettext_lazy("question follows")
        constraints = [
            models.UniqueConstraint(fields=["question", "member"], name="one_follow_per_question")
        ]

    def __str__(self) -> str:
        return _("%(member)s follows question %(number)s") % {
            "member": self.member,
            "number": self.question_id,
        }
