"""The Content-Security-Policy names ORCID only on the page whose form goes on to ORCID, and
that page exists only when ORCID sign-in is configured (environment or admin)."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site

pytestmark = pytest.mark.django_db

SITE_ONLY = ["form-action 'self'"]
ON_TO_ORCID = ["form-action 'self' https://orcid.org"]
PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


def form_action(response) -> list[str]:
    policy = response["Content-Security-Policy"].split("; ")
    return [directive for directive in policy if directive.startswith("form-action")]


@pytest.fixture
def orcid_from_the_environment(settings):
    # What settings.py builds from ORCID_CLIENT_ID and ORCID_SECRET.
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            "BASE_DOMAIN": "orcid.org",
            "MEMBER_API": False,
            "APPS": [{"client_id": "id-123", "secret": "s3cret", "key": ""}],
        }
    }


@pytest.fixture
def orcid_from_the_admin():
    app = SocialApp.objects.create(provider="orcid", name="ORCID", client_id="id", secret="s")
    # With the sites framework installed, an app configured in the admin names its site.
    app.sites.add(Site.objects.get_current())


@pytest.fixture
def orcid_from_the_admin_without_its_site():
    # An app added in the admin without ticking the site works all the same: there is one.
    SocialApp.objects.create(provider="orcid", name="ORCID", client_id="id", secret="s")


def test_without_orcid_no_page_names_it_and_its_sign_in_page_is_not_found(client):
    for url in PAGES:
        assert form_action(client.get(url)) == SITE_ONLY, url
    missing = client.get("/accounts/orcid/login/?process=login")
    assert missing.status_code == 404
    assert form_action(missing) == SITE_ONLY


@pytest.mark.parametrize(
    "configured",
    ["orcid_from_the_environment", "orcid_from_the_admin", "orcid_from_the_admin_without_its_site"],
)
def test_with_orcid_only_its_sign_in_page_names_it(client, request, configured):
    request.getfixturevalue(configured)
    for url in PAGES:
        assert form_action(client.get(url)) == SITE_ONLY, url
    page = client.get("/accounts/orcid/login/?process=login")
    assert page.status_code == 200
    assert form_action(page) == ON_TO_ORCID
    # The rest of the policy is the site's.
    assert (
        page["Content-Security-Policy"].replace(" https://orcid.org", "")
        == client.get("/")["Content-Security-Policy"]
    )
    onward = client.post("/accounts/orcid/login/?process=login")
    assert onward["Location"].startswith("https://orcid.org/oauth/authorize?")
    # ORCID's return without the state it was sent is refused, not a server error.
    assert client.get("/accounts/orcid/login/callback/?code=x&state=y").status_code < 500
