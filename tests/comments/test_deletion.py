"""No dead ends around one comment: after deleting it, after following a link to a deleted
comment, and after posting one (the confirmation shows beside it)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils.timezone import localtime

from comments.models import Comment, HideReason
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

POSTED = "Your comment is posted."
DELETED_NOTE = "This comment was deleted by its author."


@pytest.fixture
def review():
    return make_review(questions=2)


@pytest.fixture
def member(client):
    user = make_user(display_name="Ada Broker")
    client.force_login(user)
    return user


def top_messages(html: str) -> list[str]:
    box = re.search(r'<div class="messages" role="status">(.*?)</div>', html, flags=re.S)
    return re.findall(r'<p class="message[^"]*">(.*?)</p>', box.group(1)) if box else []


def notice_after(html: str, comment: Comment) -> list[str]:
    """The messages shown just after the comment's card."""
    card_end = html.index("</article>", html.index(f'<article id="{comment.anchor}"'))
    after = html[card_end + len("</article>") :]
    box = re.match(r'<div class="comment-notice" role="status">(.*?)</div>', after, flags=re.S)
    return re.findall(r'<p class="message[^"]*">(.*?)</p>', box.group(1)) if box else []


def notice_under_question(html: str, number: int) -> list[str]:
    """The messages shown just after the question's text."""
    start = html.index(f'<li id="question-{number}"')
    text_end = html.index("</div>", html.index('class="question__text', start)) + len("</div>")
    after = html[text_end:].lstrip()
    box = re.match(r'<div class="comment-notice" role="status">(.*?)</div>', after, flags=re.S)
    return re.findall(r'<p class="message[^"]*">(.*?)</p>', box.group(1)) if box else []


# Deleting


def test_deleting_a_comment_with_replies_returns_to_its_placeholder(client, review, member):
    comment = make_comment(question=review.questions.first(), author=member, body="Mine.")
    reply = make_comment(parent=comment, body="A reply to it.")
    response = client.post(f"/comments/{comment.pk}/delete/")
    assert response["Location"] == f"{review.get_absolute_url()}#{comment.anchor}"
    page = client.get(response["Location"]).content.decode()
    assert DELETED_NOTE in page  # the placeholder, holding the reply in place
    assert "A reply to it." in page and reply.anchor in page
    assert notice_after(page, comment) == ["Your comment is deleted."]
    assert top_messages(page) == []


def test_deleting_a_reply_without_replies_returns_to_the_comment_it_answered(
    client, review, member
):
    parent = make_comment(question=review.questions.first(), body="The first word.")
    reply = make_comment(parent=parent, author=member, body="My reply.")
    response = client.post(f"/comments/{reply.pk}/delete/")
    assert response["Location"] == f"{review.get_absolute_url()}#{parent.anchor}"
    page = client.get(response["Location"]).content.decode()
    assert "My reply." not in page and reply.anchor not in page
    assert notice_after(page, parent) == ["Your comment is deleted."]
    assert Comment.objects.get(pk=reply.pk).is_deleted


def test_deleting_a_lone_comment_returns_to_its_question(client, review, member):
    second = review.questions.all()[1]
    comment = make_comment(question=second, author=member, body="Alone.")
    response = client.post(f"/comments/{comment.pk}/delete/")
    assert response["Location"] == f"{review.get_absolute_url()}#question-2"
    page = client.get(response["Location"]).content.decode()
    assert notice_under_question(page, 2) == ["Your comment is deleted."]
    assert notice_under_question(page, 1) == []
    assert top_messages(page) == []
    assert "Alone." not in page


def test_deleting_under_a_deleted_parent_returns_to_the_nearest_comment_shown(
    client, review, member
):
    top = make_comment(question=review.questions.first(), body="Top.")
    middle = make_comment(parent=top, body="Middle.")
    mine = make_comment(parent=middle, author=member, body="Mine, below.")
    middle.delete_by_author()
    response = client.post(f"/comments/{mine.pk}/delete/")
    assert response["Location"] == f"{review.get_absolute_url()}#{top.anchor}"


# Following a link to a deleted comment


