"""French pages say what the English ones say, in the site's words: the community guidelines in
French, moderation notes that were never generated in English, « recension » for our reviews,
gender-neutral forms, and the moderation log's labels with French typography."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.flatpages.models import FlatPage
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from comments.models import Comment, Flag, HideReason, ModerationAction
from comments.moderation import flag_comment, suspend_member
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(autouse=True)
def back_to_english(settings):
    yield
    translation.activate(settings.LANGUAGE_CODE)


# 1. The community guidelines in the page's language


def test_the_french_pages_show_the_french_guidelines(client):
    page = client.get("/fr/guidelines/").content.decode()
    assert "<h1>Lignes directrices de la communauté</h1>" in page
    assert "<strong>Faites preuve de respect.</strong>" in page
    assert "Commentez la recension et la question à laquelle vous répondez." in page
    # French typography: no-break spaces (the Markdown renderer writes U+00A0 as &nbsp;).
    assert f"«&nbsp;Masqué par un modérateur&nbsp;» à sa place{NNBSP}; sinon" in page
    content = FlatPage.objects.get(url="/fr/guidelines/").content
    assert f"chaque signalement{NBSP}: si" in content and " :" not in content
    assert "Community guidelines" not in page and "Be respectful" not in page
    assert '<html lang="fr">' in page
    assert "<h1>Lignes directrices" in page and '<div class="prose">' in page  # no lang="en"


def test_the_english_pages_keep_the_english_guidelines(client):
    page = client.get("/guidelines/").content.decode()
    assert "<h1>Community guidelines</h1>" in page
    assert "<strong>Be respectful.</strong>" in page
    assert "Lignes directrices" not in page


def test_without_french_guidelines_the_french_pages_show_the_english_ones_marked_english(client):
    FlatPage.objects.filter(url="/fr/guidelines/").delete()
    page = client.get("/fr/guidelines/").content.decode()
    assert '<h1 lang="en">Community guidelines</h1>' in page
    assert '<div class="prose" lang="en">' in page


def test_the_french_guidelines_are_on_the_site_and_linked_from_french_pages(client):
    french = FlatPage.objects.get(url="/fr/guidelines/")
    assert list(french.sites.values_list("pk", flat=True)) == [1]
    comment = make_comment()
    client.force_login(make_user())
    page = client.get(f"/fr/comments/{comment.pk}/flag/").content.decode()
    assert '<a href="/fr/guidelines/">lignes directrices de la communauté</a>' in page


def test_editors_edit_both_guidelines_in_the_admin(client):
    client.force_login(make_user(editor=True))
    listing = client.get("/admin/flatpages/flatpage/").content.decode()
    assert "/guidelines/" in listing and "/fr/guidelines/" in listing
    for url, text in [
        ("/guidelines/", "Cite your sources."),
        ("/fr/guidelines/", "Citez vos sources."),
    ]:
        page = FlatPage.objects.get(url=url)
        response = client.post(
            f"/admin/flatpages/flatpage/{page.pk}/change/",
            {
                "url": url,
                "title": page.title,
                "content": text,
                "sites": [page.sites.get().pk],
                "template_name": "",
            },
        )
        assert response.status_code == 302
    assert "Citez vos sources." in client.get("/fr/guidelines/").content.decode()
    assert "Cite your sources." in client.get("/guidelines/").content.decode()


# 2. Moderation notes: the moderator's own words, or rendered in the reader's language


def test_comments_hidden_with_a_suspension_carry_the_moderators_reason_alone(client):
    member = make_user(display_name="Camille", language="fr")
    comment = make_comment(author=member)
    moderator = make_moderator()
    until = timezone.now() + timedelta(days=7)
    hidden = suspend_member(
        member, by=moderator, until=until, reason="Insultes répétées", hide_comments=True
    )
    assert hidden == 1
    comment.refresh_from_db()
    assert comment.hidden_note == "Insultes répétées"
    suspension = ModerationAction.objects.get(action="suspend")
    assert suspension.reason == "Insultes répétées" and suspension.note.endswith(
        "; hid 1 comment(s)"
    )
    assert ModerationAction.objects.get(action="hide").note == "Insultes répétées"
    # The author reads her card on the French pages: no English in the moderation notice.
    client.force_login(member)
    page = client.get(f"/fr/reviews/{comment.review.slug}/questions/1/").content.decode()
    notice = re.search(r'<p class="comment__moderation" role="note">(.*?)</p>', page, re.S)[1]
    assert "Masqué par un modérateur" in notice and "(Insultes répétées)" in notice
    assert "Member suspended" not in page


def test_the_log_and_the_card_show_the_sites_own_notes_in_french(client, settings):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 2
    author = make_user()
    comment = make_comment(author=author)
    for _ in range(2):
        flag_comment(comment, by=make_user(), reason=HideReason.SPAM, site_url="http://x")
    comment.refresh_from_db()
    assert comment.hidden_note == "2 members flagged it."  # stored as before
    moderator = make_moderator()
    comment.hide(by=moderator, reason=HideReason.SPAM)
    assert Flag.objects.filter(outcome="upheld").count() == 2
    client.force_login(moderator)
    log = client.get("/fr/moderation/log/").content.decode()
    assert f'<td data-label="Note{NBSP}:">2 signalements retenus.</td>' in log
    assert f'<td data-label="Note{NBSP}:">2 membres l’ont signalé.</td>' in log
    english = client.get("/moderation/log/").content.decode()
    assert '<td data-label="Note:">2 flags upheld.</td>' in english
    assert '<td data-label="Note:">2 members flagged it.</td>' in english

    # An auto-hidden comment's card, seen by its author on the French pages.
    other = make_comment(author=author)
    Comment.objects.filter(pk=other.pk).update(
        hidden_at=timezone.now(),
        hidden_reason=HideReason.FLAGGED,
        hidden_note="3 members flagged it.",
    )
    client.force_login(author)
    page = client.get(f"/fr/reviews/{other.review.slug}/questions/1/").content.decode()
    assert "(3 membres l’ont signalé.)" in page
    assert "members flagged it" not in page


def test_a_moderators_own_note_is_shown_as_written():
    entry = ModerationAction(action="uphold", note="2 flags upheld, and a word to the author.")
    with translation.override("fr"):
        assert entry.note_text == "2 flags upheld, and a word to the author."
        assert ModerationAction(action="hide", note="2 flags upheld.").note_text == (
            "2 flags upheld."
        )
        assert ModerationAction(action="uphold", note="1 flag upheld.").note_text == (
            "1 signalement retenu."
        )


# 3. The catalogue's words


def catalogue_entries(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of each entry of a .po file, plural forms joined."""
    entries, msgid, msgstr, field = [], "", "", None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            field, msgid = "msgid", line[7:-1]
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr"):
            field, msgstr = "msgstr", msgstr + line.split(" ", 1)[1][1:-1]
        elif line.startswith('"') and field == "msgid":
            msgid += line[1:-1]
        elif line.startswith('"') and field == "msgstr":
            msgstr += line[1:-1]
        elif not line.strip():
            if msgid:
                entries.append((msgid, msgstr))
            msgid, msgstr, field = "", "", None
    return entries


