from django.urls import path, re_path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    # In place of allauth's own views at these addresses (allauth.urls comes after).
    path("2fa/totp/activate/", views.ActivateTOTPView.as_view()),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", views.ConfirmEmailView.as_view()),
    path("2fa/recovery-codes/", views.ViewRecoveryCodesView.as_view()),
    path("orcid/login/", views.orcid_login),
]
