"""Role badges beside comment authors: Guest reviewer, Editor, Moderator; one each."""

import re

import pytest
from django.contrib.auth.models import Group

from comments.models import QuestionFollow
from tests.factories import make_comment, make_contributor, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def badges(page: str) -> dict[str, str]:
    """Each card's author with the badge after their name ("" for none)."""
    cards = re.findall(
        r'<span class="comment__author">([^<]+)</span>'
        r'(?: <span class="badge badge--role">([^<]+)</span>)?',
        page,
    )
    return dict(cards)


@pytest.fixture
def amara():
    return make_user(display_name="Amara Okafor")


@pytest.fixture
def review(amara):
    return make_review(title="Evidence in practice", reviewer=make_contributor(user=amara))


def test_each_author_carries_one_badge_the_guest_reviewers_first(client, review, amara):
    question = review.questions.first()
    editor = make_user(display_name="Eddie Editor", editor=True)
    moderator = make_user(display_name="Mo Moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    both = make_user(display_name="Both Roles", editor=True)
    both.groups.add(Group.objects.get(name="Moderators"))
    amara.groups.add(Group.objects.get(name="Editors"))
    for author in (amara, editor, moderator, both, make_user(display_name="Plain Member")):
        make_comment(question=question, author=author)
    expected = {
        "Amara Okafor": "Guest reviewer",
        "Eddie Editor": "Editor",
        "Mo Moderator": "Moderator",
        "Both Roles": "Editor",
        "Plain Member": "",
    }
    assert badges(client.get(review.get_absolute_url()).content.decode()) == expected
    client.force_login(make_user())
    assert badges(client.get(f"/reviews/{review.slug}/questions/1/").content.decode()) == expected


def test_the_guest_reviewer_has_no_badge_on_another_review(client, amara):
    other = make_review()
    make_comment(question=other.questions.first(), author=amara)
    assert badges(client.get(other.get_absolute_url()).content.decode()) == {"Amara Okafor": ""}


def test_a_badge_follows_a_change_of_reviewer_or_group_at_once(client, review, amara):
    question = review.questions.first()
    member = make_user(display_name="Ben Broker")
    make_comment(question=question, author=amara)
    make_comment(question=question, author=member)
    client.force_login(make_user())
    url = f"/reviews/{review.slug}/questions/1/"
    assert badges(client.get(url).content.decode()) == {"Amara Okafor": "Guest reviewer",
                                                        "Ben Broker": ""}  # fmt: skip
    # Cards now come from the cache: a change of role must still show.
    reviewer = review.reviewer
    reviewer.user = member
    reviewer.save()
    assert badges(client.get(url).content.decode()) == {"Amara Okafor": "",
                                                        "Ben Broker": "Guest reviewer"}  # fmt: skip
    amara.groups.add(Group.objects.get(name="Moderators"))
    assert badges(client.get(url).content.decode())["Amara Okafor"] == "Moderator"
    Group.objects.get(name="Moderators").user_set.remove(amara)
    assert badges(client.get(url).content.decode())["Amara Okafor"] == ""


def test_reply_and_follow_emails_name_the_authors_role(client, review, amara, mailoutbox):
    question = review.questions.first()
    parent = make_comment(question=question, author=make_user(email="parent@example.org"))
    follower = make_user(email="follower@example.org")
    QuestionFollow.objects.create(question=question, member=follower)
    client.force_login(amara)
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": question.pk, "parent": parent.pk, "body": "Thanks for asking."},
    )
    run_tasks()
    by_recipient = {email.to[0]: email for email in mailoutbox}
    reply = by_recipient["parent@example.org"]
    assert reply.subject == (
        "Amara Okafor (Guest reviewer) replied to your comment on “Evidence in practice”"
    )
    assert "Amara Okafor (Guest reviewer) replied to your comment on" in reply.body
    follow = by_recipient["follower@example.org"]
    assert follow.subject == (
        "Amara Okafor (Guest reviewer) commented on a question you follow: “Evidence in practice”"
    )
    assert "Amara Okafor (Guest reviewer) commented on a question you follow in" in follow.body


def test_a_plain_members_emails_carry_no_role(client, review, mailoutbox):
    question = review.questions.first()
    parent = make_comment(question=question, author=make_user(email="parent@example.org"))
    client.force_login(make_user(display_name="Ben Broker"))
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": question.pk, "parent": parent.pk, "body": "Agreed."},
    )
    run_tasks()
    (reply,) = [email for email in mailoutbox if email.to == ["parent@example.org"]]
    assert reply.subject == "Ben Broker replied to your comment on “Evidence in practice”"


@pytest.mark.parametrize("change", ["rename", "delete"])
def test_renaming_or_deleting_the_editors_group_removes_the_badge(client, review, change):
    editor = make_user(display_name="Eddie Editor", editor=True)
    make_comment(question=review.questions.first(), author=editor)
    client.force_login(make_user())
    url = f"/reviews/{review.slug}/questions/1/"
    assert badges(client.get(url).content.decode()) == {"Eddie Editor": "Editor"}
    # Cards now come from the cache: the group's change must still show.
    editors = Group.objects.get(name="Editors")
    if change == "rename":
        editors.name = "Former editors"
        editors.save()
    else:
        editors.delete()
    assert badges(client.get(url).content.decode()) == {"Eddie Editor": ""}
