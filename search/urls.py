from django.urls import path

from . import views

app_name = "search"

# Not wrapped in the page cache: every query string is a different page, and the cache only
# keeps pages whose query string is a page number.
urlpatterns = [path("", views.search, name="results")]
