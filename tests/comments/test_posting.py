import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from posts.models import Review
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    return make_review(questions=3)


@pytest.fixture
def member(client):
    user = make_user(display_name="Ada Broker", affiliation="Evidence Lab")
    client.force_login(user)
    return user


def post(client, review, question, body="A thoughtful comment.", parent=None):
    data = {"question": question.pk, "body": body}
    if parent is not None:
        data["parent"] = parent.pk
    return client.post(f"/reviews/{review.slug}/comments/", data)


def test_member_comments_on_a_question_and_lands_on_its_anchor(client, review, member):
    question = review.questions.all()[1]
    response = post(client, review, question, "Hello *brokers*")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.question, comment.author, comment.parent) == (question, member, None)
    assert comment.body_html == "<p>Hello <em>brokers</em></p>"
    page = client.get(review.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert 'Ada Broker</span><span class="comment__affiliation">, Evidence Lab' in page
    posted = timezone.localtime(comment.created_at).isoformat(timespec="seconds")
    assert f'<time datetime="{posted}">' in page
    assert f'href="/comments/{comment.pk}/"' in page


def test_reply_nests_under_its_parent(client, review, member):
    parent = make_comment(question=review.questions.first())
    post(client, review, parent.question, "A reply.", parent=parent)
    reply = Comment.objects.get(body="A reply.")
    assert (reply.parent, reply.depth) == (parent, 1)
    page = client.get(review.get_absolute_url()).content.decode()
    parent_at = page.index(f'id="comment-{parent.pk}"')
    nested_at = page.index('<ol class="thread">', parent_at)
    assert parent_at < nested_at < page.index(f'id="comment-{reply.pk}"')


def test_reply_at_the_deepest_level_continues_beside_it(client, review, member, settings):
    settings.COMMENTS_MAX_DEPTH = 3
    top = make_comment(question=review.questions.first())
    middle = make_comment(parent=top)
    deepest = make_comment(parent=middle)
    assert deepest.depth == 2
    response = post(client, review, top.question, "Still talking.", parent=deepest)
    reply = Comment.objects.get(body="Still talking.")
    assert response.status_code == 302
    assert (reply.parent, reply.depth) == (middle, 2)


@pytest.mark.parametrize(
    "body,message",
    [
        ("", "Write something before posting: the comment is empty."),
        ("   \n\t ", "Write something before posting: the comment is empty."),
        ("before\x00after", "Your comment contains a NUL character"),
        ("x" * 10_001, "Comments can be at most 10,000 characters; yours has 10,001."),
    ],
)
def test_bad_text_gets_a_clear_message_and_keeps_the_draft(client, review, member, body, message):
    response = post(client, review, review.questions.first(), body)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in html.unescape(page)
    assert "Your text is kept in the form below." in page
    textarea = page.split('name="body"')[1].split(">", 1)[1].split("</textarea>")[0]
    # The HTML parser drops one newline right after <textarea>: the template writes one there.
    assert html.unescape(textarea).removeprefix("\n") == body
    assert not Comment.objects.exists()


def test_limit_is_a_setting(client, review, member, settings):
    settings.COMMENTS_MAX_LENGTH = 20
    response = post(client, review, review.questions.first(), "x" * 21)
    assert response.status_code == 400
    assert "at most 20 characters" in response.content.decode()


def test_sixth_comment_in_a_minute_is_refused_with_the_text_kept(client, review, member):
    question = review.questions.first()
    for n in range(5):
        assert post(client, review, question, f"Comment {n}").status_code == 302
    response = post(client, review, question, "One too many, but worth keeping")
    page = response.content.decode()
    assert response.status_code == 400
    assert "You can post or edit at most 5 comments a minute." in page
    assert "One too many, but worth keeping</textarea>" in page
    assert Comment.objects.count() == 5


def test_rate_limit_counts_only_the_last_minute(client, review, member, settings):
    settings.COMMENTS_PER_MINUTE = 1
    question = review.questions.first()
    make_comment(
        question=question, author=member, created_at=timezone.now() - timedelta(seconds=61)
    )
    assert post(client, review, question).status_code == 302
    assert post(client, review, question).status_code == 400


def test_reply_errors_show_on_the_reply_page_with_the_text(client, review, member):
    parent = make_comment(question=review.questions.first())
    response = post(client, review, parent.question, "   ", parent=parent)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Reply to " in page
    assert "Write something before posting" in page
    assert Comment.objects.count() == 1


def test_anonymous_post_is_sent_to_sign_in_and_saves_nothing(client, review):
    response = post(client, review, review.questions.first())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_unverified_member_is_refused(client, review):
    client.force_login(make_user(verified=False))
    response = post(client, review, review.questions.first())
    assert response.status_code == 403
    assert "Verify your email address" in response.content.decode()
    assert not Comment.objects.exists()


def test_unverified_member_sees_how_to_verify_instead_of_a_form(client, review):
    client.force_login(make_user(verified=False))
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Verify your email address to join the discussion" in page
    assert 'name="body"' not in page


def test_closed_discussion_shows_comments_without_forms_and_refuses_posts(client, member):
    review = make_review(discussion_open=False)
    comment = make_comment(question=review.questions.first())
    page = client.get(review.get_absolute_url()).content.decode()
    assert comment.body in page
    assert "The discussion of this review is closed." in page
    assert 'name="body"' not in page
    assert "comment__reply" not in page
    response = post(client, review, review.questions.first())
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_posting_to_a_draft_review_is_refused(client, member):
    draft = make_review(published=False)
    assert post(client, draft, draft.questions.first()).status_code == 404
    scheduled = make_review(published_at=timezone.now() + timedelta(days=1))
    assert post(client, scheduled, scheduled.questions.first()).status_code == 404
    assert not Comment.objects.exists()


def test_posting_a_question_of_another_review_is_refused(client, review, member):
    other = make_review()
    assert post(client, review, other.questions.first()).status_code == 404
    assert not Comment.objects.exists()


def test_replying_across_questions_or_to_deleted_comments_is_refused(client, review, member):
    first, second = review.questions.all()[:2]
    parent = make_comment(question=first)
    assert post(client, review, second, parent=parent).status_code == 404
    parent.delete_by_author()
    assert post(client, review, first, parent=parent).status_code == 404
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "field,value", [("question", "abc"), ("parent", "1; DROP"), ("question", "")]
)
def test_malformed_ids_are_404_not_500(client, review, member, field, value):
    data = {"question": review.questions.first().pk, "body": "Text", field: value}
    assert client.post(f"/reviews/{review.slug}/comments/", data).status_code == 404


