"""Routes of the readable plan page (outside the JSON API)."""

from django.urls import path

from backend.plans import views

urlpatterns = [
    path("consultations/<int:consultation_id>/plan/", views.plan_page, name="plan-page"),
    path(
        "consultations/<int:consultation_id>/plan/versions/<int:number>/",
        views.plan_page,
        name="plan-page-version",
    ),
]
