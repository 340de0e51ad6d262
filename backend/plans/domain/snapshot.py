"""The frozen plan: canonical JSON and digest, the answer check, the CSV rows of a snapshot."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION = 1

# One row per (action, source); an action with no source has one row with empty source cells.
PLAN_CSV_COLUMNS = (
    "version",
    "action_id",
    "action_title",
    "decision",
    "decision_label",
    "public_answer",
    "themes",
    "territories",
    "source_contribution_id",
    "source_kind",
    "source_title",
    "source_relation",
    "source_via_cluster",
    "source_justification",
    "distinct_supporters",
)


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no insignificant spaces, UTF-8: the bytes the digest is computed on."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def snapshot_digest(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _score(action: Mapping[str, Any], key: str) -> Any:
    for score in action.get("scores", []):
        if score.get("name") == key:
            return score.get("value")
    return None


def plan_csv_rows(snapshot: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The snapshot as CSV rows (header first): one row per (action, source)."""
    version = snapshot["version"]["number"]
    rows: list[tuple[Any, ...]] = [PLAN_CSV_COLUMNS]
    for action in snapshot["actions"]:
        decision = action["decision"]
        common = (
            version,
            action["id"],
            action["title"],
            decision["status"],
            decision["label"],
            decision["public_answer"],
            "|".join(action["themes"]),
            "|".join(territory["name"] for territory in action["territories"]),
        )
        supporters = _score(action, "distinct_supporters")
        sources = action["sources"] or [None]
        for source in sources:
            if source is None:
                rows.append((*common, "", "", "", "", "", "", supporters))
                continue
            rows.append(
                (
                    *common,
                    source["contribution"],
                    source["kind"],
                    source["title"] or "",
                    source["relation"],
                    source["via_cluster"] if source["via_cluster"] is not None else "",
                    source["justification"],
                    supporters,
                )
            )
    return rows
