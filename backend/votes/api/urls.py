"""Votes API routes."""

from django.urls import path

from backend.votes.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/votes/",
        views.ConsultationVoteListView.as_view(),
        name="consultation-vote-list",
    ),
    path("votes/<int:vote_id>/", views.VoteDetailView.as_view(), name="vote-detail"),
    path("votes/<int:vote_id>/my-ballot/", views.MyBallotView.as_view(), name="vote-my-ballot"),
    path(
        "votes/<int:vote_id>/paper-ballots/",
        views.PaperBallotImportView.as_view(),
        name="vote-paper-ballots",
    ),
]
