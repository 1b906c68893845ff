import pytest
from django.contrib.auth.models import Group

from posts.models import Article, Review
from tests.factories import make_article, make_contributor, make_review, make_series, make_user

pytestmark = pytest.mark.django_db


def inline_forms(prefix: str, texts: list[str]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(texts)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, text in enumerate(texts):
        data[f"{prefix}-{index}-position"] = str(index + 1)
        data[f"{prefix}-{index}-text"] = text
    return data


def review_form(**overrides) -> dict:
    data = {
        "title": "Evidence in the real world",
        "slug": "evidence-in-the-real-world",
        "series": make_series().pk,
        "article": make_article().pk,
        "reviewer": make_contributor().pk,
        "standfirst": "A short introduction.",
        "background": "Why it matters.",
        "summary": "What they found.",
        "commentary": "What I think.",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "discussion_open": "on",
        **inline_forms("findings", ["First finding.", "Second finding."]),
        **inline_forms("questions", ["First question?", "Second question?", "Third question?"]),
    }
    data.update(overrides)
    return data


def test_editors_group_has_exactly_the_content_permissions():
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("content_type__app_label", "codename"))
    models = ["series", "article", "contributor", "review", "keyfinding", "question", "topic"]
    actions = ["add", "change", "delete", "view"]
    guidelines = {("flatpages", f"{a}_flatpage") for a in ["add", "change", "view"]}
    assert codenames == {("posts", f"{a}_{m}") for m in models for a in actions} | guidelines


def test_editor_creates_a_review_with_findings_and_questions_then_publishes_it(client):
    client.force_login(make_user(editor=True))
    response = client.post("/admin/posts/review/add/", review_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    review = Review.objects.get(slug="evidence-in-the-real-world")
    assert review.status == Review.Status.DRAFT
    assert [f.text for f in review.findings.all()] == ["First finding.", "Second finding."]
    assert [q.text for q in review.questions.all()] == [
        "First question?",
        "Second question?",
        "Third question?",
    ]
    assert list(client.get("/").context["reviews"]) == []

    response = client.post(
        "/admin/posts/review/",
        {"action": "publish", "_selected_action": [review.pk]},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_published
    client.logout()
    page = client.get(review.get_absolute_url())
    assert page.status_code == 200
    assert "Third question?" in page.content.decode()


def test_admin_form_rejects_a_malformed_doi_and_keeps_the_input(client):
    client.force_login(make_user(editor=True))
    response = client.post(
        "/admin/posts/article/add/",
        {"authors": "Doe, J.", "year": "2024", "title": "T", "journal": "J", "doi": "doi-ish"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a DOI such as 10.1177/26334895221105585." in html
    assert 'value="doi-ish"' in html


def test_editor_is_refused_the_user_and_group_admin(client):
    client.force_login(make_user(editor=True))
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/posts/review/").status_code == 200


def test_review_admin_offers_view_on_site_filters_and_search(client):
    review = make_review(title="Findable review")
    client.force_login(make_user(editor=True))
    listing = client.get("/admin/posts/review/?q=Findable&status__exact=published")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [review]
    change = client.get(f"/admin/posts/review/{review.pk}/change/").content.decode()
    assert "/admin/r/" in change  # "View on site" link
    assert "findings-TOTAL_FORMS" in change
    assert "questions-TOTAL_FORMS" in change


def test_rendered_html_fields_are_not_editable_in_the_admin(client):
    review = make_review()
    client.force_login(make_user(editor=True))
    form = client.get(f"/admin/posts/review/{review.pk}/change/").context["adminform"].form
    assert "commentary" in form.fields
    assert "commentary_html" not in form.fields


def test_admin_form_refuses_a_doi_already_used_and_links_to_that_article(client):
    existing = make_article(doi="10.1177/26334895221105585")
    client.force_login(make_user(editor=True))
    response = client.post(
        "/admin/posts/article/add/",
        {
            "authors": "Doe, J.",
            "year": "2024",
            "title": "T",
            "journal": "J",
            "doi": "https://doi.org/10.1177/26334895221105585",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "An article with this DOI already exists." in html
    assert f'<a href="/admin/posts/article/{existing.pk}/change/">Open it</a>' in html
    assert "is violated" not in html
    assert Article.objects.count() == 1


def test_admin_form_saves_an_article_again_with_its_own_doi(client):
    article = make_article(doi="10.1177/26334895221105585")
    client.force_login(make_user(editor=True))
    response = client.post(
        f"/admin/posts/article/{article.pk}/change/",
        {"authors": "Doe, J.", "year": "2024", "title": "New title", "journal": "J",
         "doi": "10.1177/26334895221105585"},
    )  # fmt: skip
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "New title"
