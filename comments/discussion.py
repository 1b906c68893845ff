"""A discussion as its pages show it: the conversations a viewer sees (comments/threads.py),
folded and paged, each comment with its card. A card is the "card" partial of
templates/comments/thread.html, kept through the cache seam (`page_cache.cached_cards`)
because a thousand of them cost the template engine ~150 ms to render afresh.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from journalclub.page_cache import cached_fragments
from posts.models import Question, Review

from .models import HOLDS_PLACE, Actions, Comment, QuestionFollow, Viewer, edit_deadline
from .roles import author_group, badge_of
from .threads import Outline, conversations, fold, position, public_counts, walk


@dataclass
class QuestionDiscussion:
    """What a page shows of one question's discussion."""

    question: Question
    number: int
    comment_count: int  # comments everyone may read
    conversation_total: int  # conversations the viewer sees, shown or not
    conversations: list[SafeString]  # those shown, long ones folded


def review_discussion(
    review: Review, questions: list[Question], viewer: Viewer, request: HttpRequest
) -> list[QuestionDiscussion]:
    """Each question of `review` with its first conversations, folded. A translation shows
    the threads of its original's questions (`Review.thread_questions`)."""
    threads = review.thread_questions(questions)[: len(questions)]
    rows = Comment.objects.filter(review_id=review.original.pk).outline(viewer)
    by_question, counts = conversations(rows), public_counts(rows)
    shown = {
        thread.pk: fold(
            by_question.get(thread.pk, [])[: settings.COMMENTS_THREADS_ON_REVIEW_PAGE],
            _shown_per_thread(),
        )
        for thread in threads
    }
    every_root = [root for roots in shown.values() for root in roots]
    rendered = render_threads(every_root, viewer, review, request)
    html = {root.pk: conversation for root, conversation in zip(every_root, rendered, strict=True)}
    discussions = [
        QuestionDiscussion(
            question,
            number,
            counts[thread.pk],
            len(by_question.get(thread.pk, [])),
            [html[root.pk] for root in shown[thread.pk]],
        )
        for number, (question, thread) in enumerate(zip(questions, threads, strict=False), start=1)
    ]
    # Questions a translation has beyond its original's (the editors' slip) start no thread.
    return discussions + [
        QuestionDiscussion(question, number, 0, 0, [])
        for number, question in enumerate(questions[len(threads) :], start=len(threads) + 1)
    ]


def question_page(
    question: Question,
    number: int,
    viewer: Viewer,
    request: HttpRequest,
    page_number,
    thread: Question | None = None,
) -> tuple[QuestionDiscussion, Page]:
    """One page of a question's conversations (`COMMENTS_THREADS_PER_PAGE`), folded; those
    of `thread` when the question is a translation's (the original's question)."""
    thread = thread or question
    rows = Comment.objects.filter(question=thread).outline(viewer)
    roots = conversations(rows).get(thread.pk, [])
    page = Paginator(roots, settings.COMMENTS_THREADS_PER_PAGE).get_page(page_number)
    shown = fold(list(page.object_list), _shown_per_thread())
    html = render_threads(shown, viewer, question.review, request)
    count = public_counts(rows)[thread.pk]
    return QuestionDiscussion(question, number, count, len(roots), html), page


def conversation(
    question: Question,
    number: int,
    first_id: int,
    viewer: Viewer,
    request: HttpRequest,
    thread: Question | None = None,
) -> QuestionDiscussion | None:
    """A conversation in full, or None if the viewer sees none of it; one of `thread` when
    the question is a translation's (the original's question)."""
    thread = thread or question
    roots = conversations(_conversation_rows(first_id, viewer)).get(thread.pk, [])
    if not roots:
        return None
    html = render_threads(roots, viewer, question.review, request)
    count = Comment.objects.filter(question=thread).visible().count()
    return QuestionDiscussion(question, number, count, 1, html)


def location(comment: Comment, viewer: Viewer, *, exact_page: bool = True) -> str | None:
    """The URL of the page that shows `comment` to `viewer`, at its anchor; None if no page
    shows it to them. Reads its conversation, and counts those before it: not the whole
    question's outline. Without `exact_page` (after posting), a comment beyond the review
    page is shown on its conversation's own page: no more conversations are counted than
    the review page shows, so the cost stays the same however long the question grows."""
    first_id = comment.root_id or comment.pk
    if comment.parent_id is None and comment.display_for(viewer) in HOLDS_PLACE:
        at = 0  # it starts its conversation, which shows: no need to read the conversation
    else:
        rows = _conversation_rows(first_id, viewer)
        roots = conversations(rows).get(comment.question_id, [])
        at = position(roots[0], comment.pk) if roots else None
    if at is None:
        return None
    folded = at >= _shown_per_thread()
    before = Comment.objects.conversations_before(first_id, comment.question_id, viewer)
    on_review_page = settings.COMMENTS_THREADS_ON_REVIEW_PAGE
    # The version in the reader's language, when there is one: both show the comment.
    review = comment.review.version_in(get_language())
    if not folded and before[:on_review_page].count() < on_review_page:
        url = review.get_absolute_url()
    elif folded or not exact_page:
        url = reverse("comments:conversation", kwargs={"pk": first_id})
    else:
        page = before.count() // settings.COMMENTS_THREADS_PER_PAGE + 1
        question_url = reverse(
            "comments:question_detail",
            kwargs={"slug": review.slug, "number": comment.question.number},
        )
        url = f"{question_url}?page={page}"
    return f"{url}#{comment.anchor}"


