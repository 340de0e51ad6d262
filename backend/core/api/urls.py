"""Core API routes."""

from django.urls import path

from backend.core.api.views import HealthView

urlpatterns = [path("health/", HealthView.as_view(), name="health")]
