"""Websocket consumer of a live workshop (protocol: frontend-contract/live/)."""

import asyncio
import functools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.consultations.policies import is_signed_in
from backend.core import errors
from backend.core.websocket import (
    InvalidMessage,
    TranslatedJsonConsumer,
    UnknownMessage,
    error_frame,
)
from backend.workshops import selectors, services
from backend.workshops.devices import DEVICE_COOKIE
from backend.workshops.domain import Replay, TokenBucket, replay_plan
from backend.workshops.errors import ParticipationRefused
from backend.workshops.hub import HUBS, WorkshopHub, hub_attach, hub_detach
from backend.workshops.models import EventAudience, Participant, WorkshopStatus
from backend.workshops.policies import can_run_workshop, can_view_workshop
from backend.workshops.protocol import CLIENT_TYPES, echoable_ref, problems
from backend.workshops.realtime import activity_data, idea_data, participant_data, workshop_data

logger = logging.getLogger(__name__)

# Close codes: 4000 + the HTTP status they mirror (frontend-contract/errors.md).
CLOSE_PROTOCOL = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_REFUSED = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_HEARTBEAT = 4408
CLOSE_NOT_OPEN = 4409
CLOSE_TOO_LARGE = 4413
CLOSE_THROTTLED = 4429
CLOSE_TRY_AGAIN = 1013

ANSWERS = frozenset({"ballot.submit", "poll.answer", "idea.submit"})
# Joins and answers per client address, in this server process (a room behind one Wi-Fi
# shares an address: the defaults let a full room in; they stop floods, not a careful
# stuffer, whom the participation rule, the anonymous counts and voiding answer).
ADDRESS_BUCKETS_LIMIT = 10_000
JOIN_BUCKETS: dict[str, TokenBucket] = {}
ANSWER_BUCKETS: dict[str, TokenBucket] = {}


def _address_bucket(
    buckets: dict[str, TokenBucket], address: str, *, burst: int, rate: int
) -> TokenBucket:
    bucket = buckets.get(address)
    if bucket is None:
        if len(buckets) >= ADDRESS_BUCKETS_LIMIT:
            buckets.clear()  # bounded memory; forgetting costs a few extra allowances
        bucket = buckets[address] = TokenBucket(burst=burst, rate=rate)
    return bucket


# Messages queued for one connection (events, results, presence) before it counts as too slow.
OUTBOX_LIMIT = 1000

FACILITATOR_COMMANDS = frozenset(
    {"activity.start", "activity.stop", "activity.results", "idea.moderate", "workshop.close"}
)


class JoinRefused(Exception):
    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(code)


@dataclass
class Joined:
    role: str
    participant: Participant | None
    resume_token: str | None
    last_seq: int
    replay: str
    messages: list[dict[str, Any]]
    # A participant who has answered nothing yet gets the hub's shared snapshot.
    shared_snapshot: bool
    results_activity: int | None


_workshop_exists = database_sync_to_async(selectors.workshop_exists)
_token_user = database_sync_to_async(selectors.user_for_access_token)


