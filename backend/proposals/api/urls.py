"""Proposals API routes."""

from django.urls import path

from backend.proposals.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/contributions/",
        views.ContributionListView.as_view(),
        name="contribution-list",
    ),
    path(
        "consultations/<int:consultation_id>/participant-cards/",
        views.ParticipantCardListView.as_view(),
        name="participant-card-list",
    ),
    path(
        "contributions/<int:contribution_id>/",
        views.ContributionDetailView.as_view(),
        name="contribution-detail",
    ),
    path(
        "contributions/<int:contribution_id>/publish/",
        views.ContributionPublishView.as_view(),
        name="contribution-publish",
    ),
    path(
        "contributions/<int:contribution_id>/withdraw/",
        views.ContributionWithdrawView.as_view(),
        name="contribution-withdraw",
    ),
    path(
        "contributions/<int:contribution_id>/versions/",
        views.ContributionVersionListView.as_view(),
        name="contribution-versions",
    ),
    path(
        "contributions/<int:contribution_id>/endorsement/",
        views.ContributionEndorsementView.as_view(),
        name="contribution-endorsement",
    ),
]
