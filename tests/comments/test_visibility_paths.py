"""One rule decides who may read a comment (`comments.models.visibility`), and every path
that shows, counts, sends or finds comments asks it. Each path here is checked against the
same table of reader × comment state; `test_no_path_reads_comments_without_the_rule`
fails when new code reads comments without asking the rule."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from comments.admin import CommentAdmin
from comments.export import discussion_rows
from comments.models import (
    ANONYMOUS,
    TEXT,
    Comment,
    QuestionFollow,
    Viewer,
    active_discussions,
    with_comment_counts,
)
from comments.moderation import delete_account
from comments.notifications import notify_about_new_comment
from comments.threads import conversations, walk
from posts.models import Review
from search.queries import SearchResults
from tests.factories import make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "member", "author", "moderator")
# May this reader read the comment's text? The table every path is checked against.
TABLE = {
    "visible": {"anonymous": True, "member": True, "author": True, "moderator": True},
    "hidden": {"anonymous": False, "member": False, "author": True, "moderator": True},
    "deleted": {"anonymous": False, "member": False, "author": False, "moderator": False},
    "held for approval": {
        "anonymous": False, "member": False, "author": True, "moderator": True,
    },
    # Deleted by its author, who then deleted their account: the text stays in the
    # database (ACCOUNT_DELETION_KEEPS_TEXT), and the author is no longer a reader.
    "deleted, account removed": {"anonymous": False, "member": False, "moderator": False},
}  # fmt: skip


def token(state: str) -> str:
    return "Secret" + re.sub(r"\W", "", state.title())


@pytest.fixture
def world(settings):
    settings.ACCOUNT_DELETION_KEEPS_TEXT = True
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    readers = {"anonymous": None, "member": make_user(), "moderator": moderator}
    follower = make_user(email="follower@example.org")
    comments = {}
    for state in TABLE:
        question = make_review().questions.first()
        QuestionFollow.objects.create(question=question, member=follower)
        author = make_user()
        comment = make_comment(question=question, author=author, body=f"{token(state)} here.")
        if state == "hidden":
            comment.hide(by=moderator, reason="spam", note="Spam.")
        elif state == "deleted":
            comment.delete_by_author()
        elif state == "held for approval":
            Comment.objects.filter(pk=comment.pk).update(approved=False)
        elif state == "deleted, account removed":
            comment.delete_by_author()
            delete_account(author)
        comment = Comment.objects.select_related("review", "question", "author").get(pk=comment.pk)
        comments[state] = (comment, comment.author)
    return readers, comments


def cases(world):
    readers, comments = world
    for state, expected in TABLE.items():
        comment, author = comments[state]
        for reader in READERS:
            if reader in expected:
                user = author if reader == "author" else readers[reader]
                yield state, reader, user, comment, expected[reader]


def viewer_of(user) -> Viewer:
    from django.contrib.auth.models import AnonymousUser

    return Viewer.of(user or AnonymousUser())


def page(client, user, url: str, **kwargs) -> str:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url, **kwargs)
    return response.content.decode() if response.status_code == 200 else ""


# Paths that show each reader what they may read.
def review_page(client, user, comment):
    return token_in(page(client, user, comment.review.get_absolute_url()), comment)


def question_page(client, user, comment):
    return token_in(page(client, user, comment.question.get_absolute_url()), comment)


def conversation_page(client, user, comment):
    return token_in(page(client, user, f"/comments/{comment.pk}/conversation/"), comment)


def permalink(client, user, comment):
    return token_in(page(client, user, comment.get_absolute_url(), follow=True), comment)


def outline(client, user, comment):
    rows = Comment.objects.filter(question=comment.question).outline(viewer_of(user))
    nodes = walk(conversations(rows).get(comment.question_id, []))
    return any(node.pk == comment.pk and node.display == TEXT for node in nodes)


def in_memory(client, user, comment):
    return comment.is_visible_to(viewer_of(user))


def queryset(client, user, comment):
    return Comment.objects.visible_to(viewer_of(user)).filter(pk=comment.pk).exists()


# Paths that show everyone what anyone may read.
def counts(client, user, comment):
    reviews = Review.objects.filter(pk=comment.review_id)
    counted = with_comment_counts(reviews).get().comment_count == 1
    assert active_discussions(reviews).exists() == counted
    on_page = '<span class="question__count">· 1 comment</span>'
    assert (on_page in page(client, user, comment.question.get_absolute_url())) == counted
    return counted


def feed(client, user, comment):
    return token_in(page(client, user, f"/reviews/{comment.review.slug}/comments/feed/"), comment)


def search(client, user, comment):
    results = SearchResults(token(state_of(comment)))
    return any(item.kind == "comment" and item.pk == comment.pk for item in results[:50])


def export(client, user, comment):
    return any(token(state_of(comment)) in row["text"] for row in discussion_rows(comment.review))


def email(client, user, comment, mailoutbox=None, sent=None):
    # Each member hears of a comment once: the first reader's run tells for everyone.
    if comment.pk not in sent:
        mailoutbox.clear()
        notify_about_new_comment.enqueue(comment.pk, "http://testserver")
        run_tasks()
        sent[comment.pk] = any(token(state_of(comment)) in m.body for m in mailoutbox)
    return sent[comment.pk]


def admin_state(client, user, comment):
    return CommentAdmin(Comment, admin.site).state(comment) in ("visible", "edited")


def token_in(text: str, comment) -> bool:
    return token(state_of(comment)) in text


def state_of(comment) -> str:
    return next(state for state in TABLE if comment.body.startswith(token(state)))


FOR_EACH_READER = [review_page, question_page, conversation_page, permalink, outline,
                   in_memory, queryset]  # fmt: skip
FOR_EVERYONE = [counts, feed, search, export, email, admin_state]


@pytest.mark.parametrize("path", FOR_EACH_READER, ids=lambda path: path.__name__)
def test_each_reader_reads_what_the_rule_allows_them(client, world, path):
    outcomes = {
        (state, reader): path(client, user, comment)
        for state, reader, user, comment, _ in cases(world)
    }
    expected = {(state, reader): allowed for state, reader, _, _, allowed in cases(world)}
    assert outcomes == expected


@pytest.mark.parametrize("path", FOR_EVERYONE, ids=lambda path: path.__name__)
def test_public_paths_show_only_what_everyone_may_read(client, world, path, mailoutbox):
    extra = {"mailoutbox": mailoutbox, "sent": {}} if path is email else {}
    outcomes = {
        (state, reader): path(client, user, comment, **extra)
        for state, reader, user, comment, _ in cases(world)
    }
    expected = {(state, reader): TABLE[state]["anonymous"] for state, reader in outcomes}
    assert outcomes == expected


def test_approving_mails_only_what_it_makes_everyones_to_read(client, world, mailoutbox):
    readers, comments = world
    moderator = readers["moderator"]
    client.force_login(moderator)
    for state, (comment, _) in comments.items():
        mailoutbox.clear()
        assert comment.actions_for(viewer_of(moderator)).approve == (state == "held for approval")
        was_public = comment.is_visible_to(ANONYMOUS)
        client.post(f"/comments/{comment.pk}/approve/")
        run_tasks()
        comment.refresh_from_db()
        mailed = any(token(state) in message.body for message in mailoutbox)
        assert mailed == (comment.is_visible_to(ANONYMOUS) and not was_public), state
        assert mailed == (state == "held for approval")


# Functions that read comments and may do so without asking the rule, and why. A new one
# must ask the rule (`visible_to`, `outline`, `is_visible_to`, ...) or be added here.
NOT_FOR_READERS = {
    ("comments/discussion.py", "render_cards"): "loads the comments the outline chose",
    ("comments/forms.py", "earlier_submission"): "the sender's own comment, to redirect",
    ("comments/models.py", "writes_in_last_minute"): "counts a member's own writes",
    ("comments/moderation.py", "flag_comment"): "locks the flagged comment",
    ("comments/moderation.py", "notify_moderators_of_auto_hide"): "mails moderators",
    ("comments/moderation.py", "suspend_member"): "hides a member's comments",
    ("comments/moderation.py", "needs_approval"): "counts a member's approved comments",
    ("comments/moderation.py", "delete_account"): "removes a member's comments",
    ("comments/views.py", "_get_own_comment"): "the author's own comment",
    ("comments/views.py", "conversation"): "finds the conversation; the page asks the rule",
    ("comments/views.py", "permalink"): "finds the comment; `location` asks the rule",
    ("comments/views.py", "_get_moderated_comment"): "moderators act on any comment",
    ("comments/views.py", "queue"): "moderators' queue",
    ("comments/views.py", "member"): "moderators' view of a member",
    ("search/queries.py", "comment_count"): "counts `search_comments`, which asks it",
    ("comments/discussion.py", "render_threads"): "renders what the outline chose",
    ("posts/management/commands/load_demo.py", "load_discussion"): "writes demo data",
    ("posts/management/commands/load_demo.py", "create_discussion"): "writes demo data",
}
READS_COMMENTS = re.compile(
    r"Comment\.objects|CommentRevision\.objects|comments__|\.comments\.\w+\("
    r"|\b(?:member|author|user)\.comments\b"
)
ASKS_THE_RULE = re.compile(
    r"\.visible_to\(|\.visible\(\)|\.outline\(|is_visible_to\(|display_for\(|actions_for\("
    r"|visibility\(|conversations_before\("
)
ROOT = Path(__file__).resolve().parent.parent.parent


def test_no_path_reads_comments_without_the_rule():
    unasked = set()
    for package in ("journalclub", "accounts", "posts", "comments", "search", "outbox"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                code = ast.get_source_segment(source, node).replace("Review.objects.visible", "")
                if READS_COMMENTS.search(code) and not ASKS_THE_RULE.search(code):
                    unasked.add((path.relative_to(ROOT).as_posix(), node.name))
    assert unasked == set(NOT_FOR_READERS), (
        "Ask comments.models.visibility (through visible_to, outline, is_visible_to...) "
        "or, if readers never see what it reads, say why in NOT_FOR_READERS."
    )