def _conversation_rows(first_id: int, viewer: Viewer) -> list[tuple]:
    return Comment.objects.filter(Q(pk=first_id) | Q(root_id=first_id)).outline(viewer)


def _shown_per_thread() -> int:
    return settings.COMMENTS_SHOWN_PER_THREAD


def render_threads(
    roots: list[Outline], viewer: Viewer, review: Review, request: HttpRequest
) -> list[SafeString]:
    """The conversations under `roots` as `viewer` sees them, each from the cache or made
    of its comments' cards: from the cache, or rendered from comments loaded in one query."""
    kind = (
        "moderator" if viewer.moderator else "member",
        "participant" if viewer.participant else "reader",
        "open" if review.discussion_open else "closed",
        # Cards show times in the reader's zone (journalclub/times.py).
        timezone.get_current_timezone_name(),
        # and the guest reviewer's badge, which a translation's reviewer may not share.
        review.reviewer_id,
    )

    now = timezone.now()

    def version(node: Outline) -> tuple:
        # The author's own comments show them links (edit until the deadline, delete).
        own = viewer.user_id is not None and node.author_id == viewer.user_id
        reader = (viewer.user_id, now <= edit_deadline(node.created_at)) if own else None
        return (node.pk, node.parent_id, reader, *node.version)

    def render_cards(missing: list[int]) -> dict[int, tuple[SafeString, bool]]:
        comments = (
            Comment.objects.filter(pk__in=missing)
            .select_related("author")
            .annotate(author_group=author_group())
        )
        if viewer.moderator:
            comments = comments.select_related("hidden_by").prefetch_related("revisions")
        rendered = {}
        for comment in comments:
            comment.review = review
            badge = badge_of(comment, review)
            card, actions = render_card(comment, viewer, request, badge=badge)
            rendered[comment.pk] = (card, not actions.forms)
        return rendered

    def render_conversations(missing: list[int]) -> dict[int, tuple[SafeString, bool]]:
        shown = [root for root in roots if root.pk in set(missing)]
        nodes = list(walk(shown))
        cards = cached_fragments("card", {node.pk: (*kind, *version(node)) for node in nodes},
                                 render_cards)  # fmt: skip
        for node in nodes:
            node.card = cards.get(node.pk, ("", True))[0]  # "": deleted since the outline
        item = get_template("comments/thread.html#item")
        return {
            root.pk: (
                item.render({"item": root}),
                all(cards.get(node.pk, ("", True))[1] for node in walk([root])),
            )
            for root in shown
        }

    versions = {root.pk: (*kind, root.folded, *map(version, walk([root]))) for root in roots}
    conversations = cached_fragments("conversation", versions, render_conversations)
    return [conversations[root.pk][0] for root in roots]


def render_card(
    comment: Comment,
    viewer: Viewer,
    request: HttpRequest,
    *,
    from_queue: bool = False,
    badge: str = "",
) -> tuple[SafeString, Actions]:
    """A comment's card as `viewer` sees it, from the card template; `badge` is its
    author's role on the review (comments/roles.py)."""
    actions = comment.actions_for(viewer)
    context = {
        "comment": comment,
        "display": comment.display_for(viewer),
        "actions": actions,
        "badge": badge,
        "moderator": viewer.moderator,
        "from_queue": from_queue,
        # Moderators' cards may carry small forms (unhide, approve).
        "csrf_token": get_token(request) if viewer.moderator else "",
    }
    return get_template("comments/thread.html#card").render(context), actions


def followed_question_ids(viewer: Viewer, review: Review) -> set[int]:
    """The questions of `review` the viewer follows (none for anonymous readers). On a
    translation, those whose threads (the original's questions) they follow."""
    if viewer.user_id is None:
        return set()
    follows = QuestionFollow.objects.filter(
        member_id=viewer.user_id, question__review_id=review.original.pk
    )
    followed = set(follows.values_list("question_id", flat=True))
    if review.translation_of_id is None:
        return followed
    own = review.questions.values_list("pk", flat=True)
    threads = review.translation_of.questions.values_list("pk", flat=True)
    return {pk for pk, thread in zip(own, threads, strict=False) if thread in followed}
