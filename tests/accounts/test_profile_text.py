import pytest

from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


def test_profile_says_what_other_members_see_beside_comments(client):
    member = make_user(display_name="Ada Broker", affiliation="Health Trust", role="broker")
    comment = make_comment(author=member)
    client.force_login(member)
    profile = client.get("/accounts/profile/").content.decode()
    assert "Other members see your display name and affiliation beside your comments." in profile
    assert "affiliation and role" not in profile
    thread = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Ada Broker" in thread and "Health Trust" in thread
    assert member.get_role_display() not in thread
