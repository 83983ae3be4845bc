"""Password reset by email: /accounts/password-reset/... (Django's views, our templates)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from axiomatic.accounts import views

reset = views.PasswordResetRequestView.as_view()

urlpatterns = [
    path("password-reset/", reset, name="password_reset"),
    # The admin's login page links to a view of this name when one exists.
    path("password-reset/", reset, name="admin_password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
