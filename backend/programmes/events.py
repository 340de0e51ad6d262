"""Every event the regional programme emits, in one place: names, payloads, groups.

Each state change a contributor cares about leaves through `emit` -> `publish_on_commit`
(backend/core/domain_events.py): after commit, robustly, to the programme's websocket group
(`programme.{id}`), to the group of every territorial consultation concerned
(`consultation.{id}`, so a round's followers learn that their action went regional), and to
in-process subscribers (a notifications app subscribes in its AppConfig.ready()). Payloads
carry ids only; `selectors.regional_action_audience` resolves the people concerned.
"""

from collections.abc import Iterable
from typing import Any

from backend.core.domain_events import DomainEvent, publish_on_commit
from backend.core.realtime import consultation_group

# name -> (data keys, when); frontend-contract/programmes.md lists the same table.
EVENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "programme.updated": (("programme", "stage"), "texts, stage, partners or funders changed"),
    "programme.round_added": (("programme", "consultation"), "a round joined the programme"),
    "regional_action.created": (("id", "programme", "decision"), "a regional action was written"),
    "regional_action.updated": (("id", "programme"), "its texts or themes changed"),
    "regional_action.source_linked": (
        ("id", "programme", "source", "candidate_action", "contribution", "consultation"),
        "a territorial action or contribution was consolidated into it",
    ),
    "regional_action.source_unlinked": (
        ("id", "programme", "source", "candidate_action", "contribution", "consultation"),
        "a link was undone (kept in the log with its reason)",
    ),
    "regional_action.decided": (("id", "programme", "decision"), "retained or not, with answer"),
    "regional_action.funding_changed": (
        ("id", "programme", "over_budget_funders"),
        "cost, funding lines, lead structure, partners or dates changed",
    ),
    "regional_action.status_changed": (
        ("id", "programme", "status", "previous_status"),
        "follow-up status changed (planned, in progress, done, abandoned)",
    ),
    "regional_action.progress_updated": (("id", "programme", "progress_percent"), "progress"),
    "regional_action.milestone_changed": (
        ("id", "programme", "milestone", "reached"),
        "a milestone was added or reached",
    ),
    "regional_action.indicator_measured": (
        ("id", "programme", "indicator"),
        "an indicator was added or measured",
    ),
    "regional_action.note_added": (("id", "programme", "entry"), "a public note in the timeline"),
    "regional_plan.published": (("programme", "number"), "a regional plan version was frozen"),
}


def programme_group(programme_id: int) -> str:
    return f"programme.{programme_id}"


def emit(
    name: str,
    *,
    programme_id: int,
    data: dict[str, Any],
    consultations: Iterable[int] = (),
    actor: int | None = None,
) -> None:
    """Announce `name` after commit; `data` must carry the keys the catalogue lists."""
    keys, _ = EVENTS[name]
    payload = {"programme": programme_id, **data}
    missing = [key for key in keys if key not in payload]
    if missing:
        raise ValueError(f"event {name} lacks {missing}")
    groups = (
        programme_group(programme_id),
        *(consultation_group(c) for c in sorted(set(consultations))),
    )
    publish_on_commit(DomainEvent(name=name, data=payload, groups=groups, actor=actor))
