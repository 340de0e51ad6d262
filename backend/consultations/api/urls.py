"""Consultations API routes."""

from django.urls import path

from backend.consultations.api import views

urlpatterns = [
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("consultations/", views.ConsultationListView.as_view(), name="consultation-list"),
    path(
        "consultations/<int:consultation_id>/",
        views.ConsultationDetailView.as_view(),
        name="consultation-detail",
    ),
    path(
        "consultations/<int:consultation_id>/phases/",
        views.ConsultationPhasesView.as_view(),
        name="consultation-phases",
    ),
    path(
        "consultations/<int:consultation_id>/publish/",
        views.ConsultationPublishView.as_view(),
        name="consultation-publish",
    ),
    path(
        "consultations/<int:consultation_id>/archive/",
        views.ConsultationArchiveView.as_view(),
        name="consultation-archive",
    ),
    path(
        "consultations/<int:consultation_id>/roles/",
        views.ConsultationRoleListView.as_view(),
        name="consultation-roles",
    ),
    path(
        "consultations/<int:consultation_id>/roles/<int:role_id>/",
        views.ConsultationRoleDetailView.as_view(),
        name="consultation-role-detail",
    ),
    path(
        "consultations/<int:consultation_id>/replicate/",
        views.ConsultationReplicateView.as_view(),
        name="consultation-replicate",
    ),
    path(
        "consultations/<int:consultation_id>/permissions/",
        views.ConsultationPermissionsView.as_view(),
        name="consultation-permissions",
    ),
]
