"""An editor downloads a review's discussion from the review page."""

import csv
import io
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_comment, make_review, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT = "Brokers in our network read this article in a journal club, with mixed feelings."


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    sign_out = page.locator(".site-header").get_by_role("button", name="Sign out")
    assert sign_out.count() == 1, page.locator("main").inner_text()


def test_editor_downloads_the_discussion_as_csv(live_server, page):
    review = make_review(title="A review to export", slug="a-review-to-export")
    comment = make_comment(
        question=review.questions.first(),
        author=make_user(display_name="Casey Commenter"),
        body=COMMENT,
    )
    editor = make_user(editor=True)

    sign_in(page, live_server.url, editor.email)
    page.goto(live_server.url + review.get_absolute_url())
    links = page.locator("p.export-links")
    assert links.inner_text() == "Download the discussion: Markdown · CSV · JSON"
    with page.expect_download() as download_info:
        links.get_by_role("link", name="CSV").click()
    download = download_info.value

    assert download.suggested_filename == "a-review-to-export-discussion.csv"
    saved = Path(download.path()).read_bytes()
    assert saved.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs
    rows = list(csv.DictReader(io.StringIO(saved.decode("utf-8-sig"))))
    assert [(row["id"], row["author"], row["text"]) for row in rows] == [
        (str(comment.pk), "Casey Commenter", COMMENT)
    ]
    assert page.console_errors == []