def test_our_reviews_are_recensions_and_feed_readers_read_flux():
    entries = catalogue_entries(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    for msgid, msgstr in entries:
        assert "critique" not in msgstr.lower() or "review" not in msgid.lower(), msgid
        assert "lecteur de fils" not in msgstr, msgid
        assert "fait :" not in msgstr.replace(NBSP, " "), msgid
        assert not re.search(r"%\(name\)s est suspendu", msgstr), msgid


def test_french_wording_of_the_interface():
    with translation.override("fr"):
        assert gettext("Review") == "Recension"
        assert gettext("All reviews") == "Toutes les recensions"
        assert gettext("Guest reviewer") == "Auteur·e de la recension"
        assert gettext("The discussion of this review is closed.") == (
            "La discussion de cette recension est close."
        )
        assert (
            gettext("%(author)s commented on your review “%(title)s”")
            % {
                "author": "Ada",
                "title": "T",
            }
            == f"Ada a commenté votre recension «{NBSP}T{NBSP}»"
        )
        assert (
            gettext("%(name)s is suspended. Comments hidden: %(count)s.")
            % {
                "name": "Ada",
                "count": 2,
            }
            == f"Compte de Ada suspendu. Commentaires masqués{NBSP}: 2."
        )
        assert pgettext("stop following", "stop") == "ne plus suivre"
        assert gettext("In a feed reader") == "Dans un lecteur de flux"
        assert gettext("Subscribed: new reviews and syntheses will come to %(email)s.").startswith(
            f"Abonnement confirmé{NBSP}:"
        )
        assert gettext(
            "A translation has as many questions as its original (%(count)d): question n of one "
            "shares its discussion with question n of the other."
        ).startswith("Une traduction doit avoir autant de questions")
        # django-allauth's strings in the site's register (locale_overrides/fr).
        assert gettext("Successfully signed in as %(name)s.") % {"name": "Ada"} == (
            "Vous êtes connecté·e en tant que Ada."
        )
        assert gettext("Sign Up") == "Créer un compte"
        assert gettext("Are you sure you want to sign out?") == (
            f"Voulez-vous vraiment vous déconnecter{NNBSP}?"
        )
        assert gettext("To confirm this is correct, go to %(activate_url)s").startswith(
            "Pour confirmer cette adresse"
        )
        assert gettext("Please contact us if you have any trouble resetting your password.") == (
            "Écrivez-nous si vous ne parvenez pas à réinitialiser votre mot de passe."
        )


def test_the_sign_up_link_and_button_in_french(client):
    login = client.get("/fr/accounts/login/").content.decode()
    assert "Si vous n’avez pas encore de compte, <a" in login
    assert ">créez-en un</a> d’abord." in login
    signup = client.get("/fr/accounts/signup/").content.decode()
    assert re.search(r"<button[^>]*>\s*Créer un compte\s*</button>", signup)


def test_the_flaggers_name_in_the_french_queue(client):
    comment = make_comment()
    Flag.objects.create(comment=comment, flagger=make_user(display_name="Flo"), reason="off_topic")
    client.force_login(make_moderator())
    page = client.get("/fr/moderation/").content.decode()
    assert "<strong>Hors sujet</strong>, signalé par Flo, " in page


def test_following_a_question_says_how_to_stop_in_french(client):
    comment = make_comment()
    member = make_user()
    client.force_login(member)
    question = comment.question
    client.post(f"/fr/questions/{question.pk}/follow/")
    page = client.get(f"/fr/reviews/{comment.review.slug}/questions/1/").content.decode()
    assert '<span class="follow-button__stop">— ne plus suivre</span>' in page


# 4. The moderation log's labels and layout


def test_the_logs_labels_carry_their_colon_in_each_language(client):
    comment = make_comment()
    moderator = make_moderator()
    comment.hide(by=moderator, reason=HideReason.OFF_TOPIC)
    client.force_login(moderator)
    english = client.get("/moderation/log/").content.decode()
    for label in ["When:", "Who:", "What:", "Target:", "Reason:", "Note:"]:
        assert f'data-label="{label}"' in english
    french = client.get("/fr/moderation/log/").content.decode()
    for label in ["Quand", "Qui", "Quoi", "Cible", "Motif"]:
        assert f'data-label="{label}{NBSP}:"' in french
    assert 'data-label="Quand"' not in french


def test_the_css_adds_only_a_space_after_the_label_and_breaks_no_word_on_wide_screens():
    css = (ROOT / "static" / "css" / "site.css").read_text()
    assert 'content: attr(data-label) " ";' in css
    assert 'attr(data-label) ": "' not in css
    phone = css.index("@media (max-width: 40rem)")
    wide_rules = css[:phone]
    # On a wide screen a cell never breaks inside a word: the wrapper scrolls instead.
    assert ".table-wrap { overflow-x: auto; }" in css
    assert not re.search(r"\.log-table td \{[^}]*overflow-wrap: anywhere", wide_rules)
