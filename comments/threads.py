"""Comment trees built in Python from one ordered query, so a page costs the same number of
queries however long its discussion is.

This is also where each reader's view of a thread is decided: hidden text is removed here,
before any template sees it, and what the reader may do with each comment is worked out
once, so that the thread template only prints prepared values (it renders thousands of
comments, and every template lookup counts).
"""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone

from journalclub.page_cache import review_scope, versioned_key

from .cards import render_card
from .models import (
    Comment,
    CommentQuerySet,
    CommentRevision,
    QuestionFollow,
    is_moderator,
    participation_refusal,
)


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


def _display(comment, viewer: Viewer) -> str:
    """What `viewer` sees of `comment` (a Comment or its Outline)."""
    if comment.is_removed:
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


@functools.cache
def _member_url_pattern() -> str:
    return reverse("comments:member", kwargs={"pk": 918273645}).replace("918273645", "{}")


def prepare(comments: Iterable[Comment], viewer: Viewer, *, discussion_open: bool) -> list[Comment]:
    """Decide what `viewer` sees of each comment and may do with it."""
    now = timezone.now()
    prepared = []
    if viewer.moderator:
        comments = list(comments)
        _attach_earlier_versions(comments)
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


def _attach_earlier_versions(comments: list[Comment]) -> None:
    """What edited comments said before, for moderators: one query for all of them."""
    versions: dict[int, list[CommentRevision]] = defaultdict(list)
    ids = [comment.pk for comment in comments]
    for revision in CommentRevision.objects.filter(comment_id__in=ids):
        versions[revision.comment_id].append(revision)
    for comment in comments:
        comment.earlier_versions = versions.get(comment.pk, [])


def _css_class(comment: Comment) -> str:
    classes = ["comment"]
    if comment.display != TEXT:
        classes.append("comment--placeholder")
    elif comment.is_hidden:
        classes.append("comment--hidden")
    if not comment.approved:
        classes.append("comment--pending")
    return " ".join(classes)


@dataclass(slots=True)
class Outline:
    """A comment's place in its thread and what decides who sees it: enough to build and
    prune a tree of thousands of comments without loading their text."""

    pk: int
    parent_id: int | None
    question_id: int
    author_id: int | None
    is_deleted: bool
    is_hidden: bool
    approved: bool
    is_removed: bool
    display: str = TEXT
    children: list["Outline"] = field(default_factory=list)
    folded: int = 0  # on a thread's first comment: how many of its comments are not shown

    @property
    def is_publicly_visible(self) -> bool:
        return not self.is_deleted and not self.is_hidden and self.approved


def outline(
    comments: CommentQuerySet, viewer: Viewer = ANONYMOUS, *, cache_key: str | None = None
) -> dict[int, list[Outline]]:
    """Each question's threads as `viewer` sees them, oldest first, from one light query
    (or, given a `cache_key` that changes with the discussion, from the cache): every node
    carries its replies in `.children`."""
    return _build_outline(_cached_rows(comments, cache_key), viewer)


def _cached_rows(comments: CommentQuerySet, cache_key: str | None) -> list[tuple]:
    rows = cache.get(cache_key) if cache_key and settings.PAGE_CACHE_SECONDS > 0 else None
    if rows is None:
        rows = _outline_rows(comments)
        if cache_key and settings.PAGE_CACHE_SECONDS > 0:
            cache.set(cache_key, rows, timeout=settings.PAGE_CACHE_SECONDS)
    return rows


def _build_outline(rows: list[tuple], viewer: Viewer) -> dict[int, list[Outline]]:
    by_id: dict[int, Outline] = {}
    for row in rows:
        node = Outline(*row)
        node.display = _display(node, viewer)
        by_id[node.pk] = node
    roots: dict[int, list[Outline]] = defaultdict(list)
    for node in by_id.values():
        if node.parent_id is None:
            roots[node.question_id].append(node)
        elif node.parent_id in by_id:
            by_id[node.parent_id].children.append(node)
    return {question_id: _prune(nodes) for question_id, nodes in roots.items()}


def _private_authors(rows: list[tuple]) -> frozenset[int]:
    """Members whose own comments awaiting approval make the threads look different to
    them: others do not see those comments at all (`_prune`). A hidden comment keeps its
    place for everyone, so its author sees the same threads, text aside."""
    return frozenset(
        node.author_id
        for node in (Outline(*row) for row in rows)
        if node.author_id and not node.approved and not node.is_hidden and not node.is_deleted
    )


