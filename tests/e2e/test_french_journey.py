"""A French-speaking knowledge broker's journey in a real browser, from a fresh start: they
open the home page in English, switch to French with the header's switcher, open the French
version of a review, sign up from its question 2 (allauth in French), verify their address
from the email, and comment there in French. The English version shows that same comment
under its question 2, marked as French; an English-speaking member replies to it from the
English pages, and the French member's reply email is in French, with links to French pages.
Then a moderator hides a flagged comment from the French moderation queue. Every page passes
axe-core (its lang="fr", and lang="en" on English content inside French pages); with
SCREENSHOT_DIR set (`make screenshot`), each is photographed as
francais-<nn>-<step>-desktop/phone.png."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from accounts.models import User
from comments.models import Comment, Flag, FlagOutcome, HideReason
from comments.moderation import flag_comment
from posts.models import Review
from tests.e2e.journeys import DESKTOP, Journey
from tests.factories import PASSWORD, make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FRENCH_MEMBER = "camille@example.org"
FRENCH_COMMENT = "Dans notre équipe, les décideurs lisaient d’abord les résumés en langage clair."
ENGLISH_REPLY = "Same here: the plain-language summary was what they read first."
SPAM = "Visit my shop for cheap research credits, best prices in town."
NBSP = "\u00a0"
HIDE_NOTE = "Les publicités n’ont pas leur place dans la discussion."


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def url_in(language: str, obj) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


def make_pair() -> tuple[Review, Review]:
    """A published English review with three questions, and its published French
    translation: the two share one discussion, question n for question n."""
    english = make_review(
        title="Why policymakers use evidence",
        standfirst="What makes research reach the people who decide.",
        background="Policymakers say they want evidence.",
        summary="The authors interviewed forty policymakers.",
        commentary="A useful reminder for knowledge brokers.",
    )
    french = make_review(
        title="Pourquoi les décideurs utilisent les données probantes",
        language="fr",
        translation_of=english,
        series=english.series,
        article=english.article,
        reviewer=english.reviewer,
        standfirst="Ce qui fait que la recherche parvient à ceux qui décident.",
        background="Les décideurs disent vouloir des données probantes.",
        summary="Les auteurs ont interrogé quarante décideurs.",
        commentary="Un rappel utile pour les courtiers de connaissances.",
    )
    texts = {
        english: ["Who asked for the evidence?", "What did they read first?", "What changed?"],
        french: [
            "Qui a demandé les données\u00a0?",
            "Qu’ont-ils lu en premier\u00a0?",
            "Qu’est-ce qui a changé\u00a0?",
        ],
    }
    findings = {
        english: "Trust matters more than format.",
        french: "La confiance compte plus que la forme.",
    }
    for review, questions in texts.items():
        for question, text in zip(review.questions.all(), questions, strict=True):
            question.text = text
            question.save()
        for finding in review.findings.all():
            finding.text = findings[review]
            finding.save()
    return english, french


def test_a_french_speaking_broker_joins_the_discussion_in_french(
    live_server, page, browser, mailoutbox
):
    english, french = make_pair()
    english_question = english.questions.all()[1]
    french_question = french.questions.all()[1]
    base = live_server.url
    step = Journey("francais").step
    page.set_viewport_size(DESKTOP)

    # 1. The home page in English; the header's switcher opens it in French.
    page.goto(base + "/")
    assert html_lang(page) == "en"
    step(page, "accueil-en-anglais")
    page.locator(".site-header").get_by_role("button", name="Français").click()
    page.wait_for_url(base + "/fr/")
    assert html_lang(page) == "fr"
    step(page, "accueil")

    # 2. The French version of the review; question 2's "sign in to comment" link.
    submit(page, page.locator("main").get_by_role("link", name=french.title))
    assert page.url == base + url_in("fr", french)
    assert html_lang(page) == "fr"
    step(page, "recension")
    question_2 = page.locator("#question-2")
    assert "Qu’ont-ils lu en premier\u00a0?" in question_2.inner_text()
    submit(page, question_2.get_by_role("link", name="Connectez-vous pour commenter"))
    assert page.url.startswith(f"{base}/fr/accounts/login/?next=")
    step(page, "connexion")
    submit(page, page.locator("main").get_by_role("link", name="créez-en un"))
    assert page.url.startswith(f"{base}/fr/accounts/signup/?next=")

    form = page.locator("main form")
    form.get_by_label("Nom affiché").fill("Camille Tremblay")
    form.get_by_label("Courriel").fill(FRENCH_MEMBER)
    form.get_by_label("Mot de passe :", exact=True).fill("cheval-correct-agrafe")
    form.get_by_label("Mot de passe (confirmation)").fill("cheval-correct-agrafe")
    step(page, "inscription")
    submit(page, form.get_by_role("button", name="Créer un compte"))
    assert page.url == f"{base}/fr/accounts/confirm-email/"
    step(page, "verifiez-votre-courriel")

    run_tasks()  # the task worker sends the verification email, in French
    [email] = [m for m in mailoutbox if m.to == [FRENCH_MEMBER]]
    link = re.search(r"https?://[^/\s]+(/fr/accounts/confirm-email/\S+)", email.body).group(1)
    page.goto(base + link)
    assert html_lang(page) == "fr"
    step(page, "confirmation")
    submit(page, page.locator("main").get_by_role("button", name="Confirmer"))

    # Signed in, and back at the French question 2's comment form.
    french_question_url = base + url_in("fr", french_question)
    assert page.url.startswith(f"{french_question_url}#comment-form-")
    assert "Camille Tremblay" in page.locator(".messages").inner_text()
    assert page.get_by_role("link", name="Camille Tremblay").count() == 1
    member = User.objects.get(email=FRENCH_MEMBER)
    assert member.language == "fr"  # signed up from French pages
    step(page, "de-retour-a-la-question")
    page.get_by_label("Ajoutez votre commentaire sur la question 2").fill(FRENCH_COMMENT)
    assert page.get_by_label("Écrit en").input_value() == "fr"
    submit(page, page.get_by_role("button", name="Publier le commentaire"))
    comment = Comment.objects.get(author=member)
    assert (comment.question, comment.language) == (english_question, "fr")
    # At the comment, on the French review's page, with the French confirmation.
    assert page.url == f"{base}{url_in('fr', french)}#comment-{comment.pk}"
    card = page.locator(f"#question-2 #comment-{comment.pk}")
    assert FRENCH_COMMENT in card.inner_text()
    assert "Votre commentaire est publié." in page.locator("#question-2").inner_text()
    step(page, "premier-commentaire")

    # 3. The English version shows that same comment under its question 2, marked French.
    submit(page, page.locator("main").get_by_role("link", name="Read in English"))
    # The member chose French: the English review opens with the interface in French, its
    # own text marked as English.
    assert page.url == base + url_in("fr", english)
    assert html_lang(page) == "fr"
    assert page.get_by_role("heading", level=1).get_attribute("lang") == "en"
    card = page.locator(f"#question-2 #comment-{comment.pk}")
    assert card.locator(".badge--language").inner_text() == "FR"
    assert card.locator(".comment__body").get_attribute("lang") == "fr"
    step(page, "version-anglaise")
    page.goto(base + url_in("fr", english_question))
    assert page.locator(".question__text").get_attribute("lang") == "en"
    assert page.locator(".review__series a").get_attribute("lang") == "en"
    card = page.locator(f"#comment-{comment.pk}")
    assert card.locator(".comment__body").get_attribute("lang") == "fr"
    step(page, "question-2-version-anglaise")

    # 4. An English-speaking member replies from the English pages.
    other = browser.new_context()
    english_page = other.new_page()
    english_page.set_viewport_size(DESKTOP)
    robin = make_user(display_name="Robin Reader", email="robin@example.org")
    english_page.goto(f"{base}/accounts/login/?next={url_in('en', english_question)}")
    assert html_lang(english_page) == "en"
    sign_in = english_page.locator("main form")
    sign_in.get_by_label("Email").fill(robin.email)
    sign_in.get_by_label("Password").fill(PASSWORD)
    submit(english_page, sign_in.get_by_role("button", name="Sign in"))
    assert english_page.url == base + url_in("en", english_question)
    assert html_lang(english_page) == "en"
    card = english_page.locator(f"#comment-{comment.pk}")
    assert card.locator(".badge--language").inner_text() == "FR"
    assert card.locator(".comment__body").get_attribute("lang") == "fr"
    step(english_page, "question-en-anglais")
    card.locator("a.comment__reply").click()
    reply_form = english_page.locator("form.comment-form--reply")
    reply_form.wait_for()
    reply_form.locator("textarea[name=body]").fill(ENGLISH_REPLY)
    submit(english_page, reply_form.get_by_role("button", name="Post reply"))
    reply = Comment.objects.get(author=robin)
    assert (reply.parent, reply.language) == (comment, "en")
    step(english_page, "reponse-en-anglais")
    other.close()

    run_tasks()  # the task worker sends the reply email, in the French member's language
    verification, reply_email = [m for m in mailoutbox if m.to == [FRENCH_MEMBER]]
    # Named as the member reads the review: by its French title.
    assert (
        reply_email.subject
        == f"Robin Reader a répondu à votre commentaire sur «{NBSP}{french.title}{NBSP}»"
    )
    assert "Bonjour Camille Tremblay," in reply_email.body
    assert english.title not in reply_email.body and "replied" not in reply_email.body
    assert ENGLISH_REPLY in reply_email.body
    links = re.findall(r"https?://[^/\s]+(/\S*)", reply_email.body)
    assert links and all(link.startswith("/fr/") for link in links), links

    # 5. A moderator hides a flagged comment from the French moderation queue.
    flagged = make_comment(
        question=english_question,
        author=make_user(display_name="Sam Seller", email="sam@example.org"),
        body=SPAM,
    )
    flag_comment(flagged, by=member, reason=HideReason.SPAM, note="Une publicité.", site_url=base)
    moderator = make_user(display_name="Morgan Moderator", email="morgan@example.org")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    # Tests run without the two-factor requirement, as the factories' moderators have no
    # authenticator (tests/e2e/test_two_factor_setup.py covers it).
    moderation = browser.new_context()
    moderator_page = moderation.new_page()
    moderator_page.set_viewport_size(DESKTOP)
    moderator_page.goto(f"{base}/fr/accounts/login/")
    sign_in = moderator_page.locator("main form")
    sign_in.get_by_label("Courriel").fill(moderator.email)
    sign_in.get_by_label("Mot de passe").fill(PASSWORD)
    submit(moderator_page, sign_in.get_by_role("button", name="Connexion"))
    assert moderator_page.url == f"{base}/fr/"  # the home page, in the sign-in page's French
    step(moderator_page, "moderateur-connecte")
    header = moderator_page.locator(".site-header")
    submit(moderator_page, header.get_by_role("link", name="Modération 1 signalement ouvert"))
    assert moderator_page.url == f"{base}/fr/moderation/"
    step(moderator_page, "file-de-moderation")
    flagged_section = moderator_page.locator("section[aria-labelledby=flagged-heading]")
    item = flagged_section.locator(
        ".queue-item", has=moderator_page.locator(f"#comment-{flagged.pk}")
    )
    # The review and question as the French moderator reads them: the French version's.
    context = item.locator(".queue-item__context")
    assert context.get_by_role("link", name=french.title).get_attribute("lang") == "fr"
    assert context.locator("span[lang=fr]").inner_text() == "Qu’ont-ils lu en premier ?"
    assert "Une publicité." in item.inner_text()
    submit(moderator_page, item.get_by_role("link", name=f"Masquer le commentaire {flagged.pk}"))
    moderator_page.get_by_label("Pourquoi le masquer ?").select_option(label="Pourriel")
    moderator_page.get_by_label("Note").fill(HIDE_NOTE)
    step(moderator_page, "masquer")
    submit(moderator_page, moderator_page.get_by_role("button", name="Masquer le commentaire"))
    assert moderator_page.url == f"{base}/fr/moderation/"
    main = moderator_page.locator("main").inner_text()
    assert "Le commentaire est masqué." in main
    assert "Commentaires signalés (0)" in main
    assert Flag.objects.get(comment=flagged).outcome == FlagOutcome.UPHELD
    step(moderator_page, "commentaire-masque")
    moderation.close()

    # The French member who flagged it hears of it in French, about the French version.
    run_tasks()
    outcome = [m for m in mailoutbox if m.to == [FRENCH_MEMBER]][-1]
    assert outcome.subject == "[Journal Club] Le commentaire que vous avez signalé a été masqué"
    assert french.title in outcome.body and english.title not in outcome.body
    assert f"{base}/fr/guidelines/" in outcome.body
    assert page.console_errors == []
