"""Structures API routes."""

from django.urls import path

from backend.structures.api.views import (
    StructureDetailView,
    StructureListView,
    StructureMembersView,
    StructureMemberView,
    StructureVerificationView,
)

urlpatterns = [
    path("structures/", StructureListView.as_view(), name="structure-list"),
    path("structures/<int:structure_id>/", StructureDetailView.as_view(), name="structure-detail"),
    path(
        "structures/<int:structure_id>/members/",
        StructureMembersView.as_view(),
        name="structure-members",
    ),
    path(
        "structures/<int:structure_id>/members/<int:user_id>/",
        StructureMemberView.as_view(),
        name="structure-member",
    ),
    path(
        "structures/<int:structure_id>/verification/",
        StructureVerificationView.as_view(),
        name="structure-verification",
    ),
]
