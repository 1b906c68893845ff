"""The control that follows a question: a toggle button under the question, with its state."""

import pytest

from comments.models import QuestionFollow
from tests.factories import make_review, make_user

pytestmark = pytest.mark.django_db


def test_the_follow_button_sits_under_the_question_and_shows_its_state(client):
    review = make_review()
    member = make_user()
    client.force_login(member)
    page = client.get(review.get_absolute_url()).content.decode()
    question_one = page[page.index('id="question-1"') : page.index('id="question-2"')]
    button = (
        '<button type="submit" class="follow-button" aria-pressed="false">Follow'
        '<span class="visually-hidden"> question 1</span>'
        '<span aria-hidden="true"> this question</span></button>'
    )
    assert button in question_one
    assert question_one.index('class="question__text') < question_one.index(button)

    client.post(f"/questions/{review.questions.first().pk}/follow/")
    assert QuestionFollow.objects.filter(member=member).count() == 1
    page = client.get(review.get_absolute_url()).content.decode()
    question_one = page[page.index('id="question-1"') : page.index('id="question-2"')]
    assert (
        '<button type="submit" class="follow-button" aria-pressed="true">Following'
        '<span class="visually-hidden"> question 1</span> ✓ '
        '<span class="follow-button__stop">— stop</span></button>'
    ) in question_one
    question_two = page[page.index('id="question-2"') :]
    assert 'aria-pressed="false"' in question_two


def test_the_question_page_shows_the_same_button(client):
    review = make_review()
    client.force_login(make_user())
    page = client.get(f"/reviews/{review.slug}/questions/2/").content.decode()
    assert 'class="follow-button" aria-pressed="false">Follow' in page
    assert page.index("question__text") < page.index("follow-button")


def test_readers_who_cannot_take_part_see_no_follow_button(client):
    review = make_review()
    assert "follow-button" not in client.get(review.get_absolute_url()).content.decode()
