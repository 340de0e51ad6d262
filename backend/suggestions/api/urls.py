"""Suggestions API routes."""

from django.urls import path

from backend.suggestions.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/similar-contributions/",
        views.SimilarContributionsView.as_view(),
        name="similar-contributions",
    ),
    path(
        "consultations/<int:consultation_id>/suggestion-runs/",
        views.SuggestionRunListView.as_view(),
        name="suggestion-run-list",
    ),
    path(
        "suggestion-runs/<int:run_id>/",
        views.SuggestionRunDetailView.as_view(),
        name="suggestion-run-detail",
    ),
]
