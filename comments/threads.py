"""Comment trees built in Python from one ordered query, so a page costs the same number of
queries however long its discussion is.

This is also where each reader's view of a thread is decided: hidden text is removed here,
before any template sees it, and what the reader may do with each comment is worked out
once, so that the thread template only prints prepared values (it renders thousands of
comments, and every template lookup counts).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.urls import reverse
from django.utils import timezone

from .models import Comment, is_moderator, participation_refusal


@dataclass(frozen=True)
class Viewer:
    user_id: int | None = None
    moderator: bool = False
    refusal: str | None = "Sign in to join the discussion."

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

# What a reader sees of a comment (`comment.display`):
TEXT = "text"  # the text (for its author and moderators, also when hidden or pending)
HIDDEN = "hidden"  # "Hidden by a moderator", in place, replies kept
DELETED = "deleted"  # "Deleted", only while replies below it are shown
WITHHELD = "withheld"  # awaiting approval: like DELETED for everyone else
REMOVED = "removed"  # its author deleted their account and its text went with it


def _display(comment: Comment, viewer: Viewer) -> str:
    if comment.author_id is None and not comment.body:
        return REMOVED
    if comment.is_deleted:
        return DELETED
    is_author = viewer.user_id is not None and viewer.user_id == comment.author_id
    privileged = viewer.moderator or is_author
    if comment.is_hidden and not privileged:
        return HIDDEN
    if not comment.approved and not privileged:
        return WITHHELD
    return TEXT


@cache
def _member_url_pattern() -> str:
    return reverse("comments:member", kwargs={"pk": 918273645}).replace("918273645", "{}")


def prepare(comments: Iterable[Comment], viewer: Viewer, *, discussion_open: bool) -> list[Comment]:
    """Decide what `viewer` sees of each comment and may do with it."""
    now = timezone.now()
    prepared = []
    for comment in comments:
        comment.display = _display(comment, viewer)
        if comment.display != TEXT:
            comment.body = comment.body_html = comment.hidden_note = ""
        own = viewer.user_id is not None and viewer.user_id == comment.author_id
        shown = comment.display == TEXT
        takes_part = discussion_open and viewer.participant
        comment.is_own = own
        comment.can_reply = takes_part and shown and not comment.is_hidden and comment.approved
        comment.can_edit = takes_part and own and shown and comment.is_editable_by_author(now)
        comment.can_delete = own and not comment.is_deleted
        comment.can_flag = viewer.participant and shown and not own and not comment.is_hidden
        comment.permalink = comment.get_absolute_url()
        author = comment.author
        comment.author_name = author.public_name if author else "Deleted member"
        comment.author_affiliation = author.affiliation if author else ""
        comment.css_class = _css_class(comment)
        comment.has_actions = (
            comment.can_reply or comment.can_edit or comment.can_delete or comment.can_flag
        )
        created = timezone.localtime(comment.created_at)
        comment.created_iso = created.isoformat()
        comment.created_label = f"{created.day} {created:%b %Y, %H:%M}"
        if viewer.moderator and comment.author_id:
            comment.member_url = _member_url_pattern().format(comment.author_id)
        prepared.append(comment)
    return prepared


def _css_class(comment: Comment) -> str:
    classes = ["comment"]
    if comment.display != TEXT:
        classes.append("comment--placeholder")
    elif comment.is_hidden:
        classes.append("comment--hidden")
    if not comment.approved:
        classes.append("comment--pending")
    return " ".join(classes)


def build_threads(
    comments: Iterable[Comment], viewer: Viewer = ANONYMOUS, *, discussion_open: bool = True
) -> dict[int, list[Comment]]:
    """Return each question's top-level comments, oldest first, every comment carrying its
    replies in `.children`. Comments come ordered oldest first."""
    by_id: dict[int, Comment] = {}
    for comment in prepare(comments, viewer, discussion_open=discussion_open):
        comment.children = []
        by_id[comment.pk] = comment
    roots: dict[int, list[Comment]] = defaultdict(list)
    for comment in by_id.values():
        if comment.parent_id is None:
            roots[comment.question_id].append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].children.append(comment)
    return {question_id: _prune(nodes) for question_id, nodes in roots.items()}


def _prune(nodes: list[Comment]) -> list[Comment]:
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.display in (TEXT, HIDDEN, REMOVED) or node.children:
            kept.append(node)
    return kept


def flatten(roots: list[Comment]) -> list[Comment]:
    """The threads in reading order, each comment knowing how many nested lists close after
    it (`.closing`), so one flat loop in the template can print the nested markup."""
    flat: list[Comment] = []

    def walk(node: Comment) -> None:
        flat.append(node)
        node.closing = ()
        for child in node.children:
            walk(child)
        if node.children:
            flat[-1].closing = (*flat[-1].closing, None)

    for root in roots:
        walk(root)
    return flat


def count_visible(comments: Iterable[Comment]) -> dict[int, int]:
    """Comments per question that everyone may read: the public count."""
    counts: dict[int, int] = defaultdict(int)
    for comment in comments:
        if comment.is_publicly_visible:
            counts[comment.question_id] += 1
    return counts


def thread_index(roots: list[Comment], comment: Comment) -> int | None:
    """The position of the thread that holds `comment` among `roots`, or None if hidden."""
    for index, root in enumerate(roots):
        if _contains(root, comment.pk):
            return index
    return None


def _contains(node: Comment, comment_id: int) -> bool:
    return node.pk == comment_id or any(_contains(child, comment_id) for child in node.children)


def attach_discussion(review, questions: list, *, viewer: Viewer, thread_limit: int) -> None:
    """Give each question of `review` its first threads (flattened for the template), thread
    total and public count."""
    comments = list(Comment.objects.filter(review=review).for_threads(moderator=viewer.moderator))
    counts = count_visible(comments)
    roots = build_threads(comments, viewer, discussion_open=review.discussion_open)
    for question in questions:
        question_roots = roots.get(question.pk, [])
        question.threads = flatten(question_roots[:thread_limit])
        question.thread_total = len(question_roots)
        question.comment_count = counts.get(question.pk, 0)


def followed_question_ids(viewer: Viewer, review) -> set[int]:
    """The questions of `review` the viewer follows (none for anonymous readers)."""
    from .models import QuestionFollow

    if viewer.user_id is None:
        return set()
    return set(
        QuestionFollow.objects.filter(
            member_id=viewer.user_id, question__review=review
        ).values_list("question_id", flat=True)
    )