def _join(
    *,
    workshop_id: int,
    user: Any,
    resume_token: str | None,
    display_name: str,
    last_seq: int | None,
    device_token: str | None = None,
) -> Joined:
    """Who joins and what they get first, in one trip to the database (a thread of the pool:
    joins run side by side, each on its own pooled connection)."""
    started = timezone.now()
    services.activities_expire_due(workshop_id=workshop_id)
    workshop = selectors.workshop_for_join(workshop_id=workshop_id)
    if workshop is None:
        raise JoinRefused(CLOSE_NOT_FOUND)
    is_facilitator = can_run_workshop(user=user, obj=workshop)
    if not is_facilitator:
        if not can_view_workshop(user=user, obj=workshop):
            raise JoinRefused(CLOSE_NOT_FOUND)
        if workshop.status != WorkshopStatus.OPEN:
            raise JoinRefused(CLOSE_NOT_OPEN)
    participant: Participant | None = None
    new_token: str | None = None
    if is_signed_in(user) or not is_facilitator:
        try:
            participant, new_token = services.participant_join(
                workshop=workshop,
                user=user,
                resume_token=resume_token,
                display_name=display_name,
                device_token=device_token,
            )
        except ParticipationRefused as exc:
            raise JoinRefused(CLOSE_REFUSED) from exc
        except errors.AuthenticationFailed as exc:
            raise JoinRefused(CLOSE_UNAUTHENTICATED) from exc
        except errors.Conflict as exc:
            raise JoinRefused(CLOSE_TRY_AGAIN) from exc
    current = workshop.last_seq
    messages: list[dict[str, Any]] = []
    replay = replay_plan(last_seq=last_seq, current=current, window=settings.WORKSHOP_REPLAY_WINDOW)
    fresh = (
        participant is not None
        and not is_facilitator
        and participant.created_at >= started
        and replay == Replay.SNAPSHOT
    )
    if replay == Replay.EVENTS:
        assert last_seq is not None
        messages = [
            selectors.event_message(event)
            for event in selectors.events_after(
                workshop_id=workshop_id,
                after=last_seq,
                until=current,
                is_facilitator=is_facilitator,
            )
        ]
    elif replay == Replay.SNAPSHOT and not fresh:
        snapshot = selectors.workshop_snapshot(
            workshop_id=workshop_id, participant=participant, is_facilitator=is_facilitator
        )
        current = snapshot["seq"]
        messages = [snapshot]
    return Joined(
        role="facilitator" if is_facilitator else "participant",
        participant=participant,
        resume_token=new_token,
        last_seq=current,
        replay=replay,
        messages=messages,
        shared_snapshot=fresh,
        results_activity=selectors.results_activity_id(workshop=workshop),
    )


_join_async = database_sync_to_async(_join, thread_sensitive=False)


def _join_new(*, workshop_id: int, display_names: list[str]) -> list[Joined]:
    """Phones joining for the first time with neither account, token nor device id, that
    arrived together (the hub's join batcher): the workshop read once, one transaction for
    all their cards and participants, and the hub's shared snapshot for each. The same
    checks as `_join` for an anonymous caller; a refusal closes every join of the batch."""
    services.activities_expire_due(workshop_id=workshop_id)
    workshop = selectors.workshop_for_join(workshop_id=workshop_id)
    anonymous = AnonymousUser()
    if workshop is None or not can_view_workshop(user=anonymous, obj=workshop):
        raise JoinRefused(CLOSE_NOT_FOUND)
    if workshop.status != WorkshopStatus.OPEN:
        raise JoinRefused(CLOSE_NOT_OPEN)
    try:
        joined = services.participants_join_new(workshop=workshop, display_names=display_names)
    except ParticipationRefused as exc:
        raise JoinRefused(CLOSE_REFUSED) from exc
    results_activity = selectors.results_activity_id(workshop=workshop)
    return [
        Joined(
            role="participant",
            participant=participant,
            resume_token=token,
            last_seq=workshop.last_seq,
            replay=Replay.SNAPSHOT,
            messages=[],
            shared_snapshot=True,
            results_activity=results_activity,
        )
        for participant, token in joined
    ]


_join_new_async = database_sync_to_async(_join_new, thread_sensitive=False)


async def _join_new_batch(display_names: list[str], *, workshop_id: int) -> list[Joined]:
    return await _join_new_async(workshop_id=workshop_id, display_names=display_names)


def _activity(workshop_id: int, activity_id: int) -> Any:
    return selectors.activity_of_workshop(workshop_id=workshop_id, activity_id=activity_id)


def _workshop(workshop_id: int) -> Any:
    return selectors.workshop_with_consultation(workshop_id=workshop_id)


