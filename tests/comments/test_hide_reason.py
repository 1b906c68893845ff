"""The hide form preselects the reason members flagged the comment for most, else none."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from comments.models import Comment, Flag
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


def selected_reasons(html: str) -> list[str]:
    select = re.search(r'<select name="reason".*?</select>', html, flags=re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)


@pytest.fixture
def moderator(client):
    user = make_user(display_name="Mo Derator")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return user


def test_no_reason_is_preselected_without_flags(client, moderator):
    comment = make_comment()
    page = client.get(f"/comments/{comment.pk}/hide/").content.decode()
    assert selected_reasons(page) == [""]
    assert '<option value="" selected>Choose a reason</option>' in page


def test_the_reason_flagged_most_is_preselected(client, moderator):
    comment = make_comment()
    Flag.objects.create(comment=comment, flagger=make_user(), reason="spam")
    Flag.objects.create(comment=comment, flagger=make_user(), reason="disrespectful")
    Flag.objects.create(comment=comment, flagger=make_user(), reason="disrespectful")
    Flag.objects.create(
        comment=comment, flagger=make_user(), reason="off_topic", resolved_at=timezone.now()
    )
    Flag.objects.create(
        comment=comment, flagger=make_user(), reason="off_topic", resolved_at=timezone.now()
    )
    page = client.get(f"/comments/{comment.pk}/hide/").content.decode()
    assert selected_reasons(page) == ["disrespectful"]


def test_hiding_without_a_reason_says_so_and_hides_nothing(client, moderator):
    comment = make_comment()
    response = client.post(f"/comments/{comment.pk}/hide/", {"reason": "", "note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose why you hide this comment." in page
    assert page.index('name="reason"') < page.index("Choose why you hide this comment.")
    assert not Comment.objects.get(pk=comment.pk).is_hidden
