"""Thirty members at once on one question: nothing lost, counts exact, one auto-hide."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from comments.models import Comment, Flag, ModerationAction
from tests.factories import make_comment, make_review, make_user

THREADS = 30

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is tested on PostgreSQL (SQLite serialises all writes)",
    ),
]


def test_thirty_members_posting_replying_and_flagging_at_once(settings):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 3
    review = make_review(questions=1)
    question = review.questions.get()
    parent = make_comment(question=question, body="Parent of many replies")
    target = make_comment(question=question, body="Flagged by many")
    members = [make_user() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses: list[tuple[str, int]] = []
    lock = threading.Lock()

    def act(member) -> None:
        client = Client()
        client.force_login(member)
        barrier.wait()
        try:
            results = [
                (
                    "comment",
                    client.post(
                        f"/reviews/{review.slug}/comments/",
                        {"question": question.pk, "body": f"Comment by {member.pk}"},
                    ).status_code,
                ),
                (
                    "reply",
                    client.post(
                        f"/reviews/{review.slug}/comments/",
                        {
                            "question": question.pk,
                            "parent": parent.pk,
                            "body": f"Reply {member.pk}",
                        },
                    ).status_code,
                ),
                (
                    "flag",
                    client.post(f"/comments/{target.pk}/flag/", {"reason": "spam"}).status_code,
                ),
            ]
            with lock:
                statuses.extend(results)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    posts = [status for kind, status in statuses if kind != "flag"]
    flags = [status for kind, status in statuses if kind == "flag"]
    assert posts == [302] * (2 * THREADS)
    # Once the comment is hidden it can no longer be flagged (nobody else can see it): 404.
    assert set(flags) <= {302, 404}
    assert flags.count(302) >= settings.COMMENTS_AUTO_HIDE_FLAGS
    assert Comment.objects.filter(body__startswith="Comment by ").count() == THREADS
    assert parent.replies.count() == THREADS
    assert Flag.objects.filter(comment=target).count() == flags.count(302)
    assert ModerationAction.objects.filter(action="auto_hide", comment=target).count() == 1
    target.refresh_from_db()
    assert target.is_hidden
    page = Client().get(review.get_absolute_url()).content.decode()
    # Public count: every new comment and reply, the parent; not the hidden target.
    assert f"· {2 * THREADS + 1} comments" in page
