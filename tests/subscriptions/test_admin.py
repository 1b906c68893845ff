import pytest
from django.utils import timezone

from subscriptions.models import Subscriber
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers():
    member = make_user(display_name="Morgan Member", email="morgan@example.org")
    return (
        Subscriber.objects.create(
            email="morgan@example.org",
            member=member,
            confirmed_at=timezone.now(),
        ),
        Subscriber.objects.create(email="pending@example.org"),
    )


def test_admin_lists_subscribers_with_member_and_confirmation(client, subscribers):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get("/admin/subscriptions/subscriber/")
    page = response.content.decode()
    assert list(response.context["cl"].result_list) == list(reversed(subscribers))
    assert "morgan@example.org" in page and "Morgan Member" in page
    assert "pending@example.org" in page
    assert 'alt="True"' in page and 'alt="False"' in page
    confirmed_only = client.get("/admin/subscriptions/subscriber/?confirmed_at__isempty=0")
    assert list(confirmed_only.context["cl"].result_list) == [subscribers[0]]


def test_admin_cannot_add_or_edit_subscribers(client, subscribers):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/subscriptions/subscriber/add/").status_code == 403
    pending = subscribers[1]
    client.post(
        f"/admin/subscriptions/subscriber/{pending.pk}/change/",
        {"email": "other@example.org", "confirmed_at": "2026-01-01"},
    )
    pending.refresh_from_db()
    assert (pending.email, pending.confirmed_at) == ("pending@example.org", None)


def test_editors_without_the_permission_cannot_see_subscribers(client, subscribers):
    client.force_login(make_user(editor=True))
    assert client.get("/admin/subscriptions/subscriber/").status_code == 403
