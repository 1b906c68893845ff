"""A review's guest reviewer, once their account is linked, hears of every new comment on
their review (by following its questions), and can stop it with one click."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from comments.models import Comment, QuestionFollow
from posts.models import Question, Review
from tests.factories import make_comment, make_contributor, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def amara():
    return make_user(display_name="Amara Okafor", email="amara@example.org")


@pytest.fixture
def review(amara):
    review = make_review(title="Evidence in practice")
    reviewer = review.reviewer
    reviewer.user = amara  # as an editor links the account in the admin
    reviewer.save()
    return review


def post(client, review, question, body: str, parent=None) -> None:
    data = {"question": question.pk, "body": body}
    if parent is not None:
        data["parent"] = parent.pk
    client.post(f"/reviews/{review.slug}/comments/", data)
    run_tasks()


def to_amara(mailoutbox) -> list:
    return [email for email in mailoutbox if email.to == ["amara@example.org"]]


def test_linking_the_account_follows_every_question_of_their_reviews(amara, review):
    assert set(QuestionFollow.objects.filter(member=amara).values_list("question", flat=True)) == (
        set(review.questions.values_list("pk", flat=True))
    )
    later = make_review(reviewer=review.reviewer)
    assert QuestionFollow.objects.filter(member=amara, question__review=later).count() == 3
    added = Question.objects.create(review=review, position=9, text="One more?")
    assert QuestionFollow.objects.filter(member=amara, question=added).exists()


def test_the_reviewer_gets_an_email_for_each_new_comment(client, amara, review, mailoutbox):
    client.force_login(make_user(display_name="Ben Broker"))
    for question in review.questions.all()[:2]:
        post(client, review, question, f"On {question.text}")
    emails = to_amara(mailoutbox)
    assert [email.subject for email in emails] == [
        "Ben Broker commented on your review “Evidence in practice”"
    ] * 2
    assert "Ben Broker commented on a question of your review" in emails[0].body
    assert "because you are the guest reviewer of this review" in emails[0].body
    assert emails[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_for_the_reviewers_own_comment(client, amara, review, mailoutbox):
    client.force_login(amara)
    post(client, review, review.questions.first(), "Thanks for reading.")
    assert to_amara(mailoutbox) == []


def test_one_email_when_the_reviewer_is_also_the_one_replied_to(client, amara, review, mailoutbox):
    question = review.questions.first()
    QuestionFollow.objects.get_or_create(question=question, member=amara)
    parent = make_comment(question=question, author=amara)
    client.force_login(make_user(display_name="Ben Broker"))
    post(client, review, question, "A question for you.", parent=parent)
    (email,) = to_amara(mailoutbox)
    assert email.subject == "Ben Broker replied to your comment on “Evidence in practice”"


def test_the_one_click_link_stops_them_and_saving_the_review_again_does_not_undo_it(
    client, amara, review, mailoutbox
):
    question = review.questions.first()
    client.force_login(make_user())
    post(client, review, question, "First")
    (email,) = to_amara(mailoutbox)
    link = re.search(r"http://testserver(/follows/unsubscribe/\S+/)", email.body).group(1)
    assert Client().post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    review.save()
    review.reviewer.save()
    post(client, review, question, "Second")
    assert len(to_amara(mailoutbox)) == 1
    # The other questions of the review still bring news.
    post(client, review, review.questions.all()[1], "Third")
    assert len(to_amara(mailoutbox)) == 2


def test_an_approved_comment_reaches_the_reviewer_once_approved(
    client, amara, review, settings, mailoutbox
):
    settings.COMMENTS_PREMODERATION = True
    newcomer = make_user()
    client.force_login(newcomer)
    post(client, review, review.questions.first(), "My first comment.")
    assert to_amara(mailoutbox) == []
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    comment = Comment.objects.get(body="My first comment.")
    client.post(f"/comments/{comment.pk}/approve/")
    run_tasks()
    assert len(to_amara(mailoutbox)) == 1


def test_an_unlinked_reviewer_follows_nothing(amara):
    make_review(reviewer=make_contributor())
    assert not QuestionFollow.objects.filter(member=amara).exists()


@pytest.mark.django_db(transaction=True)
def test_reviewers_linked_before_follows_existed_follow_their_reviews_after_migrating(amara):
    linked = make_review()
    linked.reviewer.user = amara
    linked.reviewer.save()
    unlinked = make_review()
    QuestionFollow.objects.all().delete()  # as on a database from before the follows
    executor = MigrationExecutor(connection)
    executor.migrate([("comments", "0010_community_guidelines")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("comments"))
    followed = set(QuestionFollow.objects.values_list("member", "question"))
    assert followed == {(amara.pk, pk) for pk in linked.questions.values_list("pk", flat=True)}
    assert not QuestionFollow.objects.filter(question__review=unlinked).exists()


@pytest.mark.parametrize("status", ["draft", "scheduled"])
def test_a_reviewer_does_not_see_their_unpublished_review_on_their_profile(client, status):
    reviewer = make_user(display_name="Guest Reviewer")
    fields = {"published": False}
    if status == "scheduled":
        fields |= {
            "status": Review.Status.PUBLISHED,
            "published_at": timezone.now() + timedelta(days=2),
        }
    unpublished = make_review(
        title="Embargoed findings", reviewer=make_contributor(user=reviewer), **fields
    )
    make_review(title="Already out", reviewer=make_contributor(user=reviewer))
    assert QuestionFollow.objects.filter(member=reviewer, question__review=unpublished).exists()
    client.force_login(reviewer)
    page = client.get("/accounts/profile/").content.decode()
    assert "Already out" in page
    assert "Embargoed findings" not in page
