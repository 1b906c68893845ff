"""Comment trees built in Python from one ordered query, so a page costs the same number of
queries however long its discussion is."""

from collections import defaultdict
from collections.abc import Iterable

from .models import Comment


def build_threads(comments: Iterable[Comment]) -> dict[int, list[Comment]]:
    """Return each question's top-level comments, oldest first, every comment carrying its
    replies in `.children`. Comments come ordered oldest first. A deleted comment stays as a
    placeholder only while a reply below it is still shown."""
    by_id: dict[int, Comment] = {}
    for comment in comments:
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
        if not node.is_deleted or node.children:
            kept.append(node)
    return kept


def count_visible(comments: Iterable[Comment]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for comment in comments:
        if not comment.is_deleted:
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


def attach_discussion(review, questions: list, *, thread_limit: int) -> None:
    """Give each question of `review` its first threads, thread total and visible count."""
    comments = list(Comment.objects.filter(review=review).for_threads())
    roots = build_threads(comments)
    counts = count_visible(comments)
    for question in questions:
        question_roots = roots.get(question.pk, [])
        question.threads = question_roots[:thread_limit]
        question.thread_total = len(question_roots)
        question.comment_count = counts.get(question.pk, 0)
