"""Published plan API routes."""

from django.urls import path

from backend.plans.api import views

urlpatterns = [
    path(
        "consultations/<int:consultation_id>/plan/",
        views.PlanLatestView.as_view(),
        name="plan-latest",
    ),
    path(
        "consultations/<int:consultation_id>/plan/plan.csv",
        views.PlanLatestCsvView.as_view(),
        name="plan-latest-csv",
    ),
    path(
        "consultations/<int:consultation_id>/plan/versions/",
        views.PlanVersionListView.as_view(),
        name="plan-version-list",
    ),
    path(
        "consultations/<int:consultation_id>/plan/versions/<int:number>/",
        views.PlanVersionDetailView.as_view(),
        name="plan-version-detail",
    ),
    path(
        "consultations/<int:consultation_id>/plan/versions/<int:number>/plan.csv",
        views.PlanVersionCsvView.as_view(),
        name="plan-version-csv",
    ),
    path(
        "consultations/<int:consultation_id>/open-data.zip",
        views.OpenDataArchiveView.as_view(),
        name="consultation-open-data",
    ),
    path(
        "artifact-builds/<int:build_id>/",
        views.ArtifactBuildDetailView.as_view(),
        name="artifact-build-detail",
    ),
]
