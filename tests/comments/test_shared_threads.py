"""Members who see a discussion as everyone does share one outline of it (see
`comments/discussion.py`); these tests check that sharing never shows one member what
another sees."""

import pytest

from comments.models import Comment
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


def pages(question) -> list[str]:
    return [question.review.get_absolute_url(), question.get_absolute_url()]


def read(client, member, url: str) -> str:
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_author_sees_their_comment_awaiting_approval_after_others_read_the_threads(client):
    question = make_review().questions.first()
    make_comment(question=question, body="Seen by everyone.")
    author, other = make_user(), make_user()
    make_comment(question=question, author=author, approved=False, body="Awaiting a moderator.")
    for url in pages(question):
        page = read(client, other, url)
        assert "Seen by everyone." in page
        assert "Awaiting a moderator." not in page
        assert "Awaiting a moderator." in read(client, author, url)
        assert "Awaiting a moderator." not in read(client, other, url)


def test_a_hidden_comment_shows_its_text_only_to_its_author_whoever_reads_first(client):
    question = make_review().questions.first()
    author, other = make_user(), make_user()
    comment = make_comment(question=question, author=author, body="Text the moderators hid.")
    comment.hide(by=make_user(), reason="spam")
    for url in pages(question):
        first = read(client, other, url)
        assert "Text the moderators hid." not in first
        assert "Hidden by a moderator." in first
        assert "Text the moderators hid." in read(client, author, url)
        assert "Text the moderators hid." not in read(client, other, url)


def test_a_member_sees_a_new_reply_on_their_next_view(client):
    question = make_review().questions.first()
    first = make_comment(question=question, body="Opening remark.")
    member = make_user()
    for url in pages(question):
        assert "A reply arrives." not in read(client, member, url)
    make_comment(parent=first, body="A reply arrives.")
    for url in pages(question):
        assert "A reply arrives." in read(client, member, url)
    assert Comment.objects.count() == 2


def test_question_pages_share_the_outline_page_by_page(client, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    question = make_review().questions.first()
    for n in range(5):
        make_comment(question=question, body=f"Conversation {n}.")
    member = make_user()
    url = question.get_absolute_url()
    assert "Conversation 2." in read(client, member, f"{url}?page=2")
    last = read(client, member, f"{url}?page=99")  # past the end: the last page
    assert "Conversation 4." in last
    assert "Page 3 of 3" in last
    assert "Conversation 0." in read(client, member, f"{url}?page=x")


def test_members_get_links_for_their_own_comments_whoever_reads_first(client):
    question = make_review().questions.first()
    alice, bob = make_user(), make_user()
    by_alice = make_comment(question=question, author=alice, body="Alice writes.")
    by_bob = make_comment(question=question, author=bob, body="Bob writes.")
    for url in pages(question):
        for member, own, other in [(alice, by_alice, by_bob), (bob, by_bob, by_alice)] * 2:
            page = read(client, member, url)
            assert f'href="{own.get_absolute_url()}edit/"' in page
            assert f'href="{own.get_absolute_url()}delete/"' in page
            assert f'href="{own.get_absolute_url()}flag/"' not in page
            assert f'href="{other.get_absolute_url()}edit/"' not in page
            assert f'href="{other.get_absolute_url()}flag/"' in page


def test_members_who_may_not_take_part_get_no_reply_links_whoever_reads_first(client):
    question = make_review().questions.first()
    comment = make_comment(question=question, body="Open to replies.")
    participant, unverified = make_user(), make_user(verified=False)
    reply_link = f'href="{comment.get_absolute_url()}reply/"'
    for url in pages(question):
        for member, sees_link in [(participant, True), (unverified, False)] * 2:
            page = read(client, member, url)
            assert "Open to replies." in page
            assert (reply_link in page) is sees_link


def test_an_edit_reaches_the_next_member_view(client):
    question = make_review().questions.first()
    comment = make_comment(question=question, body="First wording.")
    member = make_user()
    for url in pages(question):
        assert "First wording." in read(client, member, url)
    comment.edit("Second wording.")
    for url in pages(question):
        page = read(client, member, url)
        assert "Second wording." in page
        assert "First wording." not in page


def test_moderators_see_hidden_text_after_members_read_the_threads(client):
    from tests.comments.test_queries import make_reader

    question = make_review().questions.first()
    comment = make_comment(question=question, body="Text under review.")
    comment.hide(by=make_user(), reason="spam")
    member, moderator = make_user(), make_reader("moderator")
    for url in pages(question):
        assert "Text under review." not in read(client, member, url)
        assert "Text under review." in read(client, moderator, url)
        assert "Text under review." not in read(client, member, url)
