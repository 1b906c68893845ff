from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from posts.sitemaps import SITEMAPS

from . import languages, views

admin.site.site_header = _("Journal Club editors")
admin.site.site_title = _("Journal Club admin")
# The admin signs in through allauth, so two-factor authentication and rate limits apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Pages that do not name an icon (the admin's) make browsers ask for this one.
    path("favicon.ico", views.favicon),
    path("robots.txt", views.robots_txt),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("i18n/setlang/", languages.set_language, name="set_language"),
]
# Pages in English at their own addresses, in French under /fr/: a shared link opens in the
# language it was shared in (journalclub/languages.py).
urlpatterns += i18n_patterns(
    path("", include("posts.urls")),
    path("", include("comments.urls")),
    path("search/", include("search.urls")),
    path("", include("subscriptions.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # Editors write the community guidelines in the admin (Flat pages): /guidelines/ in
    # English, /fr/guidelines/ in French (journalclub.views.guidelines).
    path("guidelines/", views.guidelines, name="guidelines"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "journalclub.views.bad_request"
handler500 = "journalclub.views.server_error"
