from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

import comments.models
from comments.models import Comment, CommentRevision
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = make_user()
    client.force_login(user)
    return user


def test_author_edits_within_the_window_and_the_earlier_text_is_kept(client, author):
    comment = make_comment(author=author, body="First thoughts.")
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Second *thoughts*."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Second *thoughts*."
    assert comment.body_html == "<p>Second <em>thoughts</em>.</p>"
    assert comment.edited_at is not None
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["First thoughts."]
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert '<span class="comment__edited"' in page
    assert "First thoughts." not in page


def test_each_edit_keeps_another_version(client, author):
    comment = make_comment(author=author, body="v1")
    client.post(f"/comments/{comment.pk}/edit/", {"body": "v2"})
    client.post(f"/comments/{comment.pk}/edit/", {"body": "v3"})
    assert list(comment.revisions.values_list("body", flat=True)) == ["v1", "v2"]


def test_edit_form_shows_the_current_text(client, author):
    comment = make_comment(author=author, body="Current text")
    response = client.get(f"/comments/{comment.pk}/edit/")
    assert response.status_code == 200
    assert "Current text</textarea>" in response.content.decode()


def test_invalid_edit_keeps_the_new_text_and_changes_nothing(client, author):
    comment = make_comment(author=author, body="Original")
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "bad\x00text"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Original"
    assert not CommentRevision.objects.exists()


def test_editing_after_the_window_is_refused(client, author, settings):
    settings.COMMENTS_EDIT_WINDOW_MINUTES = 30
    comment = make_comment(author=author, created_at=timezone.now() - timedelta(minutes=31))
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Too late"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body != "Too late"
    assert "Edit</a>" not in client.get(comment.review.get_absolute_url()).content.decode()


def test_edit_window_is_a_setting(client, author, settings):
    settings.COMMENTS_EDIT_WINDOW_MINUTES = 60
    comment = make_comment(author=author, created_at=timezone.now() - timedelta(minutes=45))
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Still in time"})
    comment.refresh_from_db()
    assert comment.body == "Still in time"


def test_nobody_else_can_edit_or_delete(client):
    comment = make_comment(body="Mine")
    client.force_login(make_user())
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Yours"}).status_code == 404
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    comment.refresh_from_db()
    assert (comment.body, comment.deleted_at) == ("Mine", None)


def test_anonymous_edit_and_delete_go_to_sign_in(client):
    comment = make_comment()
    for action in ("edit", "delete"):
        response = client.post(f"/comments/{comment.pk}/{action}/", {"body": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_edits_are_refused_once_the_discussion_closes(client, author):
    comment = make_comment(author=author, body="Before closing")
    comment.review.discussion_open = False
    comment.review.save()
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "After"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Before closing"


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, author):
    comment = make_comment(author=author, body="Regrettable words")
    reply = make_comment(parent=comment, body="A reply that stays")
    assert client.get(f"/comments/{comment.pk}/delete/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/delete/")
    assert response.status_code == 302
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Regrettable words" not in page
    assert "This comment was deleted by its author." in page
    assert "A reply that stays" in page
    placeholder_at = page.index(f'id="comment-{comment.pk}"')
    assert placeholder_at < page.index(f'id="comment-{reply.pk}"')
    assert Comment.objects.filter(pk=comment.pk, body="Regrettable words").exists()


def test_deleting_a_comment_without_replies_removes_it_from_view(client, author):
    comment = make_comment(author=author, body="Gone quietly")
    client.post(f"/comments/{comment.pk}/delete/")
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Gone quietly" not in page
    assert f'id="comment-{comment.pk}"' not in page
    assert "This comment was deleted" not in page
    assert Comment.objects.get(pk=comment.pk).is_deleted


def test_a_deleted_chain_disappears_when_nothing_visible_hangs_below(client):
    review = make_review()
    top = make_comment(question=review.questions.first())
    reply = make_comment(parent=top)
    top.delete_by_author()
    reply.delete_by_author()
    page = client.get(review.get_absolute_url()).content.decode()
    assert f'id="comment-{top.pk}"' not in page
    assert f'id="comment-{reply.pk}"' not in page


def test_deleting_twice_is_404(client, author):
    comment = make_comment(author=author)
    client.post(f"/comments/{comment.pk}/delete/")
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404


def test_edits_share_the_posting_rate_limit_with_the_text_kept(client, author, settings):
    settings.COMMENTS_PER_MINUTE = 3
    comment = make_comment(author=author, body="v0")
    for n in (1, 2):
        assert client.post(f"/comments/{comment.pk}/edit/", {"body": f"v{n}"}).status_code == 302
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "One edit too many"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "You can post or edit at most 3 comments a minute." in page
    assert "One edit too many</textarea>" in page
    comment.refresh_from_db()
    assert comment.body == "v2"

    post = {"question": comment.question_id, "body": "And a new comment"}
    assert client.post(f"/reviews/{comment.review.slug}/comments/", post).status_code == 400
    assert Comment.objects.count() == 1


def test_earlier_edits_stop_counting_after_a_minute(client, author, settings):
    settings.COMMENTS_PER_MINUTE = 1
    comment = make_comment(author=author, created_at=timezone.now() - timedelta(minutes=2))
    CommentRevision.objects.create(
        comment=comment,
        body="older",
        written_at=comment.created_at,
        replaced_at=timezone.now() - timedelta(seconds=61),
    )
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Now"}).status_code == 302
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Again"}).status_code == 400


@pytest.fixture
def transactions_open_while_rendering(monkeypatch):
    """Records, for each comment rendered, whether a database transaction was open."""
    seen = []
    render = comments.models.render_comment

    def recording_render(text):
        seen.append(connection.in_atomic_block)
        return render(text)

    monkeypatch.setattr(comments.models, "render_comment", recording_render)
    return seen


@pytest.mark.django_db(transaction=True)
def test_posting_and_editing_render_outside_any_transaction(
    client, transactions_open_while_rendering
):
    member = make_user()
    client.force_login(member)
    review = make_review()
    question = review.questions.first()
    transactions_open_while_rendering.clear()
    client.post(f"/reviews/{review.slug}/comments/", {"question": question.pk, "body": "*Hi*"})
    comment = Comment.objects.get()
    client.post(f"/comments/{comment.pk}/edit/", {"body": "*Hello*"})
    comment.refresh_from_db()
    assert comment.body_html == "<p><em>Hello</em></p>"
    assert transactions_open_while_rendering == [False, False]


def test_hiding_or_deleting_does_not_render_again(author, transactions_open_while_rendering):
    comment = make_comment(author=author, body="Rendered once")
    transactions_open_while_rendering.clear()
    comment.hide(by=None, reason="spam")
    comment.delete_by_author()
    Comment.objects.get(pk=comment.pk).unhide(by=None)
    assert transactions_open_while_rendering == []
    comment.refresh_from_db()
    assert comment.body_html == "<p>Rendered once</p>"


def test_an_edit_never_undoes_a_hide_made_meanwhile(author):
    comment = make_comment(author=author, body="Before")
    being_edited = Comment.objects.get(pk=comment.pk)  # loaded by the edit request
    Comment.objects.get(pk=comment.pk).hide(by=None, reason="spam")  # a moderator, meanwhile
    being_edited.edit("After")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.body == "After"
