"""Websocket consumer: follow the public activity of one consultation."""

from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from backend.consultations.models import Consultation
from backend.consultations.selectors import consultation_find_visible
from backend.core import errors
from backend.core.realtime import consultation_group
from backend.core.users import AnyUser
from backend.core.websocket import TranslatedJsonConsumer, UnknownMessage

# Close codes (4000 + the HTTP status they mirror), listed in frontend-contract/.
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def visible_consultation(*, consultation_id: int, user: AnyUser) -> Consultation | None:
    return consultation_find_visible(consultation_id=consultation_id, user=user)


class ConsultationActivityConsumer(TranslatedJsonConsumer):
    """Sends `event` messages when contributions of the consultation change."""

    group: str | None = None

    async def connect(self) -> None:
        consultation_id = int(self.scope["url_route"]["kwargs"]["consultation_id"])
        consultation = await visible_consultation(
            consultation_id=consultation_id, user=self.scope.get("user")
        )
        if consultation is None:
            # Accept first: a close before accept is a bare HTTP 403 the client cannot read.
            await self.accept()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = consultation_group(consultation.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "consultation": consultation.pk})

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
