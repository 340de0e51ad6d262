"""Moderation API routes (`comments/<id>/reports/` only: the rest of comments/ is theirs)."""

from django.urls import path

from backend.moderation.api import views

urlpatterns = [
    path(
        "contributions/<int:contribution_id>/reports/",
        views.ContributionReportView.as_view(),
        name="contribution-reports",
    ),
    path(
        "comments/<int:comment_id>/reports/",
        views.CommentReportView.as_view(),
        name="comment-reports",
    ),
    path(
        "consultations/<int:consultation_id>/moderation/queue/",
        views.ModerationQueueView.as_view(),
        name="moderation-queue",
    ),
    path(
        "consultations/<int:consultation_id>/moderation/hide/",
        views.ModerationHideView.as_view(),
        name="moderation-hide",
    ),
    path(
        "consultations/<int:consultation_id>/moderation/restore/",
        views.ModerationRestoreView.as_view(),
        name="moderation-restore",
    ),
    path(
        "consultations/<int:consultation_id>/moderation/log/",
        views.ModerationLogView.as_view(),
        name="moderation-log",
    ),
    path(
        "reports/<int:report_id>/dismiss/", views.ReportDismissView.as_view(), name="report-dismiss"
    ),
]
