"""A sample of the XSS corpus, posted through the real form in a real browser: no dialog
opens and the Content-Security-Policy reports nothing."""

import json
from pathlib import Path

import pytest

from comments.models import Comment
from tests.factories import PASSWORD, make_review, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VECTORS = json.loads((Path(__file__).parent.parent / "security" / "xss_vectors.json").read_text())
SAMPLE = VECTORS[::12]  # every family of the corpus is represented


def test_posted_vectors_never_run(live_server, page, settings):
    settings.COMMENTS_PER_MINUTE = 1000
    review = make_review(questions=1)
    member = make_user()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    for vector in SAMPLE:
        page.goto(live_server.url + review.get_absolute_url())
        page.fill("#question-1 textarea[name=body]", vector)
        page.click("#question-1 button:has-text('Post comment')")
        page.wait_for_load_state()
    assert Comment.objects.count() >= len(SAMPLE) - 2
    page.goto(live_server.url + review.get_absolute_url())
    page.wait_for_timeout(500)  # give any injected handler the chance to fire
    page.mouse.move(200, 300)
    assert dialogs == []
    csp = [str(e) for e in page.console_errors if "Content Security Policy" in str(e)]
    assert csp == []
    assert page.console_errors == []
