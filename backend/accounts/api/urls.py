"""Accounts API routes: /auth/ (CSRF, sign-out, tokens) and /me/password/ (sign-in,
registration and /me/ are `backend.profiles.api.urls`)."""

from django.urls import path

from backend.accounts.api import views

urlpatterns = [
    path("auth/csrf/", views.CsrfView.as_view(), name="auth-csrf"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", views.AccessTokenListCreateView.as_view(), name="auth-tokens"),
    path(
        "auth/tokens/<int:token_id>/",
        views.AccessTokenDetailView.as_view(),
        name="auth-token-detail",
    ),
    path("me/password/", views.PasswordChangeView.as_view(), name="me-password"),
]
