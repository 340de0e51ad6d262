"""Live workshops API routes."""

from django.urls import path

from backend.workshops.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/workshops/",
        views.ConsultationWorkshopListView.as_view(),
        name="consultation-workshop-list",
    ),
    path("workshops/join/<str:code>/", views.WorkshopJoinView.as_view(), name="workshop-join"),
    path(
        "workshops/<int:workshop_id>/", views.WorkshopDetailView.as_view(), name="workshop-detail"
    ),
    path(
        "workshops/<int:workshop_id>/open/", views.WorkshopOpenView.as_view(), name="workshop-open"
    ),
    path(
        "workshops/<int:workshop_id>/close/",
        views.WorkshopCloseView.as_view(),
        name="workshop-close",
    ),
    path(
        "workshops/<int:workshop_id>/activities/",
        views.WorkshopActivityListView.as_view(),
        name="workshop-activity-list",
    ),
    path(
        "workshops/<int:workshop_id>/activities/<int:activity_id>/start/",
        views.ActivityStartView.as_view(),
        name="workshop-activity-start",
    ),
    path(
        "workshops/<int:workshop_id>/activities/<int:activity_id>/stop/",
        views.ActivityStopView.as_view(),
        name="workshop-activity-stop",
    ),
    path(
        "workshops/<int:workshop_id>/activities/<int:activity_id>/results-visibility/",
        views.ActivityResultsVisibilityView.as_view(),
        name="workshop-activity-results-visibility",
    ),
    path(
        "workshops/<int:workshop_id>/activities/<int:activity_id>/results/",
        views.ActivityResultsView.as_view(),
        name="workshop-activity-results",
    ),
    path(
        "workshops/<int:workshop_id>/activities/<int:activity_id>/answers/",
        views.ActivityAnswerView.as_view(),
        name="workshop-activity-answers",
    ),
    path(
        "workshops/<int:workshop_id>/participants/",
        views.WorkshopParticipantListView.as_view(),
        name="workshop-participants",
    ),
    path(
        "workshops/<int:workshop_id>/participants/<int:participant_id>/void/",
        views.WorkshopParticipantVoidView.as_view(),
        name="workshop-participant-void",
    ),
    path(
        "workshops/<int:workshop_id>/ideas/",
        views.WorkshopIdeaListView.as_view(),
        name="workshop-ideas",
    ),
    path(
        "workshops/<int:workshop_id>/ideas/<int:idea_id>/moderate/",
        views.IdeaModerateView.as_view(),
        name="workshop-idea-moderate",
    ),
]
