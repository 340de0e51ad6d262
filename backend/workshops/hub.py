"""One hub per workshop and server process: the process's single subscriber on the channel
layer, fanning events, coalesced results and presence out to its local connections.

Why: with 1,000 phones in a room, a ballot must not become 1,000 channel-layer messages and
1,000 tally queries. The services send each change once to the workshop's group; its members
are the hubs (one per worker process that has connections). A hub

- delivers sequenced events in order (a gap, from two transactions whose after-commit sends
  crossed, is filled once from the log) to each local connection;
- recomputes an activity's results at most once per WORKSHOP_RESULTS_INTERVAL_MS after
  `tally.dirty`, serializes them once and pushes the same text to every connection (events
  too: one JSON text per event, whatever the number of sockets);
- keeps the last results of each activity and the participants' snapshot at its last seq in
  memory, so a phone joining costs no query for them;
- reports its connection counts to the other hubs (presence across workers);
- runs the open activity's timer (every hub may: activity_expire is idempotent);
- groups the joins that arrive together (`Batcher`): a room of phones starting at once costs
  one transaction per batch, not one per phone.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from redis.exceptions import RedisError

from backend.core.realtime import workshop_group
from backend.workshops import selectors, services
from backend.workshops.domain import StepKind, next_step
from backend.workshops.realtime import PRESENCE_REPORT, PRESENCE_REQUEST, TALLY_DIRTY

logger = logging.getLogger(__name__)

PROCESS_ID = uuid.uuid4().hex[:12]
PRESENCE_DEBOUNCE_SECONDS = 0.25
# After a channel-layer failure, the hub tries to subscribe again after these waits (doubling).
RESUBSCRIBE_FIRST_DELAY_SECONDS = 0.5
# What an outage of the channel layer (Redis down or restarted) or of PostgreSQL (the catch-up
# reads the event log) raises: logged as a warning, then the hub subscribes again. Anything else
# is a bug: logged as an error with its traceback, and the hub still subscribes again (a dead
# listener would leave this process's phones deaf).
OUTAGES: tuple[type[BaseException], ...] = (OSError, RedisError, DatabaseError)
RESUBSCRIBE_MAX_DELAY_SECONDS = 5.0
# At most this many joins written in one transaction.
JOIN_BATCH_LIMIT = 100

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Group commit: calls that arrive while a batch is running wait, and run together in the
    next one. No timer: a call alone runs at once; under load, batches grow by themselves.

    `run` takes the items of a batch and returns one result per item, in order; an exception
    it raises is every caller's.
    """

    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]], *, limit: int) -> None:
        self.run = run
        self.limit = limit
        self.pending: list[tuple[T, asyncio.Future[R]]] = []
        self.task: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self.pending.append((item, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self.pending:
            batch, self.pending = self.pending[: self.limit], self.pending[self.limit :]
            try:
                results = await self.run([item for item, _future in batch])
            except asyncio.CancelledError:
                for _item, future in batch:
                    future.cancel()
                raise
            except Exception as error:
                for _item, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_item, future), result in zip(batch, results, strict=True):
                if not future.done():  # a caller gone meanwhile (its socket closed)
                    future.set_result(result)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
        for _item, future in self.pending:
            future.cancel()
        self.pending = []


class Connection(Protocol):
    """What a hub needs from a websocket consumer."""

    role: str | None

    async def deliver_event(self, event: dict[str, Any], text: str) -> None: ...

    async def deliver_results(self, message: dict[str, Any], text: str) -> None: ...

    async def deliver_presence(self, message: dict[str, Any]) -> None: ...


_last_seq_and_timer = database_sync_to_async(selectors.workshop_seq_and_timer)
_results = database_sync_to_async(selectors.activity_results_by_id)


@database_sync_to_async
def _participant_snapshot(workshop_id: int) -> dict[str, Any]:
    return selectors.workshop_snapshot(
        workshop_id=workshop_id, participant=None, is_facilitator=False
    )


@database_sync_to_async
def _missed_events(workshop_id: int, after: int, until: int) -> list[dict[str, Any]]:
    return [
        {
            "seq": event.seq,
            "event": event.type,
            "audience": event.audience,
            "payload": event.payload,
            "sent_at": timezone.localtime(event.created_at).isoformat(),
        }
        for event in selectors.events_after(
            workshop_id=workshop_id, after=after, until=until, is_facilitator=True
        )
    ]


@database_sync_to_async
def _expire(activity_id: int) -> None:
    services.activity_expire(activity_id=activity_id)


class WorkshopHub:
    def __init__(self, workshop_id: int) -> None:
        self.workshop_id = workshop_id
        self.group = workshop_group(workshop_id)
        self.connections: set[Connection] = set()
        self.last_seq = 0
        self.ready = asyncio.Event()
        self.channel: str | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.dirty: set[int] = set()
        self.flush_task: asyncio.Task[None] | None = None
        self.last_flush = 0.0
        self.reports: dict[str, tuple[dict[str, int], float]] = {}
        self.presence_sent: dict[str, int] | None = None
        self.report_task: asyncio.Task[None] | None = None
        self.timers: dict[int, asyncio.Task[None]] = {}
        self.closed = False
        # The last results of each activity (message, its JSON text), and the snapshot a
        # new participant gets (seq, message), computed at most once per seq.
        self.results: dict[int, tuple[dict[str, Any], str]] = {}
        self.snapshot: dict[str, Any] | None = None
        self.snapshot_text = ""
        self.snapshot_lock = asyncio.Lock()
        self.results_lock = asyncio.Lock()
        self.batchers: dict[str, Batcher[Any, Any]] = {}

    # Life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        self.channel = await layer.new_channel()
        await layer.group_add(self.group, self.channel)
        self.last_seq, activity_id, ends_at = await _last_seq_and_timer(
            workshop_id=self.workshop_id
        )
        if activity_id is not None and ends_at is not None:
            self._schedule_timer(activity_id, ends_at)
        self.tasks.append(asyncio.create_task(self._listen()))
        self.tasks.append(asyncio.create_task(self._report_periodically()))
        await layer.group_send(self.group, {"type": PRESENCE_REQUEST})
        self.ready.set()

    async def stop(self) -> None:
        self.closed = True
        layer = get_channel_layer()
        for task in [*self.tasks, *self.timers.values()]:
            task.cancel()
        for pending in (self.flush_task, self.report_task):
            if pending is not None:
                pending.cancel()
        for batcher in self.batchers.values():
            batcher.cancel()
        if layer is not None and self.channel is not None:
            with contextlib.suppress(Exception):
                await self._send_report(empty=True)
                await layer.group_discard(self.group, self.channel)

    # Connections --------------------------------------------------------------------------

    def attach(self, connection: Connection) -> None:
        self.connections.add(connection)
        self.schedule_report()

    def detach(self, connection: Connection) -> None:
        self.connections.discard(connection)
        self.schedule_report()

    def counts(self) -> dict[str, int]:
        roles = [connection.role for connection in self.connections]
        return {
            "facilitators": roles.count("facilitator"),
            "participants": roles.count("participant"),
        }

    def presence(self) -> dict[str, int]:
        now = time.monotonic()
        totals = {"facilitators": 0, "participants": 0}
        for process, (counts, expires_at) in list(self.reports.items()):
            if expires_at < now:
                del self.reports[process]
                continue
            for key in totals:
                totals[key] += counts.get(key, 0)
        return totals

    # Channel layer ------------------------------------------------------------------------

    async def _listen(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        assert self.channel is not None
        while not self.closed:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except OUTAGES:
                # Redis down or restarted: wait for the layer, subscribe again, catch up from
                # the log.
                logger.warning(
                    "workshop hub %s: channel layer unavailable", self.workshop_id, exc_info=True
                )
                await self._resubscribe()
                continue
            except Exception:
                logger.exception("workshop hub %s: listener failed", self.workshop_id)
                await self._resubscribe()
                continue
            try:
                await self._dispatch(message)
            except Exception:
                logger.exception("workshop hub %s: message %r failed", self.workshop_id, message)

    async def _resubscribe(self) -> None:
        """Back on the channel layer after a failure: join the group again (a restarted Redis
        forgot it) and deliver, in order, the events sequenced meanwhile (from the log)."""
        layer = get_channel_layer()
        assert layer is not None
        assert self.channel is not None
        delay = RESUBSCRIBE_FIRST_DELAY_SECONDS
        while not self.closed:
            await asyncio.sleep(delay)
            delay = min(2 * delay, RESUBSCRIBE_MAX_DELAY_SECONDS)
            try:
                await layer.group_add(self.group, self.channel)
                current, _, _ = await _last_seq_and_timer(workshop_id=self.workshop_id)
                if current > self.last_seq:
                    for missed in await _missed_events(self.workshop_id, self.last_seq, current):
                        await self._fan_out(missed)
            except asyncio.CancelledError:
                raise
            except OUTAGES:
                logger.warning(
                    "workshop hub %s: still no channel layer", self.workshop_id, exc_info=True
                )
                continue
            except Exception:
                logger.exception("workshop hub %s: resubscribing failed", self.workshop_id)
                continue
            logger.info("workshop hub %s: channel layer back", self.workshop_id)
            self.schedule_report()
            return

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == PRESENCE_REPORT:
            await self._on_report(message)
        elif kind == PRESENCE_REQUEST:
            self.schedule_report()
        elif kind == "realtime.event":
            if message["event"] == TALLY_DIRTY:
                self.mark_dirty(int(message["data"]["activity"]))
            else:
                await self._on_event(
                    {**message["data"], "event": message["event"], "sent_at": message["sent_at"]}
                )

    async def _on_event(self, event: dict[str, Any]) -> None:
        step = next_step(last_seq=self.last_seq, seq=int(event["seq"]))
        if step.kind == StepKind.DROP:
            return
        if step.kind == StepKind.FILL:
            for missed in await _missed_events(self.workshop_id, step.fill_after, step.fill_until):
                await self._fan_out(missed)
        await self._fan_out(event)

    async def _fan_out(self, event: dict[str, Any]) -> None:
        self.last_seq = max(self.last_seq, int(event["seq"]))
        text = json.dumps(
            {
                "type": "event",
                "seq": int(event["seq"]),
                "event": event["event"],
                "data": event["payload"],
                "sent_at": event.get("sent_at") or timezone.localtime().isoformat(),
            }
        )
        if event["event"] == "activity.started":
            activity = event["payload"]["activity"]
            ends_at = parse_datetime(activity["ends_at"]) if activity.get("ends_at") else None
            if ends_at is not None:
                self._schedule_timer(int(activity["id"]), ends_at)
        for connection in list(self.connections):
            await connection.deliver_event(event, text)

    # Results -------------------------------------------------------------------------------

    def mark_dirty(self, activity_id: int) -> None:
        self.dirty.add(activity_id)
        if self.flush_task is None or self.flush_task.done():
            self.flush_task = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        interval = settings.WORKSHOP_RESULTS_INTERVAL_MS / 1000
        while self.dirty and not self.closed:
            wait = self.last_flush + interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            pending, self.dirty = self.dirty, set()
            self.last_flush = time.monotonic()
            for activity_id in sorted(pending):
                message = await _results(activity_id=activity_id)
                if message is None:
                    continue
                text = json.dumps(message)
                self.results[activity_id] = (message, text)
                for connection in list(self.connections):
                    await connection.deliver_results(message, text)

    async def results_for(self, activity_id: int) -> tuple[dict[str, Any], str] | None:
        """The last results of an activity, computed once if this hub has none yet."""
        if activity_id not in self.results:
            async with self.results_lock:
                if activity_id not in self.results:
                    message = await _results(activity_id=activity_id)
                    if message is None:
                        return None
                    self.results[activity_id] = (message, json.dumps(message))
        return self.results[activity_id]

    async def participant_snapshot(self) -> tuple[dict[str, Any], str]:
        """The snapshot of a participant who has answered nothing yet, and its JSON text:
        read and serialized once per seq.

        Valid while its seq is not behind the events this hub has delivered: later events
        reach a joining connection through the hub (it is attached before this is read)."""
        async with self.snapshot_lock:
            if self.snapshot is None or int(self.snapshot["seq"]) < self.last_seq:
                self.snapshot = await _participant_snapshot(self.workshop_id)
                self.snapshot_text = json.dumps(self.snapshot)
            return self.snapshot, self.snapshot_text

    def batcher(self, name: str, run: Callable[[list[T]], Awaitable[list[R]]]) -> Batcher[T, R]:
        """This hub's batcher called `name` (made on first use with `run`)."""
        if name not in self.batchers:
            self.batchers[name] = Batcher(run, limit=JOIN_BATCH_LIMIT)
        return self.batchers[name]

    # Presence ------------------------------------------------------------------------------

    def schedule_report(self) -> None:
        if self.closed or (self.report_task is not None and not self.report_task.done()):
            return
        self.report_task = asyncio.create_task(self._debounced_report())

    async def _debounced_report(self) -> None:
        await asyncio.sleep(PRESENCE_DEBOUNCE_SECONDS)
        await self._send_report()

    async def _send_report(self, *, empty: bool = False) -> None:
        layer = get_channel_layer()
        assert layer is not None
        counts = {"facilitators": 0, "participants": 0} if empty else self.counts()
        await layer.group_send(
            self.group,
            {
                "type": PRESENCE_REPORT,
                "process": f"{PROCESS_ID}:{id(self)}",
                "counts": counts,
                "ttl": 3 * settings.WORKSHOP_HEARTBEAT_SECONDS,
            },
        )

    async def _report_periodically(self) -> None:
        while not self.closed:
            await asyncio.sleep(settings.WORKSHOP_HEARTBEAT_SECONDS)
            try:
                await self._send_report()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis down: the next interval tries again (presence reports expire alone).
                logger.warning("workshop hub %s: presence not reported", self.workshop_id)

    async def _on_report(self, message: dict[str, Any]) -> None:
        self.reports[str(message["process"])] = (
            dict(message["counts"]),
            time.monotonic() + float(message["ttl"]),
        )
        totals = self.presence()
        if totals != self.presence_sent:
            self.presence_sent = totals
            for connection in list(self.connections):
                await connection.deliver_presence({"type": "presence", **totals})

    # Timer ---------------------------------------------------------------------------------

    def _schedule_timer(self, activity_id: int, ends_at: datetime) -> None:
        if activity_id in self.timers and not self.timers[activity_id].done():
            return
        self.timers[activity_id] = asyncio.create_task(self._expire_at(activity_id, ends_at))

    async def _expire_at(self, activity_id: int, ends_at: datetime) -> None:
        await asyncio.sleep(max(0.0, (ends_at - timezone.now()).total_seconds()) + 0.05)
        await _expire(activity_id)


HUBS: dict[int, WorkshopHub] = {}


async def hub_attach(workshop_id: int, connection: Connection) -> WorkshopHub:
    """The process's hub of the workshop (started on first use), with `connection` in it."""
    hub = HUBS.get(workshop_id)
    if hub is None:
        hub = HUBS[workshop_id] = WorkshopHub(workshop_id)
        hub.attach(connection)
        try:
            await hub.start()
        except BaseException:
            # A hub that could not subscribe must not be reused by the next connection.
            HUBS.pop(workshop_id, None)
            hub.closed = True
            hub.ready.set()
            raise
        return hub
    hub.attach(connection)
    await hub.ready.wait()
    if hub.closed:
        raise RuntimeError("the workshop hub could not start")
    return hub


async def hub_detach(workshop_id: int, connection: Connection) -> None:
    """Leave the hub; the last connection out stops it."""
    hub = HUBS.get(workshop_id)
    if hub is None:
        return
    hub.detach(connection)
    if not hub.connections:
        del HUBS[workshop_id]
        await hub.stop()
