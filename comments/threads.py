"""A discussion's conversations as plain data, built in Python from the rows of one light
query (`CommentQuerySet.outline`), so that a page costs the same number of queries however
long its discussion is. What the reader sees of each comment comes with the rows, decided
by the rule in comments/models.py; here the trees are built, pruned, folded and walked.
No text, no HTML, no cache: comments/discussion.py makes pages of them.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from .models import HOLDS_PLACE


@dataclass(slots=True)
class Outline:
    """A comment's place in its conversation and what the reader sees of it."""

    pk: int
    parent_id: int | None
    question_id: int
    author_id: int | None
    display: str  # TEXT, or the placeholder shown instead (comments.models)
    public: bool  # everyone may read it
    edited_at: datetime | None
    hidden_at: datetime | None
    approved: bool
    deleted_at: datetime | None
    created_at: datetime
    children: list["Outline"] = field(default_factory=list)
    folded: int = 0  # on a conversation's first comment: how many of its comments are not shown
    card: str = ""  # its card, filled in by the page that shows it

    @property
    def version(self) -> tuple:
        """What changes when its card does (besides its author, and the page's reader)."""
        return (self.display, self.author_id, self.edited_at, self.hidden_at, self.approved,
                self.deleted_at)  # fmt: skip


def conversations(rows: list[tuple]) -> dict[int, list[Outline]]:
    """Each question's conversations, oldest first, every comment carrying its replies in
    `.children`. A comment that holds no place (deleted, or awaiting approval, to this
    reader) shows only while a reply below it does."""
    by_id = {row[0]: Outline(*row) for row in rows}
    roots: dict[int, list[Outline]] = defaultdict(list)
    for node in by_id.values():
        if node.parent_id is None:
            roots[node.question_id].append(node)
        elif node.parent_id in by_id:
            by_id[node.parent_id].children.append(node)
    return {question_id: _prune(nodes) for question_id, nodes in roots.items()}


def _prune(nodes: list[Outline]) -> list[Outline]:
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.display in HOLDS_PLACE or node.children:
            kept.append(node)
    return kept


def public_counts(rows: list[tuple]) -> Counter:
    """Comments everyone may read, by question: the counts pages show."""
    return Counter(question_id for _, _, question_id, _, _, public, *_ in rows if public)


def walk(nodes: list[Outline]) -> Iterator[Outline]:
    """The comments under `nodes` in reading order."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def fold(roots: list[Outline], shown: int) -> list[Outline]:
    """Shorten each conversation to its first `shown` comments in reading order, noting on
    its first comment how many are left for the conversation's own page. A long
    conversation thus costs a page no more than a short one."""
    for root in roots:
        total = sum(1 for _ in walk([root]))
        kept = 0

        def keep(node: Outline) -> None:
            nonlocal kept
            kept += 1
            children = []
            for child in node.children:
                if kept >= shown:
                    break
                keep(child)
                children.append(child)
            node.children = children

        keep(root)
        root.folded = total - kept
    return roots


def position(root: Outline, comment_id: int) -> int | None:
    """Where a comment comes in its conversation's reading order (0 for the first)."""
    return next((n for n, node in enumerate(walk([root])) if node.pk == comment_id), None)
