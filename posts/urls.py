from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.ReviewListView.as_view(), name="review_list"),
    path("feed/", views.LatestReviewsFeed(), name="feed"),
    path("reviews/<slug:slug>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series_detail"),
]
