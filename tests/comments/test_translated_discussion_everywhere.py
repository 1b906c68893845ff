"""The discussion a review shares with its translation is kept on the original's questions;
wherever a page names a comment's review or question outside the review page, a reader sees
the version in their language, when it is published."""

import xml.etree.ElementTree as ET

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from comments.models import QuestionFollow
from posts.models import Question, Review, Topic, questions_in
from tests.factories import make_comment, make_review, make_series, make_user

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
ENGLISH_TITLE = "Why policymakers use evidence"
FRENCH_TITLE = "Pourquoi les décideurs utilisent les données probantes"


def make_pair(*, french_published: bool = True, **fields) -> tuple[Review, Review]:
    english = make_review(title=ENGLISH_TITLE, **fields)
    french = make_review(
        title=FRENCH_TITLE,
        language="fr",
        translation_of=english,
        published=french_published,
        **fields,
    )
    for number, question in enumerate(french.questions.all(), start=1):
        question.text = f"Question en français numéro {number} ?"
        question.save()
    for number, question in enumerate(english.questions.all(), start=1):
        question.text = f"English question number {number}?"
        question.save()
    return english, french


@pytest.fixture
def pair() -> tuple[Review, Review]:
    return make_pair()


def url_in(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def review_url(language: str, review: Review) -> str:
    return url_in(language, "posts:review_detail", slug=review.slug)


def second_question_comment(english: Review, body: str = "Un commentaire partagé."):
    return make_comment(question=english.questions.all()[1], body=body)


def make_moderator():
    moderator = make_user(language="fr")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    Authenticator.objects.create(user=moderator, type=Authenticator.Type.TOTP, data={})
    return moderator


# The home page's active discussions


def test_active_discussions_name_the_version_in_the_readers_language(client, pair):
    english, french = pair
    second_question_comment(english)
    french_home = client.get(url_in("fr", "posts:review_list"))
    assert [r.title for r in french_home.context["active_discussions"]] == [FRENCH_TITLE]
    section = french_home.content.decode().split('id="active-heading"')[1].split("</section>")[0]
    assert f'href="{review_url("fr", french)}#questions-heading"' in section
    assert ENGLISH_TITLE not in section
    english_home = client.get(url_in("en", "posts:review_list"))
    assert [r.title for r in english_home.context["active_discussions"]] == [ENGLISH_TITLE]


def test_active_discussions_name_the_original_while_its_translation_is_unpublished(client):
    english, _ = make_pair(french_published=False)
    second_question_comment(english)
    french_home = client.get(url_in("fr", "posts:review_list"))
    section = french_home.content.decode().split('id="active-heading"')[1].split("</section>")[0]
    # Named as written, and marked as English inside the French page.
    assert f'href="{review_url("fr", english)}#questions-heading" lang="en"' in section
    assert FRENCH_TITLE not in section


def test_the_home_page_costs_the_same_with_translations(client, django_assert_num_queries):
    for _ in range(2):
        english, _ = make_pair()
        second_question_comment(english)
    # versions, count, page, its topics, topic filter, active discussions, next change
    with django_assert_num_queries(7):
        client.get(url_in("fr", "posts:review_list"))
    for _ in range(4):
        english, _ = make_pair()
        second_question_comment(english)
    with django_assert_num_queries(7):
        client.get(url_in("fr", "posts:review_list"))


# The profile's followed questions


def test_the_profile_names_followed_questions_in_the_members_language(client, pair):
    english, french = pair
    member = make_user(language="fr")
    QuestionFollow.objects.create(member=member, question=english.questions.all()[1])
    client.force_login(member)
    page = client.get(url_in("fr", "accounts:profile")).content.decode()
    follows = page.split('class="follow-list"')[1].split("</ul>")[0]
    assert f'href="{review_url("fr", french)}">{FRENCH_TITLE}</a>' in follows
    assert "Question en français numéro 2 ?" in follows
    assert ENGLISH_TITLE not in follows and "English question" not in follows
    # The button still stops following the question that carries the thread.
    assert f'action="{url_in("fr", "comments:follow", pk=english.questions.all()[1].pk)}"' in (
        follows
    )
    page = client.get(url_in("en", "accounts:profile")).content.decode()
    follows = page.split('class="follow-list"')[1].split("</ul>")[0]
    assert ENGLISH_TITLE in follows and "English question number 2?" in follows


def test_the_profile_costs_one_query_more_however_many_follows(client):
    member = make_user(language="fr")
    client.force_login(member)

    def follow_another() -> None:
        english, _ = make_pair()
        QuestionFollow.objects.create(member=member, question=english.questions.all()[2])

    follow_another()
    with CaptureQueriesContext(connection) as few:
        client.get(url_in("fr", "accounts:profile"))
    for _ in range(4):
        follow_another()
    with CaptureQueriesContext(connection) as many:
        page = client.get(url_in("fr", "accounts:profile")).content.decode()
    assert len(many) == len(few)
    assert page.count("Question en français numéro 3 ?") == 5


# Search results


def test_a_comment_found_names_the_review_and_question_in_the_readers_language(client, pair):
    english, french = pair
    comment = second_question_comment(english, body="Les courtiers zanzibarins.")
    html = client.get(url_in("fr", "search:results"), {"q": "zanzibarins"}).content.decode()
    result = html.split('<li class="search-result">')[1].split("</li>")[0]
    assert f"Commentaire sur «\u00a0{FRENCH_TITLE}\u00a0»" in result
    question_url = url_in("fr", "comments:question_detail", slug=french.slug, number=2)
    assert f'<a href="{question_url}">Question 2</a>' in result
    assert "Question en français numéro 2 ?" in result
    assert f'href="{url_in("fr", "comments:permalink", pk=comment.pk)}"' in result
    assert ENGLISH_TITLE not in result and "English question" not in result

    html = client.get(url_in("en", "search:results"), {"q": "zanzibarins"}).content.decode()
    result = html.split('<li class="search-result">')[1].split("</li>")[0]
    assert f"Comment on “{ENGLISH_TITLE}”" in result
    english_question = url_in("en", "comments:question_detail", slug=english.slug, number=2)
    assert f'<a href="{english_question}">Question 2</a>: English question number 2?' in result


def test_a_translation_without_the_question_names_the_original(client, pair):
    english, french = pair
    french.questions.last().delete()  # the editors' slip: one question fewer
    make_comment(question=english.questions.last(), body="Sur la troisième, zanzibarins.")
    html = client.get(url_in("fr", "search:results"), {"q": "zanzibarins"}).content.decode()
    result = html.split('<li class="search-result">')[1].split("</li>")[0]
    assert f"Commentaire sur «\u00a0{ENGLISH_TITLE}\u00a0»" in result
    question_url = url_in("fr", "comments:question_detail", slug=english.slug, number=3)
    assert f'<a href="{question_url}">Question 3</a>\u00a0: English question number 3?' in result


def test_comment_results_cost_one_query_more_with_translations(client, django_assert_num_queries):
    english, _ = make_pair()
    second_question_comment(english, body="Marigold.")
    make_review(commentary="Marigold.")
    # two counts, the page's reviews, the page's comments, their questions in French
    with django_assert_num_queries(5):
        client.get(url_in("fr", "search:results"), {"q": "marigold"})
    for _ in range(5):
        english, _ = make_pair()
        second_question_comment(english, body="Marigold again.")
    with django_assert_num_queries(5):
        client.get(url_in("fr", "search:results"), {"q": "marigold"})


# The conversation page


def test_the_conversation_page_shows_the_version_in_the_readers_language(client, pair):
    english, french = pair
    first = second_question_comment(english, body="Le début de la conversation.")
    make_comment(parent=first, body="Une réponse.")
    page = client.get(url_in("fr", "comments:conversation", pk=first.pk)).content.decode()
    breadcrumb = page.split('class="review__series"')[1].split("</p>")[0]
    assert f'href="{review_url("fr", french)}">{FRENCH_TITLE}</a>' in breadcrumb
    question_url = url_in("fr", "comments:question_detail", slug=french.slug, number=2)
    assert f'href="{question_url}"' in breadcrumb
    assert "Question en français numéro 2 ?" in page
    assert "Le début de la conversation." in page and "Une réponse." in page
    assert ENGLISH_TITLE not in page and "English question" not in page

    page = client.get(url_in("en", "comments:conversation", pk=first.pk)).content.decode()
    assert ENGLISH_TITLE in page and "English question number 2?" in page
    assert "Le début de la conversation." in page


def test_the_conversation_page_falls_back_to_the_original_without_the_question(client, pair):
    english, french = pair
    french.questions.last().delete()
    first = make_comment(question=english.questions.last(), body="Sur la troisième.")
    page = client.get(url_in("fr", "comments:conversation", pk=first.pk)).content.decode()
    assert f'href="{review_url("fr", english)}" lang="en">{ENGLISH_TITLE}</a>' in page
    assert "English question number 3?" in page and "Sur la troisième." in page


def test_the_conversation_page_of_an_unpublished_translation_shows_the_original(client):
    english, _ = make_pair(french_published=False)
    first = second_question_comment(english)
    page = client.get(url_in("fr", "comments:conversation", pk=first.pk)).content.decode()
    assert ENGLISH_TITLE in page and FRENCH_TITLE not in page


# The translation's comment feed


def test_the_french_reviews_feed_lists_the_shared_discussion(client, pair):
    english, french = pair
    first = second_question_comment(english, body="Premier.")
    second = make_comment(question=english.questions.first(), body="Second.")
    hidden = make_comment(question=english.questions.first(), body="Caché.")
    hidden.delete_by_author()
    response = client.get(url_in("fr", "comments:feed", slug=french.slug))
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert FRENCH_TITLE in feed.find(f"{ATOM}title").text
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}summary").text for e in entries] == [second.body_html, first.body_html]
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0].endswith("«\u00a0Question en français numéro 1 ?\u00a0»")
    assert titles[1].endswith("«\u00a0Question en français numéro 2 ?\u00a0»")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links[1] == f"http://testserver{url_in('fr', 'comments:permalink', pk=first.pk)}"
    # The original's feed is unchanged.
    english_feed = ET.fromstring(
        client.get(url_in("en", "comments:feed", slug=english.slug)).content
    )
    english_titles = [e.find(f"{ATOM}title").text for e in english_feed.findall(f"{ATOM}entry")]
    assert english_titles[1].endswith("“English question number 2?”")


