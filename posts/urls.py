from django.urls import path

from journalclub.page_cache import cache_anonymous_page, review_scope

from . import views

app_name = "posts"

urlpatterns = [
    path("", cache_anonymous_page(views.ReviewListView.as_view()), name="review_list"),
    path("feed/", cache_anonymous_page(views.LatestReviewsFeed()), name="feed"),
    path(
        "reviews/<slug:slug>/",
        cache_anonymous_page(views.ReviewDetailView.as_view(), scope=review_scope),
        name="review_detail",
    ),
    path("topics/", cache_anonymous_page(views.TopicListView.as_view()), name="topic_list"),
    path(
        "topics/<slug:slug>/",
        cache_anonymous_page(views.TopicDetailView.as_view()),
        name="topic_detail",
    ),
    path(
        "series/<slug:slug>/",
        cache_anonymous_page(views.SeriesDetailView.as_view()),
        name="series_detail",
    ),
]
