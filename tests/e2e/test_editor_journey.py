"""In a real browser, from a fresh start: an editor without an authenticator asks for the
admin, signs in, sets up two-factor authentication (the QR code drawn), keeps the recovery
codes and arrives at the page asked for; adds an article with "Fill in from DOI" (Crossref
faked in this process, which also runs the live server), writes a review with a live
preview, dates it in the future, publishes it with the action and sees it listed as
scheduled, while readers still get "not found". Every page passes axe-core; with
SCREENSHOT_DIR set (`make screenshot`), each is photographed as
editor-<nn>-<step>-desktop/phone.png."""

import json
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from posts import crossref
from posts.models import Article, Review
from tests.e2e.journeys import DESKTOP, Journey
from tests.factories import PASSWORD, make_contributor, make_review, make_series, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORDED = Path(__file__).parents[1] / "posts" / "crossref" / "10.1186_1748-5908-4-50.json"
CFIR_DOI = "10.1186/1748-5908-4-50"


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def choose(page, field: str, text: str) -> None:
    """Picks `text` in one of the admin's autocomplete (select2) fields."""
    page.locator(f"#id_{field} + .select2").click()
    page.locator(".select2-dropdown .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_editor_sets_up_two_factor_adds_an_article_from_its_doi_and_schedules_a_review(
    live_server, page, settings, monkeypatch
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.TIME_ZONE = "America/Toronto"
    monkeypatch.setattr(crossref, "fetch", lambda doi: json.loads(RECORDED.read_text()))
    editor = make_user(editor=True, display_name="Eden Editor")
    make_series(name="Implementation in practice")
    make_contributor(name="Joann Cattlin")
    make_review(
        title="Knowledge brokering in public health: what the evidence says about roles, "
        "skills and outcomes",
        series=make_series(name="Knowledge brokering across sectors and countries"),
    )
    step = Journey("editor").step
    page.set_viewport_size(DESKTOP)
    asked_for = f"{live_server.url}/admin/posts/article/add/"

    # Asking for the admin: sign in, then set up two-factor before going any further.
    page.goto(asked_for)
    assert page.url.startswith(f"{live_server.url}/accounts/login/?next="), page.url
    step(page, "sign-in")
    main = page.locator("main")
    main.get_by_label("Email").fill(editor.email)
    main.get_by_label("Password").fill(PASSWORD)
    submit(page, main.get_by_role("button", name="Sign in", exact=True))
    assert page.url.startswith(f"{live_server.url}/accounts/2fa/totp/activate/"), page.url
    qr = page.get_by_role("img", name="QR code for your authenticator app").locator("svg")
    assert qr.count() == 1 and qr.bounding_box()["width"] >= 150
    step(page, "two-factor")
    page.get_by_text("Can't scan the code?").click()
    secret = page.get_by_label("Setup key").input_value()
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Authenticator code").fill(code)
    submit(page, page.get_by_role("button", name="Activate"))
    assert Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert len(page.get_by_label("Unused codes").input_value().split()) == 10
    step(page, "recovery-codes")
    submit(page, page.get_by_role("link", name="Continue to the page you asked for"))
    assert page.url == asked_for
    step(page, "add-article")

    # The article, from its DOI: the form comes back filled in, and nothing is saved yet.
    page.get_by_label("DOI").fill("https://doi.org/10.1186/1748-5908-4-50")
    submit(page, page.get_by_role("button", name="Fill in from DOI"))
    assert page.locator(".messagelist").inner_text() == (
        "Filled in from Crossref: check the details, then save."
    )
    assert page.locator("#id_title").input_value().startswith("Fostering implementation")
    assert page.locator("#id_authors").input_value().startswith("Damschroder, L. J.")
    assert not Article.objects.filter(doi=CFIR_DOI).exists()
    step(page, "article-from-doi")
    submit(page, page.locator("input[name=_save]").first)
    article = Article.objects.get(doi=CFIR_DOI)
    assert (article.journal, article.year, article.pages) == ("Implementation Science", 2009, "50")
    step(page, "article-saved")

    # The review, previewed as it is written, dated 3 December 2036 at 9 in the morning.
    page.goto(f"{live_server.url}/admin/posts/review/add/")
    page.get_by_label("Title:").fill("A framework for implementation")
    choose(page, "series", "Implementation in practice")
    choose(page, "article", "Damschroder")
    choose(page, "reviewer", "Joann Cattlin")
    page.locator("#id_commentary").fill(
        "Read it at https://example.org/cfir.\n\n![A chart](chart.png)"
    )
    preview = page.locator("#id_commentary + .markdown-preview")
    link = preview.get_by_role("link", name="https://example.org/cfir")
    link.wait_for()
    assert link.get_attribute("href") == "https://example.org/cfir"
    assert preview.locator(".markdown-preview__warning").inner_text() == (
        "The commentary contains an image, which the site does not show."
    )
    page.locator("#id_findings-0-text").fill("Context matters.")
    page.locator("#id_questions-0-text").fill("Which constructs do you use?")
    page.locator("#questions-group .add-row a").click()
    assert page.locator("#id_questions-1-position").input_value() == "2"
    page.locator("#id_questions-1-text").fill("What would you leave out?")
    page.locator("#id_published_at_0").fill("2036-12-03")
    page.locator("#id_published_at_1").fill("09:00:00")
    # The topics field's search box is Select2's, which Django's admin bundles and which
    # leaves it without a name (axe: "label"); nothing in our templates renders it.
    select2_search = {"label": ".select2-search__field"}
    step(page, "review-preview", allow=select2_search)
    submit(page, page.locator("input[name=_save]").first)
    review = Review.objects.get(title="A framework for implementation")
    assert [q.position for q in review.questions.all()] == [1, 2]
    assert review.status == Review.Status.DRAFT
    step(page, "review-saved")

    # Publishing it schedules it, and the list says so.
    page.locator("tr", has_text="A framework for implementation").get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("publish")
    submit(page, page.get_by_role("button", name="Run"))
    assert "Scheduled 1 review for 3 Dec 2036, 09:00 EST: readers see it from then." in (
        page.locator(".messagelist").inner_text()
    )
    row = page.locator("tr", has_text="A framework for implementation")
    status = row.locator("td.field-publication").inner_text()
    assert status == "Scheduled for 3 Dec 2036, 09:00 EST"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], f"the page is {width}px wide"
    # The list scrolls sideways inside its box when too wide: it must not need to.
    results = page.locator("#changelist .results")
    overflow = results.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow == 0, f"the review list is cut off by {overflow}px"
    step(page, "scheduled")

    # The change page says where it will be; readers get "not found" until then.
    page.get_by_role("link", name="A framework for implementation").click()
    assert (
        "Scheduled for 3 Dec 2036, 09:00 EST." in page.locator(".review-whereabouts").inner_text()
    )
    step(page, "scheduled-review", allow=select2_search)
    assert page.console_errors == []
    reader = page.context.browser.new_page()
    assert reader.goto(f"{live_server.url}{review.get_absolute_url()}").status == 404
    reader.close()
