"""The community guidelines: a flat page that editors keep in the admin."""

import pytest
from django.contrib.flatpages.models import FlatPage

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_editors_change_the_guidelines_in_the_admin(client):
    client.force_login(make_user(editor=True))
    listing = client.get("/admin/flatpages/flatpage/")
    assert listing.status_code == 200
    guidelines = FlatPage.objects.get(url="/guidelines/")
    assert "Community guidelines" in listing.content.decode()
    change_url = f"/admin/flatpages/flatpage/{guidelines.pk}/change/"
    assert client.get(change_url).status_code == 200
    response = client.post(
        change_url,
        {
            "url": "/guidelines/",
            "title": "Community guidelines",
            "content": "Be kind and cite your sources.",
            "sites": [guidelines.sites.get().pk],
            "template_name": "",
        },
    )
    assert response.status_code == 302
    guidelines.refresh_from_db()
    assert guidelines.content == "Be kind and cite your sources."
    assert "Be kind and cite your sources." in client.get("/guidelines/").content.decode()


def test_members_cannot_open_the_flat_pages_admin(client):
    client.force_login(make_user())
    assert client.get("/admin/flatpages/flatpage/").status_code == 302


def test_the_guidelines_title_is_escaped(client):
    guidelines = FlatPage.objects.get(url="/guidelines/")
    guidelines.title = "Rules <script>alert(1)</script>"
    guidelines.save()
    page = client.get("/guidelines/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<h1>Rules &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "<title>Rules &lt;script&gt;alert(1)&lt;/script&gt; · " in page
