"""Websocket consumer: follow a regional programme (its actions, funding, follow-up, plan)."""

from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from backend.core import errors
from backend.core.users import AnyUser
from backend.core.websocket import TranslatedJsonConsumer, UnknownMessage
from backend.programmes.events import programme_group
from backend.programmes.models import Programme
from backend.programmes.selectors import programme_find_visible

CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def visible_programme(*, programme_id: int, user: AnyUser) -> Programme | None:
    return programme_find_visible(programme_id=programme_id, user=user)


class ProgrammeActivityConsumer(TranslatedJsonConsumer):
    """Sends the `programme.*`, `regional_action.*` and `regional_plan.*` events."""

    group: str | None = None

    async def connect(self) -> None:
        programme_id = int(self.scope["url_route"]["kwargs"]["programme_id"])
        programme = await visible_programme(programme_id=programme_id, user=self.scope.get("user"))
        if programme is None:
            await self.accept()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = programme_group(programme.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "programme": programme.pk})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        if content is None:
            await self.send_error(errors.ParseError(_("The message is not valid JSON.")))
            return
        await self.send_error(
            UnknownMessage(_("Unknown message type; this channel only accepts ping."))
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
