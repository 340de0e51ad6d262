"""Territories API routes."""

from django.urls import path

from backend.territories.api.views import (
    TerritoryChildrenView,
    TerritoryDetailView,
    TerritoryListView,
)

urlpatterns = [
    path("territories/", TerritoryListView.as_view(), name="territory-list"),
    path("territories/<int:territory_id>/", TerritoryDetailView.as_view(), name="territory-detail"),
    path(
        "territories/<int:territory_id>/children/",
        TerritoryChildrenView.as_view(),
        name="territory-children",
    ),
]
