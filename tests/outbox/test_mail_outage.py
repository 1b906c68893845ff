"""A mail server that refuses or hangs costs a member nothing: the request only keeps the
email, and the task worker sends it exactly once when the server is back."""

import time
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from comments.moderation import flag_comment
from tests.factories import make_comment, make_review, make_user
from tests.mail_servers import HangingServer, SmtpSink, free_port, smtp_mailer
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def timed_post(client, url: str, data: dict):
    started = time.monotonic()
    response = client.post(url, data)
    return response, time.monotonic() - started


@pytest.mark.parametrize("server", ["refusing", "hanging"])
def test_reply_third_flag_and_sign_up_each_mailed_exactly_once_when_mail_works_again(
    client, settings, server
):
    port = free_port()
    settings.MAILERS = smtp_mailer(port, timeout=1)
    review = make_review()
    parent = make_comment(
        question=review.questions.first(), author=make_user(email="parent@example.org")
    )
    moderator = make_user(email="moderator@example.org")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    settings.COMMENTS_AUTO_HIDE_FLAGS = 3
    flagged = make_comment(question=review.questions.first())

    with HangingServer(port) if server == "hanging" else nullcontext():
        client.force_login(make_user())
        response, seconds = timed_post(
            client,
            f"/reviews/{review.slug}/comments/",
            {"question": parent.question_id, "parent": parent.pk, "body": "Reply to mail"},
        )
        assert (response.status_code, seconds < 1) == (302, True)
        for _ in range(3):
            client.force_login(make_user())
            response, seconds = timed_post(
                client, f"/comments/{flagged.pk}/flag/", {"reason": "spam", "note": ""}
            )
            assert (response.status_code, seconds < 1) == (302, True)
        client.logout()
        response, seconds = timed_post(
            client,
            "/accounts/signup/",
            {
                "email": "newcomer@example.org",
                "display_name": "Newcomer",
                "password1": "correct-horse-battery",
                "password2": "correct-horse-battery",
            },
        )
        assert (response.status_code, seconds < 1) == (302, True)
        run_tasks()  # every try fails while the server is broken

    flagged.refresh_from_db()
    assert flagged.is_hidden
    with SmtpSink(port) as sink:
        run_tasks(later=timedelta(hours=2))
        run_tasks(later=timedelta(hours=2))
    recipients = sorted(rcpt for rcpts, _ in sink.received for rcpt in rcpts)
    assert recipients == ["moderator@example.org", "newcomer@example.org", "parent@example.org"]
    bodies = " ".join(message for _, message in sink.received)
    assert "Reply to mail" in bodies and "/accounts/confirm-email/" in bodies


def test_a_reply_hidden_while_its_email_waits_is_never_mailed(client, settings):
    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    review = make_review()
    parent = make_comment(
        question=review.questions.first(), author=make_user(email="parent@example.org")
    )
    client.force_login(make_user())
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": "Soon hidden"},
    )
    run_tasks()  # the mail server refuses: the email waits for its next try
    Comment.objects.get(body="Soon hidden").hide(by=None, reason="spam")
    with SmtpSink(port) as sink:
        run_tasks(later=timedelta(hours=2))
    assert sink.received == []


def test_a_comment_hidden_twice_after_flags_alerts_the_moderators_twice(
    client, settings, mailoutbox
):

    moderator = make_user(email="moderator@example.org")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    settings.COMMENTS_AUTO_HIDE_FLAGS = 1
    comment = make_comment()
    flag_comment(comment, by=make_user(), reason="spam", site_url="http://testserver")
    run_tasks()
    comment.refresh_from_db()
    comment.dismiss_flags(by=moderator)
    comment.unhide(by=moderator)
    flag_comment(comment, by=make_user(), reason="spam", site_url="http://testserver")
    run_tasks()
    assert [message.to for message in mailoutbox] == [["moderator@example.org"]] * 2
