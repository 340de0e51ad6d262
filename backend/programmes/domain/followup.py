"""Follow-up rules after adoption: status moves, progress, the timeline's entry kinds."""

from enum import StrEnum


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


# Planned work starts or is abandoned; work in progress ends, is abandoned or is put back to
# planned; done work may be reopened; an abandoned action may be planned again.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.ABANDONED, Status.DONE}),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.ABANDONED, Status.PLANNED}),
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.ABANDONED: frozenset({Status.PLANNED}),
}


def can_move(current: str, target: str) -> bool:
    try:
        return Status(target) in TRANSITIONS[Status(current)]
    except ValueError:
        return False


def progress_after(*, target: str, current_progress: int) -> int:
    """A finished action is 100 % done; other moves keep the progress as it was."""
    return 100 if target == Status.DONE else current_progress


def progress_allowed(status: str) -> bool:
    """Progress is reported while the action is planned or under way."""
    return status in (Status.PLANNED, Status.IN_PROGRESS)


class EntryKind(StrEnum):
    STATUS_CHANGED = "status_changed"
    PROGRESS_UPDATED = "progress_updated"
    MILESTONE_ADDED = "milestone_added"
    MILESTONE_REACHED = "milestone_reached"
    INDICATOR_ADDED = "indicator_added"
    INDICATOR_MEASURED = "indicator_measured"
    NOTE = "note"
