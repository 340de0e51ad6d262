"""Comments API routes."""

from django.urls import path

from backend.comments.api import views

urlpatterns = [
    path(
        "contributions/<int:contribution_id>/comments/",
        views.ContributionCommentListView.as_view(),
        name="contribution-comment-list",
    ),
    path(
        "comments/<int:comment_id>/",
        views.CommentDetailView.as_view(),
        name="comment-detail",
    ),
]
