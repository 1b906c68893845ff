import re

import pytest
from django.test import Client

from comments.models import Comment, QuestionFollow
from tests.factories import make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(db):
    review = make_review()
    question = review.questions.first()
    follower = make_user(display_name="Follower", email="follower@example.org")
    QuestionFollow.objects.create(question=question, member=follower)
    return review, question, follower


def post_comment(client, review, question, body, capture):
    """Post, then let the task worker do its work."""
    response = client.post(
        f"/reviews/{review.slug}/comments/", {"question": question.pk, "body": body}
    )
    run_tasks()
    return response


def test_followers_get_one_email_per_new_visible_comment(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    review, question, follower = setting
    client.force_login(make_user(display_name="Writer"))
    post_comment(client, review, question, "Fresh *insight*", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["follower@example.org"]
    assert "Fresh *insight*" in email.body
    comment = Comment.objects.get(body="Fresh *insight*")
    assert f"http://testserver/comments/{comment.pk}/" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_for_your_own_comment(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    review, question, follower = setting
    client.force_login(follower)
    post_comment(client, review, question, "My own", django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_unsubscribe_link_works_signed_out_and_stops_emails(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    review, question, follower = setting
    client.force_login(make_user())
    post_comment(client, review, question, "First", django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/follows/unsubscribe/\S+/)", mailoutbox[0].body).group(1)
    response = Client().get(link)
    assert response.status_code == 200
    assert "Stop following this question?" in response.content.decode()
    assert QuestionFollow.objects.filter(member=follower).exists(), "a GET only asks"
    response = Client().post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You no longer follow this question" in response.content.decode()
    assert not QuestionFollow.objects.filter(member=follower).exists()
    post_comment(client, review, question, "Second", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert Client().get("/follows/unsubscribe/not-a-token/").status_code == 400


def test_no_email_for_a_held_comment_until_it_is_approved(
    client, setting, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    settings.COMMENTS_PREMODERATION = True
    review, question, follower = setting
    client.force_login(make_user())
    post_comment(client, review, question, "Held words", django_capture_on_commit_callbacks)
    assert mailoutbox == []
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    client.post(f"/comments/{Comment.objects.get(body='Held words').pk}/approve/")
    run_tasks()
    assert len(mailoutbox) == 1 and "Held words" in mailoutbox[0].body


def test_no_email_whose_text_is_hidden(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    review, question, follower = setting
    client.force_login(make_user())
    client.post(
        f"/reviews/{review.slug}/comments/", {"question": question.pk, "body": "Rude words"}
    )
    Comment.objects.get(body="Rude words").hide(by=None, reason="disrespectful")
    run_tasks()
    assert all("Rude words" not in email.body for email in mailoutbox)


def test_commenting_follows_the_question_unless_turned_off(
    client, setting, django_capture_on_commit_callbacks
):
    review, question, _ = setting
    keen = make_user()
    client.force_login(keen)
    post_comment(client, review, question, "Hi", django_capture_on_commit_callbacks)
    assert QuestionFollow.objects.filter(member=keen, question=question).exists()
    shy = make_user(follow_on_comment=False)
    client.force_login(shy)
    post_comment(client, review, question, "Hello", django_capture_on_commit_callbacks)
    assert not QuestionFollow.objects.filter(member=shy).exists()


def test_follow_button_toggles_and_the_profile_lists_follows(client, setting):
    review, question, _ = setting
    member = make_user()
    client.force_login(member)
    page = client.get(review.get_absolute_url()).content.decode()
    assert f'action="/questions/{question.pk}/follow/"' in page
    client.post(f"/questions/{question.pk}/follow/")
    assert QuestionFollow.objects.filter(member=member, question=question).exists()
    assert "Following" in client.get(review.get_absolute_url()).content.decode()
    profile = client.get("/accounts/profile/").content.decode()
    assert review.title in profile and "Stop following" in profile
    client.post(f"/questions/{question.pk}/follow/", {"next": "profile"})
    assert not QuestionFollow.objects.filter(member=member).exists()


def test_follow_needs_a_signed_in_verified_member_and_a_published_review(client, setting):
    review, question, _ = setting
    assert client.post(f"/questions/{question.pk}/follow/").status_code == 302
    client.force_login(make_user(verified=False))
    assert client.post(f"/questions/{question.pk}/follow/").status_code == 403
    client.force_login(make_user())
    draft = make_review(published=False)
    assert client.post(f"/questions/{draft.questions.first().pk}/follow/").status_code == 404
    assert client.get(f"/questions/{question.pk}/follow/").status_code == 405
    assert QuestionFollow.objects.count() == 1


class BatchRecorder:
    """A mail backend that records the recipients of each connection it opens."""

    batches: list[list[str]] = []

    def __init__(self, **options):
        self.batch = None

    def open(self) -> None:
        self.batch = []
        self.batches.append(self.batch)

    def close(self) -> None:
        self.batch = None

    def send_messages(self, messages) -> int:
        if self.batch is None:  # not opened: one connection for these messages alone
            self.batches.append([message.to[0] for message in messages])
        else:
            self.batch += [message.to[0] for message in messages]
        return len(messages)


def test_followers_emails_share_one_connection_to_the_mail_server(
    client, setting, settings, django_capture_on_commit_callbacks
):
    review, question, _ = setting
    for n in range(3):
        QuestionFollow.objects.create(
            question=question, member=make_user(email=f"reader{n}@example.org")
        )
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BatchRecorder"}}
    BatchRecorder.batches = []
    client.force_login(make_user())
    post_comment(
        client, review, question, "News for four followers.", django_capture_on_commit_callbacks
    )
    assert len(BatchRecorder.batches) == 1
    assert sorted(BatchRecorder.batches[0]) == [
        "follower@example.org", "reader0@example.org", "reader1@example.org", "reader2@example.org",
    ]  # fmt: skip


def test_a_thousand_followers_do_not_slow_the_post_the_worker_mails_them(
    client, setting, mailoutbox
):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review, question, _ = setting
    writer = make_user()
    client.force_login(writer)

    def queries_to_post(body: str) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.post(
                f"/reviews/{review.slug}/comments/", {"question": question.pk, "body": body}
            )
        assert response.status_code == 302
        return len(context.captured_queries)

    queries_to_post("The writer's first comment, which follows the question for them")
    with_one_follower = queries_to_post("For one follower")
    run_tasks()
    mailoutbox.clear()
    members = get_user_model().objects.bulk_create(
        get_user_model()(username=f"reader{n}", email=f"reader{n}@example.org") for n in range(1000)
    )
    QuestionFollow.objects.bulk_create(
        QuestionFollow(question=question, member=member) for member in members
    )
    assert queries_to_post("For a thousand and one followers") == with_one_follower
    assert mailoutbox == []
    run_tasks()
    assert len(mailoutbox) == 1001  # the first follower and the thousand, not the writer
