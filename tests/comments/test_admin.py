import pytest

from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for_superuser(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_comment_admin_lists_filters_by_review_and_question_and_searches(
    admin_client_for_superuser,
):
    client = admin_client_for_superuser
    first, second = make_review(), make_review()
    mine = make_comment(question=first.questions.first(), body="About transferability")
    make_comment(question=second.questions.first(), body="Something else")
    by_review = client.get(f"/admin/comments/comment/?review__id__exact={first.pk}")
    assert list(by_review.context["cl"].result_list) == [mine]
    by_question = client.get(f"/admin/comments/comment/?question__id__exact={mine.question_id}")
    assert list(by_question.context["cl"].result_list) == [mine]
    search = client.get("/admin/comments/comment/?q=transferability")
    assert list(search.context["cl"].result_list) == [mine]


def test_comment_admin_shows_earlier_versions_and_cannot_hard_delete(
    admin_client_for_superuser,
):
    client = admin_client_for_superuser
    comment = make_comment(body="Old words")
    comment.edit("New words")
    page = client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "Old words" in page
    assert client.post(f"/admin/comments/comment/{comment.pk}/delete/").status_code == 403
    assert type(comment).objects.filter(pk=comment.pk).exists()