@pytest.mark.parametrize("signed_in", [False, True])
def test_permalink_of_a_deleted_comment_with_replies_leads_to_its_placeholder(
    client, review, signed_in
):
    if signed_in:
        client.force_login(make_user())
    comment = make_comment(question=review.questions.first(), body="Withdrawn words.")
    make_comment(parent=comment, body="Still here.")
    comment.delete_by_author()
    response = client.get(f"/comments/{comment.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#{comment.anchor}"
    page = client.get(response["Location"]).content.decode()
    assert notice_after(page, comment) == [DELETED_NOTE]
    assert "Withdrawn words." not in page


def test_permalink_of_a_deleted_reply_leads_to_the_comment_it_answered(client, review):
    parent = make_comment(question=review.questions.first())
    reply = make_comment(parent=parent, body="Withdrawn words.")
    reply.delete_by_author()
    response = client.get(f"/comments/{reply.pk}/")
    assert response["Location"] == f"{review.get_absolute_url()}#{parent.anchor}"
    page = client.get(response["Location"]).content.decode()
    assert notice_after(page, parent) == [DELETED_NOTE]
    assert "Withdrawn words." not in page


def test_permalink_of_a_deleted_lone_comment_leads_to_its_question(client, review):
    comment = make_comment(question=review.questions.all()[1], body="Withdrawn words.")
    comment.delete_by_author()
    response = client.get(f"/comments/{comment.pk}/")
    assert response["Location"] == f"{review.get_absolute_url()}#question-2"
    page = client.get(response["Location"]).content.decode()
    assert notice_under_question(page, 2) == [DELETED_NOTE]
    assert top_messages(page) == []
    assert "Withdrawn words." not in page


def test_permalinks_reveal_nothing_of_hidden_or_never_approved_comments(client, review):
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    hidden = make_comment(question=review.questions.first(), body="Secret hidden words.")
    hidden.hide(by=moderator, reason=HideReason.SPAM)
    hidden.delete_by_author()
    pending = make_comment(question=review.questions.first(), body="Secret pending words.")
    pending.approved = False
    pending.save()
    pending.delete_by_author()
    assert client.get(f"/comments/{pending.pk}/").status_code == 404
    page = client.get(f"/comments/{hidden.pk}/", follow=True).content.decode()
    assert "Secret" not in page
    unpublished = make_comment(question=make_review(published=False).questions.first())
    unpublished.delete_by_author()
    assert client.get(f"/comments/{unpublished.pk}/").status_code == 404


# The confirmation after posting


def post(client, review, question, body, parent=None):
    data = {"question": question.pk, "body": body, **({"parent": parent.pk} if parent else {})}
    return client.post(f"/reviews/{review.slug}/comments/", data)


def test_the_posted_confirmation_shows_beside_the_new_comment(client, review, member):
    make_comment(question=review.questions.first(), author=member)  # not their first
    question = review.questions.all()[1]
    response = post(client, review, question, "Fresh words.")
    comment = Comment.objects.get(body="Fresh words.")
    assert response["Location"].endswith(f"#{comment.anchor}")
    page = client.get(response["Location"]).content.decode()
    assert notice_after(page, comment) == [POSTED]
    assert top_messages(page) == []
    assert page.count(POSTED) == 1
    # The next page, and the same conversation for another reader, carry no notice.
    assert POSTED not in client.get(response["Location"]).content.decode()
    client.force_login(make_user())
    assert POSTED not in client.get(review.get_absolute_url()).content.decode()


def test_the_confirmation_of_a_reply_shows_beside_it_on_the_question_page(
    client, review, member, settings
):
    settings.COMMENTS_THREADS_ON_REVIEW_PAGE = 1
    make_comment(question=review.questions.first(), author=member)
    question = review.questions.all()[1]
    make_comment(question=question)
    parent = make_comment(question=question)  # the second conversation: off the review page
    response = post(client, review, question, "A reply, posted.", parent=parent)
    reply = Comment.objects.get(body="A reply, posted.")
    assert not response["Location"].startswith(review.get_absolute_url())
    page = client.get(response["Location"]).content.decode()
    assert notice_after(page, reply) == [POSTED]
    assert top_messages(page) == []


def test_a_first_comment_awaiting_approval_says_so_beside_it(client, review, settings):
    settings.COMMENTS_PREMODERATION = True
    client.force_login(make_user())
    response = post(client, review, review.questions.first(), "My very first.")
    comment = Comment.objects.get(body="My very first.")
    assert not comment.approved
    page = client.get(response["Location"]).content.decode()
    assert notice_after(page, comment) == [
        "Thanks! As this is your first comment, a moderator will approve it before others see it."
    ]
    assert top_messages(page) == []


def test_the_confirmation_goes_to_the_top_when_the_page_does_not_show_the_comment(
    client, review, member
):
    make_comment(question=review.questions.first(), author=member)
    response = post(client, review, review.questions.first(), "Soon gone.")
    Comment.objects.filter(body="Soon gone.").delete()
    page = client.get(response["Location"]).content.decode()
    assert top_messages(page) == [POSTED]


# Flagging


FLAGGED = "Thank you: the moderators will look at this comment."


def test_the_flag_confirmation_shows_beside_the_flagged_comment(client, review, member):
    comment = make_comment(question=review.questions.first(), body="Rude words.")
    response = client.post(
        f"/comments/{comment.pk}/flag/", {"reason": "disrespectful"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{review.get_absolute_url()}#{comment.anchor}"
    page = response.content.decode()
    assert notice_after(page, comment) == [FLAGGED]
    assert top_messages(page) == []


def test_the_flag_page_says_when_the_member_flagged_it_and_takes_no_second_flag(
    client, review, member
):
    comment = make_comment(question=review.questions.first(), body="Rude words.")
    client.post(f"/comments/{comment.pk}/flag/", {"reason": "disrespectful"})
    flag = comment.flags.get()
    page = client.get(f"/comments/{comment.pk}/flag/").content.decode()
    assert f"You flagged this comment on {localtime(flag.created_at):%-d %B %Y}." in page
    assert 'name="reason"' not in page
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert "You flagged this comment on" in response.content.decode()
    assert list(comment.flags.values_list("reason", flat=True)) == ["disrespectful"]
