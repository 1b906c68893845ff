from django.urls import path

from journalclub.page_cache import cache_anonymous_page, question_scope, review_scope

from . import views
from .feeds import ReviewCommentsFeed

app_name = "comments"

urlpatterns = [
    path(
        "reviews/<slug:slug>/questions/<int:number>/",
        cache_anonymous_page(views.question_detail, scope=question_scope),
        name="question_detail",
    ),
    path("reviews/<slug:slug>/comments/", views.post_comment, name="post"),
    path("reviews/<slug:slug>/export.<str:fmt>", views.export_discussion, name="export"),
    path(
        "reviews/<slug:slug>/comments/feed/",
        cache_anonymous_page(ReviewCommentsFeed(), scope=review_scope),
        name="feed",
    ),
    path("questions/<int:pk>/follow/", views.follow, name="follow"),
    path(
        "follows/unsubscribe/<str:token>/",
        views.unsubscribe,
        {"purpose": "follow"},
        name="unsubscribe_follow",
    ),
    path(
        "accounts/unsubscribe/<str:token>/",
        views.unsubscribe,
        {"purpose": "replies"},
        name="unsubscribe_replies",
    ),
    path("accounts/delete/", views.delete_account, name="delete_account"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path(
        "comments/<int:pk>/conversation/",
        cache_anonymous_page(views.conversation),
        name="conversation",
    ),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/flag/", views.flag, name="flag"),
    path("comments/<int:pk>/hide/", views.hide, name="hide"),
    path("comments/<int:pk>/unhide/", views.unhide, name="unhide"),
    path("comments/<int:pk>/approve/", views.approve, name="approve"),
    path("comments/<int:pk>/dismiss-flags/", views.dismiss_flags, name="dismiss_flags"),
    path("moderation/", views.queue, name="queue"),
    path("moderation/log/", views.log, name="log"),
    path("moderation/members/<int:pk>/", views.member, name="member"),
]
