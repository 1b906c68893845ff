"""Test settings: production settings (DEBUG off) with a throwaway secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 50)

from journalclub.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests do not run collectstatic: serve static files from the source folders.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Staff and moderators made by the factories have no authenticator; tests of the
# two-factor rule turn it back on.
MFA_REQUIRED_FOR_STAFF = False
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
WHITENOISE_AUTOREFRESH = True
# Feeds and sitemaps link to the site's domain (set by a migration): the test client's.
SITE_DOMAIN = "testserver"
