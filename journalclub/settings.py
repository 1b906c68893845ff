"""Settings for Journal Club, read from the environment.

Every value a deployment may change comes from an environment variable; the defaults
suit a developer's machine (SQLite, console email) except that DEBUG is off unless set.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off): {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: python -c "
            "'from django.core.management.utils import get_random_secret_key as k; print(k())'"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "Journal Club")
# The sites framework (for the flat pages: the community guidelines) names this one site;
# its domain, set from here by a migration, is the one feeds and sitemaps link to.
SITE_ID = 1
SITE_DOMAIN = env_str(
    "SITE_DOMAIN", "localhost:8000" if DEBUG else next(iter(ALLOWED_HOSTS), "localhost").lstrip(".")
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
    "accounts",
    "posts",
    "comments",
    "search",
    "outbox",
    "subscriptions",
    "journalclub",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The language comes from the address (/fr/…, else English), which the page cache and
    # CommonMiddleware resolve: activated before both. It reads no session (Django ≥ 4).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A 400 for control characters in the address, before anything reads it.
    "journalclub.inputs.RefuseHostileQueriesMiddleware",
    # A reader who chose French is sent from an English address to its French one before a
    # cached English page can be served to them.
    "journalclub.languages.PreferredLanguageMiddleware",
    # Cached pages for readers without a session leave here; everything above still
    # applies to them.
    "journalclub.page_cache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "journalclub.times.ActivateTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.RequireTwoFactorForStaffMiddleware",
    "accounts.middleware.TrustedBrowserMiddleware",
]

ROOT_URLCONF = "journalclub.urls"
WSGI_APPLICATION = "journalclub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "journalclub.languages.language_links",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "journalclub.context_processors.site",
                "comments.context_processors.moderation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database is unreachable instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for pages, rate limits and allauth's limits: Redis when REDIS_URL is set, so that
# every app server shares it (Django's RedisCache, see journalclub/cache.py); otherwise this
# process's memory.
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "journalclub.cache.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "journalclub"),
            # A Redis that hangs costs a request a quarter of a second, once (cache.py).
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for the cards of a few long discussions (journalclub/page_cache.py).
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# URL names, not paths: after signing in or out, the home page in the language of the page
# the member was on (/fr/ from /fr/accounts/login/).
LOGIN_REDIRECT_URL = "posts:review_list"
ACCOUNT_LOGOUT_REDIRECT_URL = "posts:review_list"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English pages have today's addresses, French ones start with /fr/ (journalclub/urls.py).
LANGUAGES = [("en", "English"), ("fr", "Français")]
# The project's catalogues, the first listed winning: locale_overrides/ rewrites some of
# django-allauth's own strings (English in sentence case; French in the site's register, with
# « courriel » and French typography), by hand; locale/ is the French of the project's code,
# which `make messages` extracts. `make compile-messages` builds the .mo files of both.
LOCALE_PATHS = [BASE_DIR / "locale_overrides", BASE_DIR / "locale"]
# Members may choose their own zone (accounts.User.time_zone); times show their zone.
TIME_ZONE = env_str("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: the console by default; set EMAIL_BACKEND=smtp (or a backend's dotted path) and the
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/SSL variables.
EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = EMAIL_BACKENDS.get(env_str("EMAIL_BACKEND", "console"), env_str("EMAIL_BACKEND"))
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": {}}}
if _email_backend == EMAIL_BACKENDS["smtp"]:
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "use_ssl": env_bool("EMAIL_USE_SSL"),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Journal Club <journalclub@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Where members write to ask for a moderator's decision to be reviewed (the Reply-To of the
# emails that tell them of one).
MODERATION_CONTACT_EMAIL = env_str("MODERATION_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)

# HTTPS and browser protections. Production defaults are strict; a development server
# (DEBUG on) speaks plain HTTP.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # our forms carry the token; no script reads the cookie
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
)
# Behind a proxy every request comes from the proxy's address: allauth's per-address rate
# limits would then hold for everyone at once. Count the proxies whose X-Forwarded-For is
# trusted (one TLS-terminating proxy by default), or name a header that carries the client's
# address (CLIENT_IP_HEADER, e.g. X-Real-IP).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_HTTPS_PROXY") else 0
)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER") or None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # ORCID's sign-in page, which exists once ORCID sign-in is configured, adds ORCID here
    # (accounts.views.orcid_login).
    "form-action": [CSP.SELF],
}

LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json: {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "journalclub.logs.JSONLinesFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Reader pages
REVIEWS_PER_PAGE = env_int("REVIEWS_PER_PAGE", 20)

# Members sign in with django-allauth: by email, which must be verified before they post.
ACCOUNT_LOGIN_METHODS = {"email"}
# Sign-up and password reset answer the same whether or not an address has an account;
# allauth's rate limits (ACCOUNT_RATE_LIMITS, on by default) slow down failed sign-ins,
# except that a stranger's cannot lock a member out of a browser their account trusts
# (accounts/trust.py).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the address (a button on the link's page: scanners open links, they don't post
# forms) signs in the member who signed up in this browser and takes them back to the page
# they came from (the sign-up form's `next`).
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Members are greeted by their display name; usernames are internal and never shown.
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
# Changing addresses, the password, sign-in apps or deleting the account asks to confirm
# access (the password again) unless the member signed in or confirmed it recently.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Signing in counts as confirming access to the account (accounts/adapter.py) for this long:
# time enough to install an authenticator app and set it up without the password again.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("ACCOUNT_REAUTHENTICATION_TIMEOUT", 15 * 60)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# Sign-in apps work whichever sites they are linked to: this is a single site.
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# ORCID sign-in shows up once configured: here from the environment, or as a SocialApp
# added in the admin.
SOCIALACCOUNT_PROVIDERS = {"orcid": {"BASE_DOMAIN": "orcid.org", "MEMBER_API": False}}
if env_str("ORCID_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["orcid"]["APPS"] = [
        {"client_id": env_str("ORCID_CLIENT_ID"), "secret": env_str("ORCID_SECRET"), "key": ""}
    ]

# Two-factor authentication (TOTP apps and recovery codes) for every member; required for
# staff and moderators before the admin and the moderation pages open to them.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)
# Sessions are listed with where and when they started; tracking every request's activity
# would add a write to page views.
USERSESSIONS_TRACK_ACTIVITY = False

# Discussion
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 5)
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 10_000)
COMMENTS_EDIT_WINDOW_MINUTES = env_int("COMMENTS_EDIT_WINDOW_MINUTES", 30)
COMMENTS_PER_MINUTE = env_int("COMMENTS_PER_MINUTE", 5)
# A review page shows the first conversations of each question, a question page 20 at a
# time; a long conversation shows its first comments there, and in full on its own page.
COMMENTS_THREADS_ON_REVIEW_PAGE = env_int("COMMENTS_THREADS_ON_REVIEW_PAGE", 50)
COMMENTS_THREADS_PER_PAGE = env_int("COMMENTS_THREADS_PER_PAGE", 20)
COMMENTS_SHOWN_PER_THREAD = env_int("COMMENTS_SHOWN_PER_THREAD", 6)
COMMENTS_FLAGS_PER_MINUTE = env_int("COMMENTS_FLAGS_PER_MINUTE", 5)
COMMENTS_AUTO_HIDE_FLAGS = env_int("COMMENTS_AUTO_HIDE_FLAGS", 3)
COMMENTS_PREMODERATION = env_bool("COMMENTS_PREMODERATION", False)
MODERATION_PER_PAGE = env_int("MODERATION_PER_PAGE", 25)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
PAGE_CACHE_LOCAL_BYTES = env_int("PAGE_CACHE_LOCAL_BYTES", 16 * 1024 * 1024)
ACCOUNT_DELETION_KEEPS_TEXT = env_bool("ACCOUNT_DELETION_KEEPS_TEXT", False)

# Background work: Django's Tasks framework. Emails and fan-out are tasks, enqueued in the
# transaction of the change that causes them and run by `manage.py db_worker` (started by
# `make run`). The embedded queue is the database; another backend can be named here.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Each email is tried this many times, the delays growing to half an hour (outbox.models).
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 6)
