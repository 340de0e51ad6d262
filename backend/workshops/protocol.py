"""The JSON Schemas of frontend-contract/live/schemas: the server checks what clients send."""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, ValidationError
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


# The longest `ref` echoed back (as the schemas say); integers within JSON's safe range.
REF_MAX_LENGTH = 64
SAFE_INTEGER = 2**53 - 1


def echoable_ref(ref: Any) -> str | int | None:
    """The client's `ref` if it is one the protocol allows, else None: input that breaks the
    contract is never sent back (an oversized or odd `ref` becomes null)."""
    if isinstance(ref, str) and len(ref) <= REF_MAX_LENGTH:
        return ref
    if isinstance(ref, int) and not isinstance(ref, bool) and abs(ref) <= SAFE_INTEGER:
        return ref
    return None


def _name(path: Any, *more: str) -> str:
    """A dotted field name; a key longer than a `ref` (input too) is written `*`."""
    parts = [str(part) for part in [*path, *more]]
    return ".".join(p if len(p) <= REF_MAX_LENGTH else "*" for p in parts) or "non_field_errors"


def _field_errors(error: ValidationError) -> list[tuple[str, str, str]]:
    """(field, code, message) of one schema violation, in the REST codes and the active
    language, without the offending value (jsonschema's own text quotes it)."""
    kind = error.validator
    path = error.absolute_path
    if kind == "required" and isinstance(error.instance, dict):
        return [
            (_name(path, str(name)), "required", _("This field is required."))
            for name in error.validator_value
            if name not in error.instance
        ]
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        extra = [
            str(name)
            for name in error.instance
            if name not in known and not any(re.search(p, str(name)) for p in patterns)
        ]
        # Unknown keys are named only when short: a key is input too.
        return [
            (
                _name(path, name) if len(name) <= REF_MAX_LENGTH else _name(path),
                "unknown_field" if len(name) <= REF_MAX_LENGTH else "invalid",
                _("Unknown field."),
            )
            for name in extra[:10]
        ] or [(_name(path), "invalid", _("Invalid value."))]
    limit = error.validator_value
    simple: dict[str, tuple[str, str]] = {
        "type": ("incorrect_type", _("Wrong type of value.")),
        "const": ("invalid_choice", _("Invalid value.")),
        "enum": ("invalid_choice", _("Invalid value.")),
        "pattern": ("invalid", _("Invalid value.")),
        "format": ("invalid", _("Invalid value.")),
        "minItems": ("empty", _("Give at least one value.")),
        "minProperties": ("empty", _("Give at least one value.")),
    }
    if kind in simple:
        return [(_name(path), *simple[kind])]
    if kind in ("maxLength", "maxItems", "maxProperties"):
        message = _("Ensure this field has no more than %(limit)d elements.") % {"limit": limit}
        if kind == "maxLength":
            message = _("Ensure this field has no more than %(limit)d characters.") % {
                "limit": limit
            }
        return [(_name(path), "max_length", message)]
    if kind == "minLength":
        message = _("Ensure this field has at least %(limit)d characters.") % {"limit": limit}
        return [(_name(path), "min_length", message)]
    if kind in ("minimum", "exclusiveMinimum"):
        message = _("Ensure this value is greater than or equal to %(limit)s.") % {"limit": limit}
        return [(_name(path), "min_value", message)]
    if kind in ("maximum", "exclusiveMaximum"):
        message = _("Ensure this value is less than or equal to %(limit)s.") % {"limit": limit}
        return [(_name(path), "max_value", message)]
    return [(_name(path), "invalid", _("Invalid value."))]


def problems(message: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Where `message` breaks the schema of its type, as validation-error `fields` (REST
    field codes, translated messages, never the offending value)."""
    fields: dict[str, list[dict[str, str]]] = {}
    for error in validator(str(message["type"])).iter_errors(message):
        for name, code, text in _field_errors(error):
            entry = {"code": code, "message": text}
            if entry not in fields.setdefault(name, []):
                fields[name].append(entry)
    return fields
