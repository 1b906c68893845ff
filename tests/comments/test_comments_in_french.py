"""The comments app in French: its pages under /fr/, and emails in the recipient's language
whoever's request sent them."""

import pytest
from django.utils import translation

from comments.models import Flag, HideReason, Viewer
from comments.moderation import hide_comment
from tests.factories import make_comment, make_moderator, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def back_to_english(settings):
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_question_page_in_french_counts_comments_in_the_plural(client):
    review = make_review()
    first, second = review.questions.all()[:2]
    make_comment(question=first)
    for _ in range(3):
        make_comment(question=second)
    page = client.get(f"/fr/reviews/{review.slug}/questions/1/").content.decode()
    assert "Question 1 <span" in page
    assert "· 1 commentaire</span>" in page
    assert "Connectez-vous pour commenter</a> (ou" in page
    page = client.get(f"/fr/reviews/{review.slug}/questions/2/").content.decode()
    assert "· 3 commentaires</span>" in page
    english = client.get(f"/reviews/{review.slug}/questions/2/").content.decode()
    assert "· 3 comments</span>" in english


def test_a_members_cards_are_in_french_after_an_english_reader_saw_them(client):
    comment = make_comment(body="An opinion.")
    client.force_login(make_user())
    url = f"/reviews/{comment.review.slug}/questions/1/"
    assert ">Reply<span" in client.get(url).content.decode()
    page = client.get(f"/fr{url}").content.decode()
    assert ">Répondre<span" in page
    assert '>Signaler<span class="visually-hidden"> ce commentaire</span>' in page
    assert "Ajoutez votre commentaire sur la question 1" in page


def test_flag_form_in_french_with_its_error(client):
    comment = make_comment()
    client.force_login(make_user())
    page = client.get(f"/fr/comments/{comment.pk}/flag/").content.decode()
    assert "<h1>Signaler un commentaire aux modérateurs</h1>" in page
    assert f"Quel est le problème avec ce commentaire{NBSP}?" in page
    assert "Hors sujet" in page and "Renseignements personnels" in page
    response = client.post(f"/fr/comments/{comment.pk}/flag/", {"note": ""})
    assert response.status_code == 400
    assert "Choisissez le problème avec ce commentaire." in response.content.decode()
    assert not Flag.objects.exists()


def test_hide_form_in_french(client):
    comment = make_comment()
    client.force_login(make_moderator())
    page = client.get(f"/fr/comments/{comment.pk}/hide/").content.decode()
    assert "<h1>Masquer un commentaire</h1>" in page
    assert f"Pourquoi le masquer{NBSP}?" in page
    assert "Masquer le commentaire</button>" in page


def test_queue_and_log_in_french(client):
    comment = make_comment(body="Flagged words")
    Flag.objects.create(comment=comment, flagger=make_user(display_name="Flo"), reason="spam")
    moderator = make_moderator(display_name="Mod Érateur")
    client.force_login(moderator)
    page = client.get("/fr/moderation/").content.decode()
    assert "<h1>Modération</h1>" in page
    assert "Commentaires signalés (1)" in page
    assert "<strong>Pourriel</strong>, signalé par Flo" in page
    assert "Rejeter les signalements" in page
    comment.hide(by=moderator, reason=HideReason.OFF_TOPIC)
    log = client.get("/fr/moderation/log/").content.decode()
    assert "<h1>Journal de modération</h1>" in log
    assert f'<td data-label="Quoi{NBSP}:">Masqué</td>' in log
    assert f'<td data-label="Motif{NBSP}:">Hors sujet</td>' in log


def test_member_page_in_french(client):
    member = make_user(display_name="Ada Broker")
    make_comment(author=member)
    client.force_login(make_moderator())
    page = client.get(f"/fr/moderation/members/{member.pk}/").content.decode()
    assert "Suspendre ce membre" in page
    assert "· 1 commentaire récent</p>" in page
    assert "Pour combien de temps" in page and "Jusqu’à nouvel ordre" in page
    response = client.post(f"/fr/moderation/members/{member.pk}/", {"action": "suspend"})
    assert response.status_code == 400
    assert "Choisissez la durée de la suspension." in response.content.decode()
    member.refresh_from_db()
    assert member.suspended_at is None


def test_posting_in_french_says_so_in_french(client):
    review = make_review()
    client.force_login(make_user())
    response = client.post(
        f"/fr/reviews/{review.slug}/comments/",
        {"question": review.questions.first().pk, "body": "Bonjour à tous."},
        follow=True,
    )
    assert "Votre commentaire est publié." in response.content.decode()


def test_refusals_are_in_the_active_language():
    with translation.override("fr"):
        assert Viewer.of(make_user(verified=False)).refusal == (
            "Vérifiez votre adresse courriel avant de participer à la discussion."
        )
    with translation.override("en"):
        assert Viewer.of(make_user(verified=False)).refusal == (
            "Verify your email address before you join the discussion."
        )