def _answerer(
    *, workshop_id: int, user: Any, participant: Participant | None, card: int | None
) -> tuple[Participant, Any]:
    """Who answers: a card the facilitator speaks for, or the connection's participant."""
    if card is not None:
        if not is_signed_in(user):
            raise errors.PermissionDenied()
        return (
            services.participant_for_card(by=user, workshop=_workshop(workshop_id), card_id=card),
            user,
        )
    if participant is None:
        raise errors.PermissionDenied()
    return participant, None


def _run_command(
    *, workshop_id: int, user: Any, participant: Participant | None, message: dict[str, Any]
) -> dict[str, Any]:
    """Run one client command through the services: the ack's data."""
    command = message["type"]
    if command == "ballot.submit":
        who, entered_by = _answerer(
            workshop_id=workshop_id, user=user, participant=participant, card=message.get("card")
        )
        answer = services.workshop_ballot_submit(
            activity=_activity(workshop_id, message["activity"]),
            participant=who,
            choices={int(item): value for item, value in message["choices"].items()},
            entered_by=entered_by,
        )
        return {"answer": answer}
    if command == "poll.answer":
        who, _entered_by = _answerer(
            workshop_id=workshop_id, user=user, participant=participant, card=message.get("card")
        )
        answer = services.workshop_poll_answer(
            activity=_activity(workshop_id, message["activity"]),
            participant=who,
            choices=message["choices"],
        )
        return {"answer": answer}
    if command == "idea.submit":
        who, _entered_by = _answerer(
            workshop_id=workshop_id, user=user, participant=participant, card=message.get("card")
        )
        idea = services.idea_submit(
            activity=_activity(workshop_id, message["activity"]),
            participant=who,
            kind=message["kind"],
            text=message["text"],
        )
        return {"idea": idea_data(idea)}
    if command == "activity.start":
        activity = services.activity_start(
            by=user, activity=_activity(workshop_id, message["activity"])
        )
        return {"activity": activity_data(activity)}
    if command == "activity.stop":
        activity = services.activity_stop(
            by=user, activity=_activity(workshop_id, message["activity"])
        )
        return {"activity": activity_data(activity)}
    if command == "activity.results":
        activity = services.activity_results_show(
            by=user,
            activity=_activity(workshop_id, message["activity"]),
            visible=message["visible"],
        )
        return {"activity": activity_data(activity)}
    if command == "idea.moderate":
        found = selectors.idea_of_workshop(workshop_id=workshop_id, idea_id=message["idea"])
        idea = services.idea_moderate(
            by=user,
            idea=found,
            decision=message["decision"],
            text=message.get("text"),
            kind=message.get("kind"),
        )
        return {"idea": idea_data(idea)}
    if command == "workshop.close":
        workshop = services.workshop_close(by=user, workshop=_workshop(workshop_id))
        return {"workshop": workshop_data(workshop)}
    raise errors.BadRequest()


# Commands of different phones run side by side (their locks are the services'), as they do
# across server workers; one phone's commands still run one after the other (its consumer
# awaits each).
_run_command_async = database_sync_to_async(_run_command, thread_sensitive=False)


def _error(*, ref: Any, command: str | None, error: errors.ApplicationError) -> dict[str, Any]:
    """The `error` frame: the HTTP error body plus the command's (checked) `ref`."""
    return error_frame(
        error, ref=echoable_ref(ref), command=command if command in CLIENT_TYPES else None
    )


