"""Notifications API routes: the signed-in person's own, and the one-click unsubscribe."""

from django.urls import path

from backend.notifications.api import views

urlpatterns = [
    path("me/notifications/", views.NotificationListView.as_view(), name="me-notifications"),
    path(
        "me/notifications/unread-count/",
        views.NotificationUnreadCountView.as_view(),
        name="me-notifications-unread-count",
    ),
    path(
        "me/notifications/read-all/",
        views.NotificationsReadAllView.as_view(),
        name="me-notifications-read-all",
    ),
    path(
        "me/notifications/<int:notification_id>/read/",
        views.NotificationReadView.as_view(),
        name="me-notification-read",
    ),
    path(
        "me/notification-preferences/",
        views.NotificationPreferenceView.as_view(),
        name="me-notification-preferences",
    ),
    path(
        "candidate-actions/<int:action_id>/comments/",
        views.CandidateActionCommentListView.as_view(),
        name="candidate-action-comment-list",
    ),
    path(
        "regional-actions/<int:action_id>/comments/",
        views.RegionalActionCommentListView.as_view(),
        name="regional-action-comment-list",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.DigestUnsubscribeView.as_view(),
        name="notification-unsubscribe",
    ),
]
