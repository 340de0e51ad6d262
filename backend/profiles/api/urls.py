"""Profile API routes: /auth/register/, /auth/login/ and /me/."""

from django.urls import path

from backend.profiles.api import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("me/", views.MeView.as_view(), name="me"),
]
