import re

import pytest
from django.db import transaction

from comments.models import Comment
from comments.notifications import unsubscribe_url
from tests.factories import make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    review = make_review(title="Evidence in practice")
    parent_author = make_user(display_name="Parent Author", email="parent@example.org")
    parent = make_comment(question=review.questions.first(), author=parent_author)
    return review, parent


def reply(client, review, parent, body, django_capture_on_commit_callbacks):
    """Reply, then let the task worker do its work."""
    response = client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": body},
    )
    run_tasks()
    return response


def test_parent_author_gets_one_email_with_the_reply_and_a_link(
    client, thread, mailoutbox, django_capture_on_commit_callbacks
):
    review, parent = thread
    client.force_login(make_user(display_name="Replier"))
    reply(client, review, parent, "I see it **differently**.", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["parent@example.org"]
    assert email.subject == "Replier replied to your comment on “Evidence in practice”"
    assert "I see it **differently**." in email.body
    reply_id = parent.replies.get().pk
    assert f"http://testserver/comments/{reply_id}/" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_for_replying_to_yourself(
    client, thread, mailoutbox, django_capture_on_commit_callbacks
):
    review, parent = thread
    client.force_login(parent.author)
    reply(client, review, parent, "Adding to my own point.", django_capture_on_commit_callbacks)
    assert parent.replies.count() == 1
    assert mailoutbox == []


def test_no_email_when_the_parent_author_opted_out(
    client, thread, mailoutbox, django_capture_on_commit_callbacks
):
    review, parent = thread
    parent.author.reply_emails = False
    parent.author.save()
    client.force_login(make_user())
    reply(client, review, parent, "Hello?", django_capture_on_commit_callbacks)
    assert parent.replies.count() == 1
    assert mailoutbox == []


def test_no_email_for_top_level_comments(client, thread, mailoutbox):
    review, parent = thread
    client.force_login(make_user())
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "body": "New thread"},
    )
    run_tasks()
    assert mailoutbox == []


class RolledBack(Exception):
    pass


def test_the_email_is_kept_with_its_comment_or_not_at_all(client, thread, mailoutbox):
    review, parent = thread
    client.force_login(make_user())
    post = {"question": parent.question_id, "parent": parent.pk}
    with pytest.raises(RolledBack), transaction.atomic():
        client.post(f"/reviews/{review.slug}/comments/", post | {"body": "Rolled back"})
        raise RolledBack
    run_tasks()
    assert not Comment.objects.filter(body="Rolled back").exists()
    assert mailoutbox == []

    client.post(f"/reviews/{review.slug}/comments/", post | {"body": "Kept"})
    assert mailoutbox == [], "the request only enqueues"
    run_tasks()
    assert len(mailoutbox) == 1 and "Kept" in mailoutbox[0].body


def test_unsubscribe_link_works_signed_out_and_stops_emails(
    client, thread, mailoutbox, django_capture_on_commit_callbacks
):
    review, parent = thread
    replier = make_user()
    client.force_login(replier)
    reply(client, review, parent, "First reply", django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/accounts/unsubscribe/\S+/)", mailoutbox[0].body).group(1)
    client.logout()

    response = client.get(link)
    assert response.status_code == 200
    assert "Stop reply emails?" in response.content.decode()
    parent.author.refresh_from_db()
    assert parent.author.reply_emails is True, "opening the link (a mail scanner) changes nothing"

    response = client.post(link)
    assert "You are unsubscribed" in response.content.decode()
    parent.author.refresh_from_db()
    assert parent.author.reply_emails is False

    client.force_login(replier)
    reply(client, review, parent, "Second reply", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_one_click_post_unsubscribes_and_undo_resubscribes(client, thread):
    _, parent = thread
    url = unsubscribe_url("replies", parent.author.pk)
    client.post(url, {"List-Unsubscribe": "One-Click"})
    parent.author.refresh_from_db()
    assert parent.author.reply_emails is False
    client.post(url, {"action": "resubscribe"})
    parent.author.refresh_from_db()
    assert parent.author.reply_emails is True


def test_tampered_unsubscribe_token_is_refused(client, thread):
    _, parent = thread
    response = client.get(unsubscribe_url("replies", parent.author.pk).replace(":", "x", 1))
    assert response.status_code == 400
    parent.author.refresh_from_db()
    assert parent.author.reply_emails is True


def test_unsubscribe_and_unfollow_tokens_work_only_for_their_own_purpose(client, thread):
    from comments.models import QuestionFollow

    _, parent = thread
    QuestionFollow.objects.create(question=parent.question, member=parent.author)
    # The same number signed for each purpose.
    reply_token = unsubscribe_url("replies", parent.author.pk).split("/")[-2]
    follow_token = unsubscribe_url("follow", parent.author.pk).split("/")[-2]

    assert client.post(f"/follows/unsubscribe/{reply_token}/").status_code == 400
    assert client.post(f"/accounts/unsubscribe/{follow_token}/").status_code == 400
    parent.author.refresh_from_db()
    assert parent.author.reply_emails is True
    assert QuestionFollow.objects.filter(member=parent.author).exists()


def test_the_mail_server_gets_the_unsubscribe_address_as_it_is(client, thread, settings):
    """Mail clients offer their own Unsubscribe button only for a readable URL."""
    from tests.mail_servers import SmtpSink, free_port, smtp_mailer

    review, parent = thread
    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    client.force_login(make_user())
    with SmtpSink(port) as sink:
        reply(client, review, parent, "A reply with a long unsubscribe address", None)
    [(_, raw)] = sink.received
    token = unsubscribe_url("replies", parent.author.pk).split("/")[-2].split(":")[0]
    header = next(line for line in raw.splitlines() if line.startswith("List-Unsubscribe:"))
    assert header.startswith("List-Unsubscribe: <http://testserver/accounts/unsubscribe/")
    assert token in header and header.endswith("/>")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw.splitlines()
