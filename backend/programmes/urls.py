"""Routes of the readable regional plan page (outside the JSON API)."""

from django.urls import path

from backend.programmes import views

urlpatterns = [
    path(
        "programmes/<int:programme_id>/plan/", views.regional_plan_page, name="regional-plan-page"
    ),
    path(
        "programmes/<int:programme_id>/plan/versions/<int:number>/",
        views.regional_plan_page,
        name="regional-plan-page-version",
    ),
]