# Lists show each review once


def test_the_subscribe_page_lists_each_review_once_in_the_readers_language(client, pair):
    english, french = pair
    french_page = client.get(url_in("fr", "subscriptions:page")).content.decode()
    assert FRENCH_TITLE in french_page and ENGLISH_TITLE not in french_page
    english_page = client.get(url_in("en", "subscriptions:page")).content.decode()
    assert ENGLISH_TITLE in english_page and FRENCH_TITLE not in english_page


def test_topic_and_series_pages_list_each_review_once(client):
    topic = Topic.objects.create(name="Evidence use", slug="evidence-use")
    series = make_series()
    english, french = make_pair(series=series)
    english.topics.add(topic)
    french.topics.add(topic)
    for name, slug in (("posts:topic_detail", topic.slug), ("posts:series_detail", series.slug)):
        french_page = client.get(url_in("fr", name, slug=slug))
        assert [r.title for r in french_page.context["reviews"]] == [FRENCH_TITLE], name
        english_page = client.get(url_in("en", name, slug=slug))
        assert [r.title for r in english_page.context["reviews"]] == [ENGLISH_TITLE], name
    topics = client.get(url_in("fr", "posts:topic_list")).context["topics"]
    assert [t.review_count for t in topics] == [1]


def test_a_topic_lists_the_original_when_only_it_is_on_the_topic(client):
    topic = Topic.objects.create(name="Evidence use", slug="evidence-use")
    english, french = make_pair()
    english.topics.add(topic)  # the translation was not given the topic
    french_page = client.get(url_in("fr", "posts:topic_detail", slug=topic.slug))
    assert [r.title for r in french_page.context["reviews"]] == [ENGLISH_TITLE]


