"""Invitations API routes."""

from django.urls import path

from backend.invitations.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/invitations/",
        views.ConsultationInvitationListView.as_view(),
        name="consultation-invitations",
    ),
    path(
        "structures/<int:structure_id>/invitations/",
        views.StructureInvitationListView.as_view(),
        name="structure-invitations",
    ),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
]