class WorkshopConsumer(TranslatedJsonConsumer):
    """One phone, projector or facilitator laptop in the room."""

    workshop_id: int
    role: str | None = None
    participant: Participant | None = None
    user: Any = None
    hub: WorkshopHub | None = None

    async def connect(self) -> None:
        self.workshop_id = int(self.scope["url_route"]["kwargs"]["workshop_id"])
        self.last_seq = 0
        self.buffered: list[tuple[dict[str, Any], str]] = []
        self.last_heard = time.monotonic()
        self.tasks: list[asyncio.Task[None]] = []
        # JSON texts: the hub serializes each event and results once for every socket.
        self.outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=OUTBOX_LIMIT)
        self.closing = False
        self.bucket = TokenBucket(
            burst=settings.WORKSHOP_MESSAGE_BURST, rate=settings.WORKSHOP_MESSAGE_RATE
        )
        self.answers = TokenBucket(
            burst=settings.WORKSHOP_ANSWER_BURST, rate=settings.WORKSHOP_ANSWER_RATE
        )
        client = self.scope.get("client") or ("", 0)
        self.address = str(client[0] or "")
        await self.accept()
        # A workshop with a hub in this process exists: no query for a room already open.
        if self.workshop_id not in HUBS and not await _workshop_exists(
            workshop_id=self.workshop_id
        ):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.tasks.append(asyncio.create_task(self._join_deadline()))

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        """Nothing leaves once the close is sent (an ack may finish after a heartbeat or a
        slow-reader close)."""
        if getattr(self, "close_sent", False):
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if getattr(self, "close_sent", False):
            return
        self.close_sent = True
        await super().close(code=code, reason=reason)

    async def disconnect(self, code: int) -> None:
        self.close_sent = True
        for task in getattr(self, "tasks", []):
            task.cancel()
        if self.hub is not None:
            await hub_detach(self.workshop_id, self)
            self.hub = None

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """Every client frame: rate-limited, size-limited, then parsed. A connection over a
        limit gets one `error` (nothing of its input in it) and is closed."""
        if self.closing:
            return
        if not self.bucket.take(now=time.monotonic()):
            retry = max(1, round(self.bucket.retry_after()))
            await self._refuse(
                errors.Throttled(details={"retry_after_seconds": retry}), CLOSE_THROTTLED
            )
            return
        limit = settings.WORKSHOP_MAX_MESSAGE_BYTES
        size = len(text_data if text_data is not None else bytes_data or b"")
        if text_data is not None and size <= limit and not text_data.isascii():
            size = len(text_data.encode("utf-8", errors="replace"))
        if size > limit:
            await self._refuse(
                errors.RequestTooLarge(details={"max_bytes": limit}), CLOSE_TOO_LARGE
            )
            return
        if text_data is None:
            await self._not_json()
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._not_json()
            return
        await self.receive_json(content)

    async def _not_json(self) -> None:
        if self.role is None:
            await self.close(code=CLOSE_PROTOCOL)
            return
        await self._send_error(None, None, errors.ParseError(_("The message is not valid JSON.")))

    async def _refuse(self, error: errors.ApplicationError, code: int) -> None:
        self.closing = True
        await self.send_json(_error(ref=None, command=None, error=error))
        await self.close(code=code)

    async def _join_deadline(self) -> None:
        await asyncio.sleep(settings.WORKSHOP_JOIN_TIMEOUT_SECONDS)
        if self.role is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _heartbeat(self) -> None:
        interval = settings.WORKSHOP_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(interval)
            if time.monotonic() - self.last_heard > 2 * interval:
                await self.close(code=CLOSE_HEARTBEAT)
                return
            await self.send_json({"type": "ping", "nonce": secrets.token_hex(4)})

    # Client messages -----------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        self.last_heard = time.monotonic()
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            if self.role is None:
                await self.close(code=CLOSE_PROTOCOL)
                return
            await self._send_error(
                None, None, InvalidMessage(_("A message is a JSON object with a `type`."))
            )
            return
        kind = content["type"]
        ref = content.get("ref")
        if kind not in CLIENT_TYPES:
            await self._send_error(ref, None, UnknownMessage())
            return
        fields = problems(content)
        if fields:
            if self.role is None:
                await self.close(code=CLOSE_PROTOCOL)
                return
            await self._send_error(ref, kind, InvalidMessage(fields=fields))
            return
        if self.role is None:
            if kind != "join":
                await self.close(code=CLOSE_PROTOCOL)
                return
            await self.join(content)
            return
        handler: Callable[[dict[str, Any]], Awaitable[None]] = {
            "ping": self.ping,
            "pong": self.pong,
            "join": self.join_again,
        }.get(kind, self.command)
        await handler(content)

    async def join(self, content: dict[str, Any]) -> None:
        bucket = _address_bucket(
            JOIN_BUCKETS,
            self.address,
            burst=settings.WORKSHOP_JOIN_BURST,
            rate=settings.WORKSHOP_JOIN_RATE,
        )
        if not bucket.take(now=time.monotonic()):
            retry = max(1, round(bucket.retry_after()))
            await self._refuse(
                errors.Throttled(details={"retry_after_seconds": retry}), CLOSE_THROTTLED
            )
            return
        user = self.scope.get("user") or AnonymousUser()
        if "token" in content:
            user = await _token_user(raw=content["token"])
            if user is None:
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return
        self.user = user
        # Attach before reading the state: events the hub delivers meanwhile are buffered,
        # then dropped or sent by their seq once the replay is out.
        self.role = "pending"
        self.hub = await hub_attach(self.workshop_id, self)
        device_token = content.get("device_token") or (self.scope.get("cookies") or {}).get(
            DEVICE_COOKIE
        )
        try:
            if (
                not is_signed_in(user)
                and not content.get("resume_token")
                and not device_token
                and content.get("last_seq") is None
            ):
                # A new phone: written together with the others joining at the same moment.
                batcher = self.hub.batcher(
                    "join_new", functools.partial(_join_new_batch, workshop_id=self.workshop_id)
                )
                joined = await batcher.submit(content.get("display_name", ""))
            else:
                joined = await _join_async(
                    workshop_id=self.workshop_id,
                    user=user,
                    resume_token=content.get("resume_token"),
                    display_name=content.get("display_name", ""),
                    last_seq=content.get("last_seq"),
                    device_token=device_token,
                )
        except JoinRefused as refused:
            self.role = None
            await self.close(code=refused.code)
            return
        texts: list[str] = []
        if joined.shared_snapshot:
            snapshot, text = await self.hub.participant_snapshot()
            joined.last_seq = int(snapshot["seq"])
            texts.append(text)
        self.participant = joined.participant
        self.last_seq = joined.last_seq
        welcome: dict[str, Any] = {
            "type": "welcome",
            "role": joined.role,
            "workshop": self.workshop_id,
            "participant": (participant_data(joined.participant) if joined.participant else None),
            "heartbeat_seconds": settings.WORKSHOP_HEARTBEAT_SECONDS,
            "last_seq": joined.last_seq,
            "replay": joined.replay,
        }
        if joined.resume_token:
            welcome["resume_token"] = joined.resume_token
        await self.send_json(welcome)
        for message in joined.messages:
            await self.send_json(message)
        for text in texts:
            await self.send(text_data=text)
        if joined.results_activity is not None:
            results = await self.hub.results_for(joined.results_activity)
            if results is not None and (joined.role == "facilitator" or results[0]["visible"]):
                await self.send(text_data=results[1])
        if joined.role == "facilitator":
            await self.send_json({"type": "presence", **self.hub.presence()})
        for event, text in self.buffered:
            self._send_event(event, text, role=joined.role)
        self.buffered.clear()
        self.role = joined.role
        self.hub.schedule_report()
        self.tasks.append(asyncio.create_task(self._heartbeat()))
        self.tasks.append(asyncio.create_task(self._write()))

    async def join_again(self, content: dict[str, Any]) -> None:
        await self._send_error(content.get("ref"), "join", errors.Conflict(_("Already joined.")))

    async def ping(self, content: dict[str, Any]) -> None:
        pong: dict[str, Any] = {"type": "pong"}
        if "nonce" in content:
            pong["nonce"] = content["nonce"]
        await self.send_json(pong)

    async def pong(self, content: dict[str, Any]) -> None:
        """Nothing to do: receiving it refreshed last_heard."""

    async def command(self, content: dict[str, Any]) -> None:
        kind = content["type"]
        ref = content.get("ref")
        if kind in FACILITATOR_COMMANDS and self.role != "facilitator":
            await self._send_error(ref, kind, errors.PermissionDenied())
            return
        if kind in ANSWERS and self.role != "facilitator":
            throttled = self._answer_throttled()
            if throttled is not None:
                await self._send_error(ref, kind, throttled)
                return
        try:
            data = await _run_command_async(
                workshop_id=self.workshop_id,
                user=self.user,
                participant=self.participant,
                message=content,
            )
        except errors.ApplicationError as error:
            await self._send_error(ref, kind, error)
            return
        except Exception:
            # A bug: logged, and the client still gets its answer (the socket stays open).
            logger.exception("workshop %s: command %s failed", self.workshop_id, kind)
            await self._send_error(ref, kind, errors.ServerError())
            return
        await self.send_json(
            {"type": "ack", "ref": echoable_ref(ref), "command": kind, "data": data}
        )

    def _answer_throttled(self) -> errors.Throttled | None:
        """An answer beyond this connection's or this address's allowance (not counted)."""
        now = time.monotonic()
        by_address = _address_bucket(
            ANSWER_BUCKETS,
            self.address,
            burst=settings.WORKSHOP_ADDRESS_ANSWER_BURST,
            rate=settings.WORKSHOP_ADDRESS_ANSWER_RATE,
        )
        for bucket in (self.answers, by_address):
            if not bucket.take(now=now):
                retry = max(1, round(bucket.retry_after()))
                return errors.Throttled(details={"retry_after_seconds": retry})
        return None

    async def _send_error(
        self, ref: Any, command: str | None, error: errors.ApplicationError
    ) -> None:
        await self.send_json(_error(ref=ref, command=command, error=error))

    # From the hub ---------------------------------------------------------------------------

    async def deliver_event(self, event: dict[str, Any], text: str) -> None:
        if self.role == "pending":
            self.buffered.append((event, text))
        elif self.role is not None:
            self._send_event(event, text, role=self.role)

    def _send_event(self, event: dict[str, Any], text: str, *, role: str) -> None:
        """Queue a sequenced event once, in order (the hub delivers in seq order)."""
        seq = int(event["seq"])
        if seq <= self.last_seq:
            return
        self.last_seq = seq
        if event["audience"] != EventAudience.ALL and role != "facilitator":
            return
        self._enqueue(text)

    async def deliver_results(self, message: dict[str, Any], text: str) -> None:
        if self.role == "facilitator" or (self.role == "participant" and message["visible"]):
            self._enqueue(text)

    async def deliver_presence(self, message: dict[str, Any]) -> None:
        if self.role == "facilitator":
            self._enqueue(json.dumps(message))

    def _enqueue(self, text: str) -> None:
        """The hub never waits for a phone on a bad network: it queues, and a writer task
        sends. A phone too slow to follow the room is closed (4408); it reconnects with its
        last_seq and catches up from the log."""
        if self.closing:
            return
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.closing = True
            self.tasks.append(asyncio.create_task(self.close(code=CLOSE_HEARTBEAT)))

    async def _write(self) -> None:
        """Send the queued texts straight to the ASGI server (the same bytes for every socket;
        Channels' send layers add nothing to a text frame), all those queued at each wake-up."""
        outbox = self.outbox
        while True:
            text = await outbox.get()
            while True:
                if getattr(self, "close_sent", False):
                    return
                await self.base_send({"type": "websocket.send", "text": text})
                if outbox.empty():
                    break
                text = outbox.get_nowait()
