"""What every websocket consumer shares: the language of a connection and the error frame."""

import json
from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from backend.core import errors
from backend.core.exceptions import error_body

LANGUAGE_PARAMETER = "lang"


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def scope_language(scope: dict[str, Any]) -> str:
    """The language of a connection, chosen once at connect: the `lang` query parameter
    (`?lang=en`), else the handshake's Accept-Language, else French (as HTTP)."""
    query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
    for code in query.get(LANGUAGE_PARAMETER, [])[:1]:
        found = _supported(code.strip()[:16])
        if found:
            return found
    for name, value in scope.get("headers", []):
        if bytes(name).lower() == b"accept-language":
            header = bytes(value).decode("latin-1")[:256]
            for code, _quality in parse_accept_lang_header(header):
                found = _supported(code) if code != "*" else None
                if found:
                    return found
    return str(settings.LANGUAGE_CODE)


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' AuthMiddleware, without its trip to the database thread for a connection
    that has no session cookie (a phone joining a room): such a caller is anonymous."""

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        if settings.SESSION_COOKIE_NAME not in (scope.get("cookies") or {}):
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def auth_middleware_stack(inner: Any) -> Any:
    """Channels' AuthMiddlewareStack with SessionAuthMiddleware."""
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(inner)))


def error_frame(error: errors.ApplicationError, **extra: Any) -> dict[str, Any]:
    """An `error` message: the body of an HTTP error (`status`, `code`, `message`,
    `fields`, `details`) with `type: "error"` and the channel's own keys (`ref`, ...)."""
    return {"type": "error", **extra, **error_body(error)}


class TranslatedJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON consumer whose handlers all run in the connection's language, with no database
    hop per message.

    Channels' own dispatch first runs `close_old_connections` on its single database thread
    for every message (a pong too): with 1,000 phones that thread becomes the queue every
    message waits in. Our consumers touch the database only through
    `database_sync_to_async` helpers, which close old connections themselves around each
    call, so a message that needs no database costs none.
    """

    language: str = ""

    async def dispatch(self, message: dict[str, Any]) -> None:
        if not self.language:
            self.language = scope_language(self.scope)
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        with translation.override(self.language):
            await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """As Channels', without its `close_old_connections` on the database thread: 1,000
        phones leaving at once would queue there."""
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.disconnect(message["code"])
        raise StopConsumer()

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        """None for a frame that is not JSON (answered with `parse_error`)."""
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    async def send_error(self, error: errors.ApplicationError, **extra: Any) -> None:
        await self.send_json(error_frame(error, **extra))


class UnknownMessage(errors.BadRequest):
    """A websocket message of a type the channel does not take."""

    code = "unknown_message"
    default_message = _("Unknown message type.")


class InvalidMessage(errors.ValidationFailed):
    """A websocket message that does not match its JSON Schema (`fields` says where)."""

    code = "invalid_message"
