"""Websocket routes."""

from django.urls import path

from backend.consultations.consumers import ConsultationActivityConsumer

websocket_urlpatterns = [
    path(
        "ws/v1/consultations/<int:consultation_id>/",
        ConsultationActivityConsumer.as_asgi(),
        name="ws-consultation-activity",
    ),
]
