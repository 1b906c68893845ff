"""The moderation log in a real browser, in French: on a screen too narrow for the table, no word
is cut in two (« Moderato / r »): the table scrolls sideways in its wrapper; on a phone each line
of an entry starts with its label, colon included in the translation (« Quand : »)."""

import pytest
from django.contrib.auth.models import Group

from comments.models import HideReason
from tests.e2e.journeys import PHONE
from tests.factories import PASSWORD, make_comment, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"

# For each cell of the log, the words that the browser lays out on more than one line.
CUT_WORDS = """() => {
  const cut = [];
  for (const cell of document.querySelectorAll(".log-table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (lines.size > 1) cut.push(match[0]);
      }
    }
  }
  return cut;
}"""


def test_the_log_breaks_no_word_and_labels_its_lines_in_french(live_server, page):
    moderator = make_user(display_name="Morgan Moderator", email="morgan@example.org")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    author = make_user(display_name="Dominique Administratrice")
    for _ in range(3):
        make_comment(author=author).hide(
            by=moderator,
            reason=HideReason.PERSONAL_INFORMATION,
            note="Renseignements personnels retirés conformément aux lignes directrices.",
        )
    page.goto(f"{live_server.url}/fr/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(moderator.email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Just wider than a phone: the table is wider than the window.
    page.set_viewport_size({"width": 700, "height": 800})
    page.goto(f"{live_server.url}/fr/moderation/log/")
    assert page.evaluate(CUT_WORDS) == []
    wrapper = page.locator(".table-wrap")
    assert wrapper.evaluate("element => element.scrollWidth > element.clientWidth")
    # The wrapper scrolls, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 700

    page.set_viewport_size(PHONE)
    when = page.locator(".log-table tbody tr").first.locator("td").first
    label = when.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == f'"Quand{NBSP}: "'
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
