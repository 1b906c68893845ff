"""A comment form posts once: a double click, a retry after a lost answer or thirty identical
requests at once make one comment, and each of them leads to it.

Each drawing of the form carries a one-time key. A comment is stored with a key made of
the form's key and its text (`Comment.submission_key`), unique per author in the database:
the same form sent again with the same text names the same comment; edited text is a new
comment. Forms without a key (drawn before keys existed, still open in a tab) post as
before, without that protection."""

import re
import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client

from comments.forms import CommentForm
from comments.models import Comment
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

KEY = "3c1f4e9a-6b2d-4c8e-9f0a-1d2e3f4a5b6c"
KEY_FIELD = re.compile(r'<input type="hidden" name="submission_key" value="([^"]*)">')


@pytest.fixture
def review():
    return make_review(questions=3)


@pytest.fixture
def member(client):
    user = make_user()
    client.force_login(user)
    return user


def post(client, review, question, body="Said once.", key=KEY, parent=None):
    data = {"question": question.pk, "body": body}
    if key is not None:
        data["submission_key"] = key
    if parent is not None:
        data["parent"] = parent.pk
    return client.post(f"/reviews/{review.slug}/comments/", data)


def test_each_comment_form_is_drawn_with_its_own_key(client, review, member):
    page = client.get(review.get_absolute_url()).content.decode()
    keys = KEY_FIELD.findall(page)
    # One per question's form, and an empty one in the inline reply form that the
    # script fills in each time it opens one.
    assert len(keys) == 4 and keys[-1] == ""
    assert len({uuid.UUID(key) for key in keys[:3]}) == 3
    again = KEY_FIELD.findall(client.get(review.get_absolute_url()).content.decode())
    assert set(again[:3]).isdisjoint(keys[:3])


def test_the_reply_page_and_the_question_page_draw_a_key_too(client, review, member):
    parent = make_comment(question=review.questions.first())
    for url in (f"/comments/{parent.pk}/reply/", f"{review.get_absolute_url()}questions/1/"):
        [key, *_] = KEY_FIELD.findall(client.get(url).content.decode())
        assert uuid.UUID(key)


def test_the_same_form_sent_twice_posts_once_and_both_lead_to_it(client, review, member):
    question = review.questions.first()
    first = post(client, review, question)
    second = post(client, review, question)
    comment = Comment.objects.get()
    assert (first.status_code, second.status_code) == (302, 302)
    assert (
        first["Location"]
        == second["Location"]
        == (f"{review.get_absolute_url()}#comment-{comment.pk}")
    )
    page = client.get(second["Location"]).content.decode()
    assert "Your comment is posted." in page


def test_a_retry_leads_to_the_comment_even_past_the_rate_limit(client, review, member, settings):
    settings.COMMENTS_PER_MINUTE = 1
    question = review.questions.first()
    posted = post(client, review, question)
    retried = post(client, review, question)
    assert retried.status_code == 302
    assert retried["Location"] == posted["Location"]
    assert Comment.objects.count() == 1


def test_a_reply_sent_twice_posts_once(client, review, member):
    parent = make_comment(question=review.questions.first())
    first = post(client, review, parent.question, "A reply.", parent=parent)
    second = post(client, review, parent.question, "A reply.", parent=parent)
    reply = Comment.objects.get(parent=parent)
    assert first["Location"] == second["Location"]
    assert first["Location"].endswith(f"#comment-{reply.pk}")


def test_the_same_form_with_edited_text_is_a_new_comment(client, review, member):
    # Back to the page after posting, the text changed, sent again: nothing is dropped.
    question = review.questions.first()
    post(client, review, question, "First thought.")
    response = post(client, review, question, "Second thought.")
    assert response.status_code == 302
    assert [c.body for c in Comment.objects.order_by("pk")] == ["First thought.", "Second thought."]


def test_forms_drawn_before_keys_existed_still_post(client, review, member):
    # No key, no protection: each sending is a comment, as before.
    question = review.questions.first()
    assert post(client, review, question, key=None).status_code == 302
    assert post(client, review, question, key=None).status_code == 302
    assert Comment.objects.count() == 2
    assert Comment.objects.filter(submission_key__isnull=True).count() == 2


@pytest.mark.parametrize("key", ["", "not-a-key", "1" * 300])
def test_a_key_that_is_not_one_is_ignored(client, review, member, key):
    assert post(client, review, review.questions.first(), key=key).status_code == 302
    assert Comment.objects.get().submission_key is None


def test_keys_are_per_member(client, review, member):
    question = review.questions.first()
    post(client, review, question)
    other = Client()
    other.force_login(make_user())
    assert post(other, review, question).status_code == 302
    assert Comment.objects.count() == 2


def test_a_form_that_comes_back_with_an_error_keeps_its_key(client, review, member):
    response = post(client, review, review.questions.first(), body="   ")
    assert response.status_code == 400
    assert KEY_FIELD.findall(response.content.decode())[0] == KEY


def test_the_loser_of_a_race_leads_to_the_winner(client, review, member):
    """The same form arrives twice; the other request saves its comment while this one is
    being checked. The database's constraint refuses this one's: it leads to the other's."""
    question = review.questions.first()
    body = "Said once."
    raced = []

    def other_request_saves_during_the_checks(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT COUNT(*)") and '"author_id" =' in sql and not raced:
            raced.append(True)
            form = CommentForm({"submission_key": KEY, "body": body})
            make_comment(
                question=question, author=member, body=body, submission_key=form.submission_key
            )
        return result

    with connection.execute_wrapper(other_request_saves_during_the_checks):
        response = post(client, review, question, body)
    comment = Comment.objects.get()
    assert raced
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#comment-{comment.pk}"


THREADS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_identical_posts_at_once_make_one_comment():
    """On PostgreSQL the thirty race for real. SQLite takes one writer at a time and refuses
    the others at once ("database table is locked"): they get the friendly 503, which keeps
    their text for a retry, and never a second comment."""
    review = make_review(questions=1)
    question = review.questions.get()
    member = make_user()
    clients = []
    for _ in range(THREADS):
        client = Client(raise_request_exception=False)
        client.force_login(member)  # before the race: sessions are written one at a time
        clients.append(client)
    barrier = threading.Barrier(THREADS, timeout=30)
    responses = []
    lock = threading.Lock()

    def send(client) -> None:
        try:
            barrier.wait()
            response = post(client, review, question, "Thirty times the same words.")
            with lock:
                responses.append(response)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    comment = Comment.objects.get()
    location = f"{review.get_absolute_url()}#comment-{comment.pk}"
    assert len(responses) == THREADS
    posted = [r for r in responses if r.status_code == 302]
    assert {r["Location"] for r in posted} == {location}
    if connection.vendor == "postgresql":
        assert len(posted) == THREADS
    else:
        assert {r.status_code for r in responses} <= {302, 503}
    # Whoever got no answer sends again, and is led to the same comment.
    retry = Client()
    retry.force_login(member)
    assert post(retry, review, question, "Thirty times the same words.")["Location"] == location
    assert Comment.objects.count() == 1


def test_a_key_sent_again_to_another_review_leads_nowhere_near_the_first(client, review, member):
    """A sending names its earlier comment only on the same question: the first review,
    since unpublished under a new address, is never revealed by a redirect."""
    assert post(client, review, review.questions.first()).status_code == 302
    review.status, review.slug = review.Status.DRAFT, "renamed-while-unpublished"
    review.save()
    other = make_review(questions=1)
    response = post(client, other, other.questions.get())
    assert "renamed-while-unpublished" not in response.get("Location", "")
    assert "renamed-while-unpublished" not in response.content.decode()
