"""POSTs with other people's ids, hidden comments, drafts, closed discussions and
mismatched questions are refused with nothing changed."""

import pytest

from comments.models import Comment, Flag
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    review = make_review()
    other_review = make_review()
    draft = make_review(published=False)
    closed = make_review(discussion_open=False)
    attacker = make_user()
    victim_comment = make_comment(question=review.questions.first(), body="Victim text")
    hidden = make_comment(question=review.questions.first(), body="Hidden text")
    hidden.hide(by=None, reason="spam")
    client.force_login(attacker)
    return {
        "review": review,
        "other_review": other_review,
        "draft": draft,
        "closed": closed,
        "victim_comment": victim_comment,
        "hidden": hidden,
    }


def snapshot():
    return list(Comment.objects.order_by("pk").values_list("pk", "body", "deleted_at", "hidden_at"))


def test_every_post_endpoint_refuses_foreign_and_forbidden_objects(client, world):
    review, victim, hidden = world["review"], world["victim_comment"], world["hidden"]
    post_url = f"/reviews/{review.slug}/comments/"
    before, flags = snapshot(), Flag.objects.count()
    attempts = [
        (f"/comments/{victim.pk}/edit/", {"body": "pwned"}, 404),
        (f"/comments/{victim.pk}/delete/", {}, 404),
        (f"/comments/{hidden.pk}/flag/", {"reason": "spam"}, 404),
        (f"/comments/{victim.pk}/hide/", {"reason": "spam"}, 403),
        (f"/comments/{hidden.pk}/unhide/", {}, 403),
        (f"/comments/{victim.pk}/approve/", {}, 403),
        (f"/comments/{victim.pk}/dismiss-flags/", {}, 403),
        (f"/moderation/members/{victim.author_id}/", {"reason": "x"}, 403),
        (post_url, {"question": review.questions.first().pk, "parent": hidden.pk, "body": "x"}, 404),
        (post_url, {"question": world["other_review"].questions.first().pk, "body": "x"}, 404),
        (post_url, {"question": review.questions.last().pk, "parent": victim.pk, "body": "x"}, 404),
        (f"/reviews/{world['draft'].slug}/comments/", {"question": world["draft"].questions.first().pk, "body": "x"}, 404),
        (f"/reviews/{world['closed'].slug}/comments/", {"question": world["closed"].questions.first().pk, "body": "x"}, 403),
        (f"/reviews/{review.slug}/comments/", {"question": world["draft"].questions.first().pk, "body": "x"}, 404),
    ]  # fmt: skip
    for url, data, status in attempts:
        assert client.post(url, data).status_code == status, url
    assert snapshot() == before
    assert Flag.objects.count() == flags


def test_reply_and_flag_pages_do_not_open_on_hidden_or_draft_comments(client, world):
    draft_comment = make_comment(question=world["draft"].questions.first())
    for comment in (world["hidden"], draft_comment):
        assert client.get(f"/comments/{comment.pk}/reply/").status_code == 404
        assert client.get(f"/comments/{comment.pk}/flag/").status_code == 404