# The moderation pages


def test_the_moderation_queue_names_the_version_in_the_moderators_language(client, pair):
    english, french = pair
    comment = second_question_comment(english, body="À modérer.")
    client.force_login(make_moderator())
    page = client.get(url_in("fr", "comments:queue")).content.decode()
    context = page.split('class="queue-item__context"')[1].split("</p>")[0]
    assert f'lang="fr">{FRENCH_TITLE}</a>' in context
    assert "Question en français numéro 2 ?" in context
    assert ENGLISH_TITLE not in context

    member = client.get(url_in("fr", "comments:member", pk=comment.author_id)).content.decode()
    assert FRENCH_TITLE in member and ENGLISH_TITLE not in member


def test_the_queue_costs_one_query_more_with_translations(client):
    client.force_login(make_moderator())
    english, _ = make_pair()
    second_question_comment(english)
    with CaptureQueriesContext(connection) as few:
        client.get(url_in("fr", "comments:queue"))
    for _ in range(4):
        english, _ = make_pair()
        second_question_comment(english)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url_in("fr", "comments:queue")).content.decode()
    assert len(many) == len(few)
    assert page.count(f'lang="fr">{FRENCH_TITLE}</a>') == 5


def test_question_versions_need_no_query_without_translations(django_assert_num_queries):
    review = make_review()
    questions = list(Question.objects.select_related("review__translation"))
    with django_assert_num_queries(0):
        questions_in("fr", questions)
    assert [q.in_language for q in questions] == questions
    assert all(q.review == review for q in questions)


def test_the_french_conversation_page_costs_at_most_one_query_more(client, pair):
    english, _ = pair
    first = second_question_comment(english)
    for _ in range(5):
        make_comment(parent=first)
    counts = {}
    for language in ("en", "fr"):
        with CaptureQueriesContext(connection) as context:
            assert (
                client.get(url_in(language, "comments:conversation", pk=first.pk)).status_code
                == 200
            )
        counts[language] = len(context)
    assert counts["fr"] <= counts["en"] + 1, counts


def test_a_deleted_comments_link_leads_to_its_question_in_the_readers_language(client, pair):
    english, french = pair
    comment = second_question_comment(english)
    comment.delete_by_author()
    response = client.get(url_in("fr", "comments:permalink", pk=comment.pk))
    assert response["Location"] == f"{review_url('fr', french)}#question-2"
    response = client.get(url_in("en", "comments:permalink", pk=comment.pk))
    assert response["Location"] == f"{review_url('en', english)}#question-2"
