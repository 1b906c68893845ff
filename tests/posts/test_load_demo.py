import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from comments.models import Flag
from posts.models import Question, Review

pytestmark = pytest.mark.django_db

DEMO_SLUG = "implementation-research-out-of-step-with-practice"


def test_load_demo_creates_the_seed_review_and_is_idempotent():
    call_command("load_demo", stdout=None)
    question_ids = list(Question.objects.values_list("pk", flat=True).order_by("pk"))
    call_command("load_demo")
    assert Review.objects.published().count() == 4  # three, one of them also in French
    assert list(Question.objects.values_list("pk", flat=True).order_by("pk")) == question_ids

    review = Review.objects.get(slug=DEMO_SLUG)
    assert review.article.doi == "10.1177/26334895221105585"
    assert review.article.citation().startswith("Metz, A., Jensen, T., Farley, A., & Boaz, A.")
    assert review.reviewer.name == "Joann Cattlin"
    assert review.reviewer.role == "PhD Student"
    assert review.reviewer.affiliation == (
        "College of Global, Urban and Social Studies, RMIT University"
    )
    assert review.findings.count() == 3
    assert review.questions.count() == 3
    assert review.background and review.summary and review.commentary


def test_load_demo_creates_an_editor_only_with_debug_on(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo")
    assert not get_user_model().objects.filter(username="editor").exists()
    assert "@example.com /" not in capsys.readouterr().out

    settings.DEBUG = True
    call_command("load_demo")
    editor = get_user_model().objects.get(username="editor")
    out = capsys.readouterr().out
    password = out.split("editor@example.com / ")[1].split()[0]
    assert editor.is_staff and editor.check_password(password)
    assert editor.groups.filter(name="Editors").exists()
    moderator = get_user_model().objects.get(username="moderator")
    password = out.split("moderator@example.com / ")[1].split()[0]
    assert moderator.check_password(password)
    assert moderator.has_perm("comments.hide_comment")
    assert not moderator.is_staff


def test_demo_review_page_shows_its_parts(client):
    call_command("load_demo")
    html = client.get(f"/reviews/{DEMO_SLUG}/").content.decode()
    for text in [
        "Joann Cattlin",
        "PhD Student, College of Global, Urban and Social Studies, RMIT University",
        'href="https://doi.org/10.1177/26334895221105585"',
        "Questions for brokers",
        'id="question-3"',
        "KMb Journal Club",
    ]:
        assert text in html


def test_demo_review_has_a_living_discussion(client):
    call_command("load_demo")
    call_command("load_demo")
    review = Review.objects.get(slug=DEMO_SLUG)
    comments = review.comments.all()
    assert comments.count() == 7
    assert len({c.author_id for c in comments}) >= 3
    assert max(c.depth for c in comments) >= 2
    assert {c.question.number for c in comments} == {1, 2, 3}
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Amara Okafor" in page


def test_demo_discussion_has_one_flagged_comment_for_the_queue(client):
    call_command("load_demo")
    call_command("load_demo")
    assert Flag.objects.open().count() == 1
    flagged = Flag.objects.get().comment
    assert flagged.is_publicly_visible
    assert flagged.review.slug == DEMO_SLUG


def test_demo_reviews_have_topics_and_one_synthesis(client):
    call_command("load_demo")
    call_command("load_demo")
    assert Review.objects.get(slug=DEMO_SLUG).topics.count() == 2
    assert client.get("/topics/implementation-science/").status_code == 200
    synthesised = [r for r in Review.objects.all() if r.synthesis_is_published]
    assert len(synthesised) == 1


def test_demo_has_one_review_in_both_languages_sharing_its_discussion(client):
    call_command("load_demo")
    call_command("load_demo")
    english = Review.objects.get(slug=DEMO_SLUG)
    french = english.translation
    assert (english.language, french.language, french.translation_of) == ("en", "fr", english)
    french.full_clean()
    assert french.questions.count() == english.questions.count() == 3
    assert french.title.endswith("pratique\u202f?")
    with translation.override("fr"):
        french_page = client.get(french.get_absolute_url()).content.decode()
    assert '<html lang="fr">' in french_page
    assert french.title in french_page
    assert "Amara Okafor" in french_page  # the demo discussion, shown on both versions
    with translation.override("en"):
        english_page = client.get(english.get_absolute_url()).content.decode()
    assert "Lire en français" in english_page
