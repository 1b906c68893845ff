"""axe-core checks of the main pages, signed out and signed in: no serious or critical
violations.

Signed out, /accounts/profile/ redirects to the sign-in page; signed in, /accounts/login/ and
/accounts/signup/ redirect to the home page. Either way the page the reader lands on is checked.
"""

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PATH = "/reviews/implementation-research-out-of-step-with-practice/"
PAGES = {
    "home": "/",
    "review": DEMO_PATH,
    "question": f"{DEMO_PATH}questions/1/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "profile": "/accounts/profile/",
}
BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "a-long-test-passphrase-42"


def sign_in_verified_member(page, base_url: str) -> None:
    email = "axe@example.org"
    user = get_user_model().objects.create_user(
        username="axe", email=email, password=PASSWORD, display_name="Axe Tester"
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".site-header").get_by_role("button", name="Sign out").count() == 1


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        target = nodes[0]["target"] if nodes else "?"
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}; "
            f"{len(nodes)} node(s), first: {target}"
            + (f"\n    {nodes[0]['failureSummary']}" if nodes else "")
            + f"\n    {violation['helpUrl']}"
        )
    return "\n".join(lines)


def assert_no_serious_violations(page) -> None:
    violations = [
        violation
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_serious_accessibility_violations(live_server, page, path, signed_in):
    call_command("load_demo")
    if signed_in:
        sign_in_verified_member(page, live_server.url)
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    assert_no_serious_violations(page)


def test_inline_reply_form_has_no_serious_accessibility_violations(live_server, page):
    call_command("load_demo")
    sign_in_verified_member(page, live_server.url)
    page.goto(live_server.url + DEMO_PATH)
    page.locator("#question-2 a.comment__reply").first.click()
    page.locator("#question-2 form.comment-form--reply").wait_for()
    assert_no_serious_violations(page)


def test_reply_page_has_no_serious_accessibility_violations(live_server, page):
    call_command("load_demo")
    sign_in_verified_member(page, live_server.url)
    comment = Comment.objects.filter(parent=None).first()
    page.goto(f"{live_server.url}/comments/{comment.pk}/reply/")
    assert page.locator("main textarea[name=body]").count() == 1
    assert_no_serious_violations(page)