def test_get_on_the_post_url_is_405(client, review, member):
    assert client.get(f"/reviews/{review.slug}/comments/").status_code == 405


def test_anonymous_readers_see_comments_and_a_sign_in_link_back(client, review):
    comment = make_comment(question=review.questions.all()[1])
    page = client.get(review.get_absolute_url()).content.decode()
    assert comment.body in page
    assert 'name="body"' not in page
    second = review.questions.all()[1]
    link = f'/accounts/login/?next={second.get_absolute_url()}%23comment-form-{second.pk}">Sign in'
    assert link in page


def test_sign_in_link_brings_the_reader_back_to_the_question(client, review):
    user = make_user()
    page = client.get(review.get_absolute_url()).content.decode()
    next_url = page.split("/accounts/login/?next=")[2].split('"')[0]
    response = client.post(
        f"/accounts/login/?next={next_url}",
        {"login": user.email, "password": "a-long-test-password"},
    )
    assert response.status_code == 302
    first = review.questions.first()
    assert response["Location"] == f"{first.get_absolute_url()}#comment-form-{first.pk}"


def test_counts_of_visible_comments_per_question_and_per_review(client, review):
    first, second, _ = review.questions.all()
    make_comment(question=first)
    kept = make_comment(question=first)
    make_comment(parent=kept).delete_by_author()
    make_comment(question=second)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'Question 1 <span class="question__count">· 2 comments</span>' in page
    assert 'Question 2 <span class="question__count">· 1 comment</span>' in page
    assert 'Question 3 <span class="question__count">· 0 comments</span>' in page
    home = client.get("/")
    assert [r.comment_count for r in home.context["reviews"]] == [3]
    assert "3 comments" in home.content.decode()


