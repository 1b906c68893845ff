from django.urls import path

from journalclub.page_cache import cache_anonymous_page

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("subscribe/", cache_anonymous_page(views.subscribe_page), name="page"),
    path("subscribe/email/", views.ask_by_email, name="ask"),
    path("subscribe/member/", views.member_subscription, name="member"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
