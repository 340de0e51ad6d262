"""In-transaction hooks: a lower app announces a change, the apps above it react in the same
transaction, and the lower app never imports them.

Domain events (`domain_events.py`) leave after commit and may fail alone. A hook runs at once,
inside the caller's transaction: what it writes and locks commits or rolls back with the change,
and its exception refuses the change. Use it for bookkeeping that must be exact (the
similarity change log), domain events for everything else.

Registering, from the reacting app's `AppConfig.ready()`::

    from backend.core import hooks
    hooks.register(hooks.CONTRIBUTION_CHANGED, similarity_contribution_changed)
"""

from collections.abc import Callable
from typing import Any

# A public contribution changed (published, edited, withdrawn, hidden, restored).
# Keyword arguments: consultation_id, contribution_id.
CONTRIBUTION_CHANGED = "contribution.changed"

# The periodic housekeeping runs (`backend.jobs`): the apps above it add their own pruning.
# Keyword arguments: now (datetime), counts (dict[str, int], to which each adds its counts).
HOUSEKEEPING = "jobs.housekeeping"

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = {}


def register(name: str, handler: Handler) -> None:
    """Call `handler(**data)` whenever `run(name, **data)` is called (registering twice: no-op)."""
    handlers = _handlers.setdefault(name, [])
    if handler not in handlers:
        handlers.append(handler)


def run(name: str, **data: Any) -> None:
    """Call every handler of `name`, in registration order, in the caller's transaction."""
    for handler in list(_handlers.get(name, ())):
        handler(**data)
