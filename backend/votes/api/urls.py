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
    path("votes/<int:vote_id>/close/", views.VoteCloseView.as_view(), name="vote-close"),
    path("votes/<int:vote_id>/results/", views.VoteResultsView.as_view(), name="vote-results"),
    path(
        "votes/<int:vote_id>/results/breakdown/",
        views.VoteResultBreakdownView.as_view(),
        name="vote-result-breakdown",
    ),
    path(
        "votes/<int:vote_id>/ballots.csv",
        views.VoteBallotFileView.as_view(),
        name="vote-ballot-file",
    ),
]
