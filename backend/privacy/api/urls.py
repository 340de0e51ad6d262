"""Personal data API routes."""

from django.urls import path

from backend.privacy.api.views import (
    AccountErasureView,
    ParticipantCardErasureView,
    PersonalDataExportView,
)

urlpatterns = [
    path("me/export/", PersonalDataExportView.as_view(), name="me-export"),
    path("me/erasure/", AccountErasureView.as_view(), name="me-erasure"),
    path(
        "participant-cards/<int:card_id>/erasure/",
        ParticipantCardErasureView.as_view(),
        name="participant-card-erasure",
    ),
]
