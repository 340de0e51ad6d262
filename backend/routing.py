"""Websocket routes."""

from django.urls import path

from backend.consultations.consumers import ConsultationActivityConsumer
from backend.notifications.consumers import NotificationConsumer
from backend.programmes.consumers import ProgrammeActivityConsumer
from backend.workshops.consumers import WorkshopConsumer

websocket_urlpatterns = [
    path(
        "ws/v1/consultations/<int:consultation_id>/",
        ConsultationActivityConsumer.as_asgi(),
        name="ws-consultation-activity",
    ),
    path(
        "ws/v1/programmes/<int:programme_id>/",
        ProgrammeActivityConsumer.as_asgi(),
        name="ws-programme-activity",
    ),
    path(
        "ws/v1/me/notifications/",
        NotificationConsumer.as_asgi(),
        name="ws-me-notifications",
    ),
    path(
        "ws/v1/workshops/<int:workshop_id>/",
        WorkshopConsumer.as_asgi(),
        name="ws-workshop",
    ),
]