def test_review_page_shows_the_first_threads_and_links_to_the_question_page(
    client, review, settings
):
    settings.COMMENTS_THREADS_ON_REVIEW_PAGE = 2
    settings.COMMENTS_THREADS_PER_PAGE = 2
    question = review.questions.first()
    threads = [make_comment(question=question, body=f"Thread {n}") for n in range(5)]
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Thread 1" in page and "Thread 2" not in page
    assert "See all 5 conversations on question 1" in page
    second = client.get(f"/reviews/{review.slug}/questions/1/?page=2").content.decode()
    assert "Thread 2" in second and "Thread 3" in second and "Thread 1" not in second
    assert client.get(threads[4].get_absolute_url())["Location"] == (
        f"/reviews/{review.slug}/questions/1/?page=3#comment-{threads[4].pk}"
    )
    assert client.get(threads[0].get_absolute_url())["Location"] == (
        f"{review.get_absolute_url()}#comment-{threads[0].pk}"
    )


def test_default_pages_show_fifty_threads_per_question_then_twenty_per_page(client, review):
    question = review.questions.first()
    for n in range(55):
        make_comment(question=question, body=f"Thread number {n:02}")
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Thread number 49" in page and "Thread number 50" not in page
    assert "See all 55 conversations on question 1" in page
    first = client.get(question.get_absolute_url()).content.decode()
    assert "Thread number 19" in first and "Thread number 20" not in first
    third = client.get(f"{question.get_absolute_url()}?page=3").content.decode()
    assert "Thread number 39" not in third
    assert "Thread number 40" in third and "Thread number 54" in third
    assert "Page 3 of 3" in third


def long_conversation(question, replies: int) -> list:
    """A conversation in reading order: the first comment, then `replies` replies, each
    answering the one before until the depth limit, then the first."""
    comments = [make_comment(question=question, body="Opening remark")]
    for n in range(replies):
        parent = comments[-1] if comments[-1].depth < 3 else comments[0]
        comments.append(make_comment(parent=parent, body=f"Reply number {n:02}"))
    return comments


def reading_order(question) -> list[int]:
    from comments.models import ANONYMOUS, Comment
    from comments.threads import conversations

    roots = conversations(Comment.objects.filter(question=question).outline(ANONYMOUS))[question.pk]
    order = []

    def walk(node):
        order.append(node.pk)
        for child in node.children:
            walk(child)

    for root in roots:
        walk(root)
    return order


def test_a_long_conversation_shows_its_first_comments_and_links_to_the_rest(
    client, review, settings
):
    settings.COMMENTS_SHOWN_PER_THREAD = 4
    question = review.questions.first()
    comments = long_conversation(question, replies=9)
    by_pk = {comment.pk: comment for comment in comments}
    order = [by_pk[pk] for pk in reading_order(question)]
    shown, folded = order[:4], order[4:]
    conversation_url = f"/comments/{comments[0].pk}/conversation/"
    for url in (review.get_absolute_url(), question.get_absolute_url()):
        page = client.get(url).content.decode()
        assert all(f'id="{comment.anchor}"' in page for comment in shown)
        assert not any(f'id="{comment.anchor}"' in page for comment in folded)
        link = f'<a href="{conversation_url}">Read the whole conversation (6 more comments)</a>'
        assert link in page
        # Counts the whole conversation, not only what is shown.
        assert '<span class="question__count">· 10 comments</span>' in page
        # The folded thread's nested lists still close where they open.
        assert page.count("<ol") == page.count("</ol>")
        assert len(re.findall(r"<li[ >]", page)) == page.count("</li>")
    full = client.get(conversation_url)
    assert full.status_code == 200
    text = full.content.decode()
    assert all(f'id="{comment.anchor}"' in text for comment in order)
    assert "A conversation on question 1" in text
    assert "Read the whole conversation" not in text
    # A folded comment's permalink leads to the conversation's page.
    assert client.get(folded[0].get_absolute_url())["Location"] == (
        f"{conversation_url}#{folded[0].anchor}"
    )
    assert client.get(shown[-1].get_absolute_url())["Location"] == (
        f"{review.get_absolute_url()}#{shown[-1].anchor}"
    )


