"""Deployment settings, security headers and the Content-Security-Policy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tests.factories import make_comment, make_review, make_user

ROOT = Path(__file__).resolve().parent.parent.parent

# Variables of this test run that a production server would not have.
LOCAL_ONLY = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-like-secret-key-with-plenty-of-entropy-0123456789abcdef",
    "ALLOWED_HOSTS": "club.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://club.example.org",
    "DATABASE_URL": "postgres://journalclub@db.example.org:5432/journalclub",
    "BEHIND_HTTPS_PROXY": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "EMAIL_BACKEND": "smtp",
    "EMAIL_HOST": "smtp.example.org",
}


def test_check_deploy_reports_nothing_with_the_documented_production_environment():
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_ONLY}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


@pytest.fixture
def pages(db):
    review = make_review()
    comment = make_comment(question=review.questions.first())
    return {
        "home": "/",
        "review": review.get_absolute_url(),
        "question": f"/reviews/{review.slug}/questions/1/",
        "feed": "/feed/",
        "sign in": "/accounts/login/",
        "sign up": "/accounts/signup/",
        "admin login": "/admin/login/?next=/admin/",
        "permalink": comment.get_absolute_url(),
        "not found": "/no-such-page/",
    }


def assert_security_headers(response, name):
    assert response["Content-Security-Policy"] == EXPECTED_CSP, name
    assert response["X-Content-Type-Options"] == "nosniff", name
    assert response["Referrer-Policy"] == "same-origin", name
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
    assert response["X-Frame-Options"] == "DENY", name


@pytest.mark.django_db
def test_every_page_type_carries_the_headers(client, pages):
    for name, url in pages.items():
        assert_security_headers(client.get(url), name)


@pytest.mark.django_db
def test_member_moderation_and_admin_pages_carry_the_headers(client, pages):
    moderator = make_user(is_staff=True, is_superuser=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    for url in ["/moderation/", "/moderation/log/", "/admin/", "/admin/posts/review/",
                "/accounts/profile/", pages["review"]]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_cookies_are_secure_and_http_only():
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_ONLY}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='journalclub.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE,"
        " s.CSRF_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, **PRODUCTION_ENV},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.split() == ["True"] * 5, result.stderr
