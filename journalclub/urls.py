from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Journal Club editors"
admin.site.site_title = "Journal Club admin"

urlpatterns = [
    path("", include("posts.urls")),
    path("", include("comments.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler500 = "journalclub.views.server_error"