def test_conversation_pages_exist_only_for_visible_first_comments(client, review):
    first = make_comment(question=review.questions.first())
    reply = make_comment(parent=first)
    assert client.get(f"/comments/{reply.pk}/conversation/").status_code == 404
    assert client.get("/comments/999999/conversation/").status_code == 404
    draft_first = make_comment(question=make_review(published=False).questions.first())
    assert client.get(f"/comments/{draft_first.pk}/conversation/").status_code == 404
    first.delete_by_author()
    reply.delete()
    assert client.get(f"/comments/{first.pk}/conversation/").status_code == 404


def test_question_page_404s_for_unknown_numbers_and_drafts(client, review):
    assert client.get(f"/reviews/{review.slug}/questions/3/").status_code == 200
    assert client.get(f"/reviews/{review.slug}/questions/4/").status_code == 404
    assert client.get(f"/reviews/{review.slug}/questions/0/").status_code == 404
    draft = make_review(published=False)
    assert client.get(f"/reviews/{draft.slug}/questions/1/").status_code == 404


def test_permalink_of_a_reply_points_at_its_threads_page(client, review):
    parent = make_comment(question=review.questions.first())
    reply = make_comment(parent=parent)
    response = client.get(f"/comments/{reply.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#comment-{reply.pk}"


def test_permalinks_of_unpublished_or_vanished_comments_are_404(client, review):
    draft_comment = make_comment(question=make_review(published=False).questions.first())
    assert client.get(f"/comments/{draft_comment.pk}/").status_code == 404
    # A deleted comment's permalink leads on to its thread (tests/comments/test_deletion.py).
    assert client.get("/comments/999999/").status_code == 404


def test_email_addresses_are_never_shown(client, review):
    author = make_user(email="private.person@example.org")
    make_comment(question=review.questions.first(), author=author)
    assert "private.person" not in client.get(review.get_absolute_url()).content.decode()


def test_review_status_is_rechecked_when_posting(client, review, member):
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    assert post(client, review, review.questions.first()).status_code == 404


def test_a_database_error_while_saving_keeps_the_text(client, review, member):
    from django.db import OperationalError, connection

    def refuse_comment_inserts(execute, sql, params, many, context):
        if sql.startswith("INSERT") and "comments_comment" in sql:
            raise OperationalError("the database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_comment_inserts):
        response = post(client, review, review.questions.first(), "Words worth keeping")
    page = response.content.decode()
    assert response.status_code == 503
    assert "We could not save your comment just now." in page
    assert "Words worth keeping</textarea>" in page
    assert not Comment.objects.exists()


def test_a_comment_posted_beyond_the_review_page_leads_to_its_conversation(
    client, review, member, settings
):
    """Past the conversations the review page shows, posting leads to the new comment's
    conversation on its own page, which is found without counting the question's every
    conversation; its permalink still names the question's page that holds it."""
    settings.COMMENTS_THREADS_ON_REVIEW_PAGE = 2
    settings.COMMENTS_THREADS_PER_PAGE = 2
    question = review.questions.first()
    for n in range(3):
        make_comment(question=question, body=f"Thread {n}")
    response = post(client, review, question, body="The fourth conversation.")
    comment = Comment.objects.get(body="The fourth conversation.")
    assert response["Location"] == f"/comments/{comment.pk}/conversation/#comment-{comment.pk}"
    shown = client.get(response["Location"]).content.decode()
    assert "The fourth conversation." in shown
    assert client.get(comment.get_absolute_url())["Location"] == (
        f"/reviews/{review.slug}/questions/1/?page=2#comment-{comment.pk}"
    )


@pytest.mark.parametrize("unseen", ["awaiting approval", "deleted"])
def test_conversations_others_cannot_see_do_not_move_where_posting_leads(
    client, review, member, settings, unseen
):
    """Where posting leads is decided by the conversations the poster sees: the redirect
    tells nothing of those awaiting approval or deleted."""
    settings.COMMENTS_THREADS_ON_REVIEW_PAGE = 2
    question = review.questions.first()
    make_comment(question=question, body="Seen by all.")
    for _ in range(2):
        comment = make_comment(question=question, approved=unseen != "awaiting approval")
        if unseen == "deleted":
            comment.delete_by_author()
    response = post(client, review, question, body="Mine.")
    mine = Comment.objects.get(body="Mine.")
    assert response["Location"] == f"{review.get_absolute_url()}#comment-{mine.pk}"
