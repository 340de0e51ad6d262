"""Notifications: the loop back to contributors (in-app, websocket, e-mail digest)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "backend.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Subscribing from here keeps the dependency one way: the publishing apps (synthesis,
        # programmes) never import notifications.
        from backend.notifications.subscribers import subscribe_all

        subscribe_all()
