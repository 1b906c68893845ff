"""Comment trees built in Python from one ordered query, so a page costs the same number of
queries however long its discussion is. This is also where each reader's view of a thread is
decided: hidden text is removed here, before any template sees it."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Comment, is_moderator


@dataclass(frozen=True)
class Viewer:
    user_id: int | None = None
    moderator: bool = False

    @classmethod
    def of(cls, user) -> "Viewer":
        if not user.is_authenticated:
            return cls()
        return cls(user_id=user.pk, moderator=is_moderator(user))


ANONYMOUS = Viewer()

# What a reader sees of a comment (`comment.display`):
TEXT = "text"  # the text (for its author and moderators, also when hidden or pending)
HIDDEN = "hidden"  # "Hidden by a moderator", in place, replies kept
DELETED = "deleted"  # "Deleted", only while replies below it are shown
WITHHELD = "withheld"  # awaiting approval: like DELETED for everyone else


def _display(comment: Comment, viewer: Viewer) -> str:
    if comment.is_deleted:
        return DELETED
    is_author = viewer.user_id is not None and viewer.user_id == comment.author_id
    privileged = viewer.moderator or is_author
    if comment.is_hidden and not privileged:
        return HIDDEN
    if not comment.approved and not privileged:
        return WITHHELD
    return TEXT


def build_threads(
    comments: Iterable[Comment], viewer: Viewer = ANONYMOUS
) -> dict[int, list[Comment]]:
    """Return each question's top-level comments, oldest first, every comment carrying its
    replies in `.children` and what `viewer` may see of it in `.display`. Comments come
    ordered oldest first."""
    by_id: dict[int, Comment] = {}
    for comment in comments:
        comment.children = []
        comment.display = _display(comment, viewer)
        if comment.display != TEXT:
            comment.body = comment.body_html = ""
            comment.hidden_note = ""
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
        if node.display in (TEXT, HIDDEN) or node.children:
            kept.append(node)
    return kept


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
    """Give each question of `review` its first threads, thread total and public count."""
    comments = list(Comment.objects.filter(review=review).for_threads(moderator=viewer.moderator))
    counts = count_visible(comments)
    roots = build_threads(comments, viewer)
    for question in questions:
        question_roots = roots.get(question.pk, [])
        question.threads = question_roots[:thread_limit]
        question.thread_total = len(question_roots)
        question.comment_count = counts.get(question.pk, 0)