def shared_summary[T](
    comments: CommentQuerySet,
    viewer: Viewer,
    summarise: Callable[[dict[int, list[Outline]]], T],
    *,
    rows_key: str | None,
    summary_key: str | None,
) -> T:
    """`summarise(outline)` for `viewer`. Everyone who sees the discussion as anonymous
    readers do (no moderators, no authors of comments awaiting approval) shares one result,
    cached under `summary_key`: members' pages then skip building and pruning a tree of
    every comment. Both keys must change with the discussion (`versioned_key`)."""
    if viewer.moderator or summary_key is None or settings.PAGE_CACHE_SECONDS <= 0:
        return summarise(outline(comments, viewer, cache_key=rows_key))
    cached = cache.get(summary_key)
    if cached is None:
        rows = _cached_rows(comments, rows_key)
        cached = (_private_authors(rows), summarise(_build_outline(rows, ANONYMOUS)))
        cache.set(summary_key, cached, timeout=settings.PAGE_CACHE_SECONDS)
    private_authors, summary = cached
    if viewer.user_id in private_authors:
        return summarise(outline(comments, viewer, cache_key=rows_key))
    return summary


def _outline_rows(comments: CommentQuerySet) -> list[tuple]:
    def flag(condition: Q) -> ExpressionWrapper:
        return ExpressionWrapper(condition, BooleanField())

    return list(
        comments.order_by("created_at", "id")
        .annotate(
            deleted=flag(Q(deleted_at__isnull=False)),
            hidden=flag(Q(hidden_at__isnull=False)),
            removed=flag(Q(author=None, body="")),
        )
        .values_list(
            "pk", "parent_id", "question_id", "author_id", "deleted", "hidden", "approved",
            "removed",
        )
    )  # fmt: skip


def _prune(nodes: list[Outline]) -> list[Outline]:
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.display in (TEXT, HIDDEN, REMOVED) or node.children:
            kept.append(node)
    return kept


def fold(roots: list[Outline], shown: int | None) -> list[Outline]:
    """Shorten each thread to its first `shown` comments in reading order, noting on its
    first comment how many are left for the conversation's own page. A long thread thus
    costs a page no more than a short one."""
    if shown is None:
        return roots
    for root in roots:
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

        total = sum(1 for _ in _walk([root]))
        keep(root)
        root.folded = total - kept
    return roots


def position_in_thread(root: Outline, comment_id: int) -> int | None:
    """Where a comment comes in its thread's reading order (0 for the thread's first)."""
    for position, node in enumerate(_walk([root])):
        if node.pk == comment_id:
            return position
    return None


def fill(
    roots: list[Outline],
    comments: CommentQuerySet,
    viewer: Viewer = ANONYMOUS,
    *,
    discussion_open: bool = True,
) -> list[Comment]:
    """The threads under `roots` as prepared comments (`prepare`), loaded in one query from
    `comments`, the queryset `roots` were outlined from."""
    wanted = [node.pk for node in _walk(roots)]
    if not wanted:
        return []
    if len(wanted) < (connection.features.max_query_params or float("inf")):
        # By primary key alone: the outline came from `comments` already.
        comments = Comment.objects.filter(pk__in=wanted)
    loaded = comments.for_threads(moderator=viewer.moderator)
    by_id = {
        comment.pk: comment for comment in prepare(loaded, viewer, discussion_open=discussion_open)
    }

    def build(nodes: list[Outline]) -> list[Comment]:
        # A comment deleted since the outline was read is left out, with its replies.
        built = []
        for node in nodes:
            comment = by_id.get(node.pk)
            if comment is not None:
                comment.children = build(node.children)
                comment.folded = node.folded
                built.append(comment)
        return built

    return build(roots)


@dataclass
class Card:
    """A comment's card, ready-made (`fill_shared`), in place of the comment in a thread."""

    pk: int
    question_id: int
    card_html: str
    children: list = field(default_factory=list)
    folded: int = 0


def fill_shared(
    roots: list[Outline],
    comments: CommentQuerySet,
    viewer: Viewer,
    *,
    discussion_open: bool,
    cards_key: str | None,
) -> list:
    """`fill` for a member, with the cards of other members' comments ready-made: every
    member sees those alike (what differs, edit and delete links and their own hidden or
    pending text, is on their own comments only), so the cards are rendered once and
    cached under `cards_key`, which must change with the discussion. Only the member's
    own comments, and cards not yet cached, are loaded."""
    if viewer.moderator or cards_key is None or viewer.user_id is None:
        return fill(roots, comments, viewer, discussion_open=discussion_open)
    # Members who may not take part get the cards anonymous readers get.
    everyone = Viewer(user_id=0, refusal=None) if viewer.participant else ANONYMOUS
    key = f"{cards_key}:{'participant' if viewer.participant else 'reader'}"
    cards: dict[int, str] = cache.get(key) or {}
    nodes = list(_walk(roots))
    own_ids = {node.pk for node in nodes if node.author_id == viewer.user_id}
    to_render = [node.pk for node in nodes if node.pk not in cards and node.pk not in own_ids]
    own: dict[int, Comment] = {}
    if own_ids or to_render:
        loaded = Comment.objects.filter(pk__in=[*own_ids, *to_render]).for_threads()
        others = []
        for comment in loaded:
            if comment.pk in own_ids:
                own[comment.pk] = comment
            else:
                others.append(comment)
        prepare(own.values(), viewer, discussion_open=discussion_open)
        if others:
            for comment in prepare(others, everyone, discussion_open=discussion_open):
                cards[comment.pk] = render_card(
                    comment, moderator=False, from_queue=False, csrf_token=""
                )
            cache.set(key, cards, timeout=settings.PAGE_CACHE_SECONDS)

    def build(nodes: list[Outline]) -> list:
        built = []
        for node in nodes:
            if node.pk in own:
                item = own[node.pk]
            elif node.pk in cards:
                item = Card(node.pk, node.question_id, cards[node.pk])
            else:  # deleted since the outline was read: left out, with its replies
                continue
            item.children = build(node.children)
            item.folded = node.folded
            built.append(item)
        return built

    return build(roots)


