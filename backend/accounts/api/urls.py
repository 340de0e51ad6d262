"""Accounts API routes: /auth/ (sign-in, tokens) and /me/ (profile)."""

from django.urls import path

from backend.accounts.api import views

urlpatterns = [
    path("auth/csrf/", views.CsrfView.as_view(), name="auth-csrf"),
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", views.AccessTokenListCreateView.as_view(), name="auth-tokens"),
    path(
        "auth/tokens/<int:token_id>/",
        views.AccessTokenDetailView.as_view(),
        name="auth-token-detail",
    ),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/password/", views.PasswordChangeView.as_view(), name="me-password"),
]
