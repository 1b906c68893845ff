from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path(
        "reviews/<slug:slug>/questions/<int:number>/",
        views.question_detail,
        name="question_detail",
    ),
    path("reviews/<slug:slug>/comments/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
]