def _walk(nodes: list) -> Iterator:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def build_threads(
    comments: CommentQuerySet, viewer: Viewer = ANONYMOUS, *, discussion_open: bool = True
) -> dict[int, list[Comment]]:
    """Every thread of `comments`, by question, as prepared comments: two queries."""
    by_question = outline(comments, viewer)
    roots = [root for question_roots in by_question.values() for root in question_roots]
    threads: dict[int, list[Comment]] = defaultdict(list)
    for thread in fill(roots, comments, viewer, discussion_open=discussion_open):
        threads[thread.question_id].append(thread)
    return threads


def flatten(roots: list[Comment]) -> list[Comment]:
    """The threads in reading order, each comment knowing how many nested lists close after
    it (`.closing`), so one flat loop in the template can print the nested markup. The last
    comment of a folded thread knows the thread's first (`.ends_folded_thread`)."""
    flat: list[Comment] = []

    def walk(node: Comment) -> None:
        flat.append(node)
        node.closing = ()
        node.ends_folded_thread = None
        for child in node.children:
            walk(child)
        if node.children:
            flat[-1].closing = (*flat[-1].closing, None)

    for root in roots:
        walk(root)
        flat[-1].ends_folded_thread = root if getattr(root, "folded", 0) else None
    return flat


def count_visible(roots: list[Outline]) -> int:
    """Comments in these threads that everyone may read: the public count. Pruning keeps
    every such comment, so counting the tree counts them all."""
    return sum(node.is_publicly_visible for node in _walk(roots))


def thread_index(roots: list[Outline], comment_id: int) -> int | None:
    """The position of the thread that holds the comment among `roots`, or None if hidden."""
    for index, root in enumerate(roots):
        if any(node.pk == comment_id for node in _walk([root])):
            return index
    return None


@dataclass
class QuestionSummary:
    """What a page shows of one question's discussion before any text is loaded."""

    thread_total: int  # conversations, folded or not
    comment_count: int  # comments everyone may read
    shown: list[Outline]  # the conversations shown, long ones folded


def summarise_question(
    roots: list[Outline], *, first: int = 0, limit: int | None, shown_per_thread: int
) -> QuestionSummary:
    """The conversations `first` to `first + limit` of one question, folded."""
    end = None if limit is None else first + limit
    return QuestionSummary(
        thread_total=len(roots),
        comment_count=count_visible(roots),  # before folding shortens the threads
        shown=fold(roots[first:end], shown_per_thread),
    )


def attach_discussion(
    review, questions: list, *, viewer: Viewer, thread_limit: int, shown_per_thread: int
) -> None:
    """Give each question of `review` its first threads (flattened for the template, long
    ones folded), thread total and public count."""
    comments = Comment.objects.filter(review=review)
    scope = review_scope({"slug": review.slug})

    def summarise(roots: dict[int, list[Outline]]) -> dict[int, QuestionSummary]:
        return {
            question.pk: summarise_question(
                roots.get(question.pk, []), limit=thread_limit, shown_per_thread=shown_per_thread
            )
            for question in questions
        }

    if viewer.moderator:  # moderators read live: nothing of theirs is shared
        summary_key = rows_key = None
    else:
        summary_key = versioned_key(
            f"summary:review:{review.pk}:{thread_limit}:{shown_per_thread}", scope
        )
        rows_key = versioned_key(f"outline:review:{review.pk}", scope)
    summaries = shared_summary(
        comments, viewer, summarise, rows_key=rows_key, summary_key=summary_key
    )
    shown = [root for summary in summaries.values() for root in summary.shown]
    threads: dict[int, list] = defaultdict(list)
    for thread in fill_shared(
        shown, comments, viewer, discussion_open=review.discussion_open, cards_key=summary_key
    ):
        threads[thread.question_id].append(thread)
    for question in questions:
        summary = summaries[question.pk]
        question.thread_total = summary.thread_total
        question.comment_count = summary.comment_count
        question.threads = flatten(threads[question.pk])


def followed_question_ids(viewer: Viewer, review) -> set[int]:
    """The questions of `review` the viewer follows (none for anonymous readers)."""
    if viewer.user_id is None:
        return set()
    return set(
        QuestionFollow.objects.filter(
            member_id=viewer.user_id, question__review=review
        ).values_list("question_id", flat=True)
    )