def test_a_reply_email_to_a_french_member_is_in_french_though_the_replier_used_english(
    client, mailoutbox
):
    review = make_review(title="Evidence in practice")
    recipient = make_user(display_name="Camille", email="camille@example.org", language="fr")
    parent = make_comment(question=review.questions.first(), author=recipient)
    client.force_login(make_user(display_name="Replier"))
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": "I disagree."},
    )
    run_tasks()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == (
        f"Replier a répondu à votre commentaire sur «{NBSP}Evidence in practice{NBSP}»"
    )
    assert email.body.startswith("Bonjour Camille,")
    reply_id = parent.replies.get().pk
    assert f"Lisez-la et répondez{NBSP}: http://testserver/fr/comments/{reply_id}/" in email.body
    assert "/fr/accounts/unsubscribe/" in email.body
    assert "Replier" in email.body and "I disagree." in email.body


def test_a_reply_email_to_an_english_member_is_in_english_though_the_replier_used_french(
    client, mailoutbox
):
    review = make_review(title="Evidence in practice")
    parent = make_comment(question=review.questions.first(), author=make_user(language="en"))
    client.force_login(make_user(display_name="Réplique", language="fr"))
    client.post(
        f"/fr/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": "Je ne suis pas d’accord."},
    )
    run_tasks()
    email = mailoutbox[0]
    assert email.subject == "Réplique replied to your comment on “Evidence in practice”"
    assert "Read it and answer: http://testserver/comments/" in email.body


def test_a_hidden_comments_author_is_told_in_french(mailoutbox):
    author = make_user(display_name="Camille", language="fr")
    comment = make_comment(author=author, body="Acheter maintenant !")
    with translation.override("en"):  # the moderator's interface
        hide_comment(
            comment, by=make_moderator(), reason=HideReason.SPAM, note="", site_url="https://x"
        )
    run_tasks()
    email = next(email for email in mailoutbox if email.to == [author.email])
    assert email.subject.endswith(f"Un modérateur a masqué votre commentaire sur «{NBSP}"
                                  f"{comment.review.title}{NBSP}»")  # fmt: skip
    assert f"Motif{NBSP}: Pourriel" in email.body
    assert f"https://x/fr/comments/{comment.pk}/" in email.body
    assert "https://x/fr/guidelines/" in email.body


def test_emails_name_a_translated_review_by_its_title_in_the_recipients_language(
    client, mailoutbox
):
    """The discussion of both versions lives on the original (English) review: a French
    member's emails name the review by its French title, and quote its French question."""
    english = make_review(title="Evidence in practice")
    french = make_review(title="Les données en pratique", language="fr", translation_of=english)
    french_question = french.questions.first()
    french_question.text = "Qu’en pensez-vous ?"
    french_question.save()
    camille = make_user(display_name="Camille", email="camille@example.org", language="fr")
    dominique = make_user(display_name="Dominique", email="dominique@example.org", language="fr")
    parent = make_comment(question=english.questions.first(), author=camille, language="fr")
    english.questions.first().follows.create(member=dominique)
    client.force_login(make_user(display_name="Replier"))
    client.post(
        f"/reviews/{english.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": "I disagree."},
    )
    run_tasks()
    to_camille = next(email for email in mailoutbox if email.to == [camille.email])
    assert to_camille.subject.endswith(f"«{NBSP}Les données en pratique{NBSP}»")
    assert "Les données en pratique" in to_camille.body and "Evidence" not in to_camille.body
    to_dominique = next(email for email in mailoutbox if email.to == [dominique.email])
    assert to_dominique.subject.endswith(f"«{NBSP}Les données en pratique{NBSP}»")
    assert "Qu’en pensez-vous ?" in to_dominique.body and "Evidence" not in to_dominique.body

    mailoutbox.clear()
    Flag.objects.create(comment=parent, flagger=dominique, reason=HideReason.SPAM)
    hide_comment(parent, by=make_moderator(), reason=HideReason.SPAM, note="", site_url="https://x")
    run_tasks()
    for email in mailoutbox:  # to Camille, its author, and to Dominique, who flagged it
        assert "Les données en pratique" in email.body and "Evidence" not in email.body, email.to


def test_a_french_refusal_says_why_in_french(client):
    comment = make_comment()
    client.force_login(make_user())
    response = client.get(f"/fr/comments/{comment.pk}/hide/")
    assert response.status_code == 403
    assert "Seuls les modérateurs peuvent faire cela." in response.content.decode()
    response = client.get(f"/comments/{comment.pk}/hide/")
    assert "Only moderators can do this." in response.content.decode()


def test_the_admins_comment_pages_in_french(client):
    make_comment(body="In the admin.")
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/fr/admin/comments/comment/").content.decode()
    assert "Masquer les commentaires sélectionnés" in page
    assert "Motif (pour masquer)" in page
    assert "Commentaires" in client.get("/fr/admin/").content.decode()
