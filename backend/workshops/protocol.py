"""The JSON Schemas of frontend-contract/live/schemas: the server checks what clients send."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(settings.BASE_DIR) / "frontend-contract" / "live" / "schemas"

CLIENT_TYPES = frozenset(
    {
        "join",
        "ping",
        "pong",
        "ballot.submit",
        "poll.answer",
        "idea.submit",
        "activity.start",
        "activity.stop",
        "activity.results",
        "idea.moderate",
        "workshop.close",
    }
)
SERVER_TYPES = frozenset(
    {"welcome", "snapshot", "event", "results", "presence", "ack", "error", "ping", "pong"}
)


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMA_DIR.glob("*.json"))}


@cache
def validator(message_type: str) -> Draft202012Validator:
    """The validator of one message type (KeyError if the type is unknown)."""
    schemas = _schemas()
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas[message_type], registry=registry)


def problems(message: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Where `message` breaks the schema of its type, as validation-error `fields`."""
    fields: dict[str, list[dict[str, str]]] = {}
    for error in validator(str(message["type"])).iter_errors(message):
        name = ".".join(str(part) for part in error.absolute_path) or "non_field_errors"
        code = "unknown_field" if error.validator == "additionalProperties" else "invalid"
        fields.setdefault(name, []).append({"code": code, "message": error.message})
    return fields
