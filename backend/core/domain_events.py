"""Domain events: one after-commit path to websocket groups and in-process subscribers.

A service describes what changed as a `DomainEvent` and calls `publish_on_commit`. Once the
transaction commits (never before, never on rollback), the event is sent to its channel-layer
`groups` (clients re-read over REST) and handed to every subscriber registered for its name
(a notifications app, a digest, an audit trail). Each delivery is isolated: a failing group send
or subscriber is logged and the others still run (`on_commit(..., robust=True)`), so a side
effect can never undo or break the committed change.

Subscribing (from a downstream app's `AppConfig.ready()`)::

    from backend.core.domain_events import subscribe
    subscribe(notify_contributors, events={"regional_action.status_changed"})
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction

from backend.core.realtime import event_envelope, group_send_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """`name` is `entity.verb_past`; `data` holds ids and public fields only (JSON-ready);
    `groups` are the channel-layer groups the event is broadcast to; `actor` is the account
    that caused it (None for the system), not broadcast."""

    name: str
    data: Mapping[str, Any]
    groups: tuple[str, ...] = ()
    actor: int | None = None


Handler = Callable[[DomainEvent], None]
_subscribers: list[tuple[frozenset[str] | None, Handler]] = []


def subscribe(handler: Handler, *, events: Iterable[str] | None = None) -> None:
    """Call `handler(event)` after commit for every event named in `events` (all if None).

    Subscribing the same handler twice is a no-op (AppConfig.ready may run more than once).
    """
    names = frozenset(events) if events is not None else None
    if any(existing is handler for _, existing in _subscribers):
        return
    _subscribers.append((names, handler))


def unsubscribe(handler: Handler) -> None:
    _subscribers[:] = [(names, h) for names, h in _subscribers if h is not handler]


def deliver(event: DomainEvent) -> None:
    """Send to the groups, then to the subscribers; every step isolated and logged."""
    layer = get_channel_layer()
    if layer is not None and event.groups:
        message = event_envelope(event=event.name, data=dict(event.data))
        for group in event.groups:
            try:
                group_send_now(group, message)
            except Exception:
                logger.exception("event %s not sent to group %s", event.name, group)
    for names, handler in list(_subscribers):
        if names is not None and event.name not in names:
            continue
        try:
            handler(event)
        except Exception:
            logger.exception("subscriber %r failed on %s", handler, event.name)


def publish_on_commit(event: DomainEvent) -> None:
    """Deliver `event` once the current transaction commits (at once outside a transaction).

    `robust=True`: an exception in delivery is logged by Django and never reaches the caller
    nor the other on-commit callbacks.
    """
    transaction.on_commit(partial(deliver, event), robust=True)
