"""Synthesis API routes."""

from django.urls import path

from backend.synthesis.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/clusters/",
        views.ConsultationClusterListView.as_view(),
        name="consultation-cluster-list",
    ),
    path("clusters/<int:cluster_id>/", views.ClusterDetailView.as_view(), name="cluster-detail"),
    path("merges/<int:merge_id>/undo/", views.MergeUndoView.as_view(), name="merge-undo"),
    path(
        "consultations/<int:consultation_id>/merge-log/",
        views.ConsultationMergeLogView.as_view(),
        name="consultation-merge-log",
    ),
    path(
        "consultations/<int:consultation_id>/candidate-actions/",
        views.ConsultationCandidateActionListView.as_view(),
        name="consultation-candidate-action-list",
    ),
    path(
        "candidate-actions/<int:action_id>/",
        views.CandidateActionDetailView.as_view(),
        name="candidate-action-detail",
    ),
    path(
        "candidate-actions/<int:action_id>/sources/",
        views.CandidateActionSourceListView.as_view(),
        name="candidate-action-sources",
    ),
    path(
        "candidate-actions/<int:action_id>/sources/<int:source_id>/",
        views.CandidateActionSourceDetailView.as_view(),
        name="candidate-action-source-detail",
    ),
    path(
        "candidate-actions/<int:action_id>/decision/",
        views.CandidateActionDecisionView.as_view(),
        name="candidate-action-decision",
    ),
    path(
        "candidate-actions/<int:action_id>/scores/",
        views.CandidateActionScoresView.as_view(),
        name="candidate-action-scores",
    ),
    path(
        "contributions/<int:contribution_id>/answer/",
        views.ContributionAnswerView.as_view(),
        name="contribution-answer",
    ),
    path(
        "consultations/<int:consultation_id>/unanswered-contributions/",
        views.ConsultationUnansweredContributionListView.as_view(),
        name="consultation-unanswered-contributions",
    ),
]
