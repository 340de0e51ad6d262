"""Websocket consumer: a signed-in person's own notifications, on all their devices."""

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from backend.accounts.models import User
from backend.notifications.realtime import person_group
from backend.notifications.selectors import notification_unread_count

CLOSE_UNAUTHENTICATED = 4401


@database_sync_to_async
def unread_count(user: User) -> int:
    return notification_unread_count(user=user)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Sends `notification.created` and `notification.read` to the person's sockets."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = person_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "unread_count": await unread_count(user)})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json(
            {
                "type": "error",
                "code": "unknown_message",
                "message": "Unknown message type; this channel only accepts ping.",
            }
        )

    async def realtime_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "event",
                "event": message["event"],
                "data": message["data"],
                "sent_at": message["sent_at"],
            }
        )
