"""Every state-changing endpoint refuses a POST without a CSRF token."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from comments.models import Comment, Flag, ModerationAction
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


def test_state_changing_endpoints_require_the_csrf_token():
    review = make_review()
    member = make_user()
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    own = make_comment(question=review.questions.first(), author=member, body="Own text")
    other = make_comment(question=review.questions.first(), body="Other text")
    hidden = make_comment(question=review.questions.first())
    hidden.hide(by=moderator, reason="spam")
    before = (Comment.objects.count(), Flag.objects.count(), ModerationAction.objects.count())

    member_client = Client(enforce_csrf_checks=True)
    member_client.force_login(member)
    moderator_client = Client(enforce_csrf_checks=True)
    moderator_client.force_login(moderator)
    attempts = [
        (member_client, f"/reviews/{review.slug}/comments/", {"question": own.question_id, "body": "x"}),
        (member_client, f"/comments/{own.pk}/edit/", {"body": "changed"}),
        (member_client, f"/comments/{own.pk}/delete/", {}),
        (member_client, f"/comments/{other.pk}/flag/", {"reason": "spam"}),
        (member_client, "/accounts/profile/", {"display_name": "Changed"}),
        (member_client, "/accounts/logout/", {}),
        (moderator_client, f"/comments/{other.pk}/hide/", {"reason": "spam"}),
        (moderator_client, f"/comments/{hidden.pk}/unhide/", {}),
        (moderator_client, f"/comments/{other.pk}/approve/", {}),
        (moderator_client, f"/comments/{other.pk}/dismiss-flags/", {}),
        (moderator_client, f"/moderation/members/{member.pk}/", {"reason": "r", "action": "suspend"}),
        (moderator_client, "/admin/posts/review/add/", {"title": "t"}),
    ]  # fmt: skip
    for client, url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    after = (Comment.objects.count(), Flag.objects.count(), ModerationAction.objects.count())
    assert after == before
    own.refresh_from_db()
    member.refresh_from_db()
    assert (own.body, own.deleted_at, member.display_name) == (
        "Own text",
        None,
        member.display_name,
    )
    assert not member.is_suspended
    assert Comment.objects.get(pk=hidden.pk).is_hidden
