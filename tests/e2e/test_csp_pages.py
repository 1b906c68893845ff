"""Every kind of page works under the Content-Security-Policy in a real browser: the admin's
(including the review form with its inlines), allauth's and the moderators'."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/reviews/implementation-research-out-of-step-with-practice/",
    "/reviews/implementation-research-out-of-step-with-practice/questions/2/",
    "/moderation/",
    "/moderation/log/",
    "/accounts/profile/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/sessions/",
    "/admin/",
    "/admin/posts/review/",
    "/admin/posts/review/add/",
    "/admin/comments/comment/",
]


def test_pages_raise_no_csp_violation(live_server, page):
    call_command("load_demo")
    superuser = make_user(is_staff=True, is_superuser=True)
    superuser.groups.add(Group.objects.get(name="Moderators"))
    for url in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        page.goto(live_server.url + url)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", superuser.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for url in PAGES:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
    # The admin's inline formsets are built by its scripts: adding a row must work.
    page.goto(f"{live_server.url}/admin/posts/review/add/")
    page.get_by_role("button", name="Add another Question for brokers").click()
    assert page.locator("#questions-group tr.form-row:not(.empty-form)").count() >= 2
    assert page.console_errors == []
