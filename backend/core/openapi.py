"""OpenAPI pieces: the bearer-token scheme and the shared error responses."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Every error has this shape. `code` is stable (see frontend-contract/errors.md); "
        "`message` is for people, in French or English after Accept-Language."
    ),
    "properties": {
        "status": {"type": "integer", "example": 409},
        "code": {"type": "string", "example": "phase_closed"},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "description": 'Field errors keyed by dotted path, e.g. "phases.0.starts_at".',
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["code", "message"],
                },
            },
        },
        "details": {"$ref": "#/components/schemas/ErrorDetails"},
    },
    "required": ["status", "code", "message"],
}

# Free text in a query string: anything but NUL.
NO_NUL = "^[^\\u0000]*$"

# An error body in `extend_schema(responses=...)`, for statuses the hook does not add.
ERROR_REF: dict[str, Any] = {"$ref": "#/components/schemas/Error"}

_IDS = {"type": "array", "items": {"type": "integer"}}
_PHASE = {
    "type": ["object", "null"],
    "properties": {
        "kind": {"type": "string"},
        "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
    },
}
ERROR_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Facts about the error, by code (frontend-contract/errors.md lists which code "
        "carries which); new keys may be added within v1."
    ),
    "properties": {
        "open_phase": {**_PHASE, "description": "phase_closed: the phase open now, or null"},
        "allowed_in": {
            "type": "array",
            "items": {"type": "string"},
            "description": "phase_closed: the phase kinds where the action is allowed",
        },
        "closed_at": {"type": "string", "format": "date-time", "description": "a closed vote"},
        "status": {"type": "string", "description": "the status that blocks the change"},
        "kind": {"type": "string"},
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
        "insee_code": {"type": "string"},
        "resolution": {"type": "string", "description": "report_resolved"},
        "missing_answers": {**_IDS, "description": "plan_incomplete: contribution ids"},
        "pending_actions": {**_IDS, "description": "plan_incomplete: candidate action ids"},
        "contributions": {**_IDS, "description": "already_merged: contribution ids"},
        "clusters": {**_IDS, "description": "already_merged: their cluster ids"},
        "cluster": {"type": "integer", "description": "cluster_dissolved"},
        "split": {"type": "integer", "description": "merge_already_undone: the undo entry"},
        "later_merge": {"type": "integer", "description": "merge_not_latest: the log entry"},
        "bad_lines": {**_IDS, "description": "paper ballots: bad line numbers, from 1"},
        "retry_after_seconds": {
            "type": ["integer", "null"],
            "description": "throttled, service_unavailable: also the Retry-After header",
        },
    },
    "additionalProperties": True,
}

ERROR_RESPONSES = {
    "400": "Invalid request (validation_error, parse_error, ...)",
    "401": "Not signed in (not_authenticated, authentication_failed)",
    "403": "Not allowed (permission_denied, csrf_failed)",
    "404": "Not found (not_found)",
    "406": "The Accept header asks for a format this operation does not produce (not_acceptable)",
    "409": "Conflicts with the current state (phase_closed, consultation_not_open, ...)",
    "413": "The request body is too large (request_too_large)",
    "415": "The body is not application/json (unsupported_media_type)",
    "429": "Too many requests (throttled)",
    "503": "The database cannot be reached for a moment; nothing was done, retry after "
    "Retry-After seconds (service_unavailable)",
}
ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": 'Bearer realm="api": the scheme to authenticate with',
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "integer", "minimum": 0},
            "description": "Seconds to wait before trying again (also details.retry_after_seconds)",
        }
    },
    "503": {
        "Retry-After": {
            "schema": {"type": "integer", "minimum": 0},
            "description": "Seconds to wait before trying again (also details.retry_after_seconds)",
        }
    },
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


class SessionCookieScheme(OpenApiAuthenticationExtension):
    target_class = "backend.accounts.authentication.CsrfCodedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "Web clients: the session cookie set by POST /api/v1/auth/login/; unsafe "
                "methods also send the X-CSRFToken header (403 csrf_failed without it)."
            ),
        }


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "backend.accounts.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Personal access token for mobile and script clients: create one with "
                "POST /api/v1/auth/tokens/ and send `Authorization: Bearer <token>`."
            ),
        }


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the Error component and the error responses on every operation
    (415 on writes only: any write may be sent a body the server must read; 409 on reads
    too, as the phase gate refuses some reads of an archived round)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ErrorDetails"] = ERROR_DETAILS_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", *WRITE_METHODS}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                if status == "415" and method not in WRITE_METHODS:
                    continue
                if method in {"get", "delete"} and status == "413":
                    continue
                response: dict[str, Any] = {
                    "description": description,
                    "content": {"application/json": {"schema": ref}},
                }
                if status in ERROR_HEADERS:
                    response["headers"] = ERROR_HEADERS[status]
                responses.setdefault(status, response)
    return result


def _walk(node: Any, visit: Any) -> Any:
    """Apply `visit` to every mapping of a JSON-like tree, depth first (children first)."""
    if isinstance(node, dict):
        return visit({key: _walk(value, visit) for key, value in node.items()})
    if isinstance(node, list):
        return [_walk(item, visit) for item in node]
    return node


def _null_in_type(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's `nullable: true` (left by hand-written schemas) as 3.1 JSON Schema."""
    if not schema.pop("nullable", False):
        return schema
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list):
        schema["type"] = [*kind, "null"] if "null" not in kind else kind
    elif "oneOf" in schema:
        schema["oneOf"].append({"type": "null"})
    else:
        inner = {key: schema.pop(key) for key in list(schema) if key not in {"description"}}
        schema["oneOf"] = [inner, {"type": "null"}]
    return schema


def json_schema_nulls(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: no `nullable` keyword survives in a 3.1 document."""
    return _walk(result, _null_in_type)


def _component_name(ref: str) -> str | None:
    prefix = "#/components/schemas/"
    return ref[len(prefix) :] if ref.startswith(prefix) else None


def _refs(node: Any) -> list[str]:
    found: list[str] = []

    def visit(mapping: dict[str, Any]) -> dict[str, Any]:
        name = _component_name(mapping.get("$ref", ""))
        if name:
            found.append(name)
        return mapping

    _walk(node, visit)
    return found


def _server_default(schema: dict[str, Any]) -> dict[str, Any]:
    """A request property's `default` becomes words: generators otherwise make the field
    required (openapi-typescript) or send the default themselves (openapi-python-client),
    and strict validators check the default against the property's own constraints."""
    if "default" not in schema:
        return schema
    default = schema.pop("default")
    if default in ("", [], {}, None):
        return schema
    shown = str(default).lower() if isinstance(default, bool) else default
    note = f"Default when omitted: `{shown}`."
    schema["description"] = f"{schema['description']} {note}" if schema.get("description") else note
    return schema


def strict_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: request bodies refuse fields they do not declare, as the server
    does (`unknown_field`), and carry no `default` keyword (see `_server_default`)."""
    schemas = result.get("components", {}).get("schemas", {})
    pending = [
        name
        for path_item in result.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict)
        for name in _refs(operation.get("requestBody", {}))
    ]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        component = schemas[name]
        if component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
        if component.get("description", "").startswith("An input serializer that rejects"):
            # The base class's docstring, not something about this body.
            del component["description"]
        if "properties" in component:
            component["properties"] = {
                key: _walk(value, _server_default) for key, value in component["properties"].items()
            }
        pending.extend(_refs(component))
    return result


PLAN_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "frontend-contract" / "plan.schema.json"
PLAN_COMPONENT = "PlanSnapshot"


def plan_snapshot_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the published plan's JSON Schema (frontend-contract/
    plan.schema.json, the one the snapshot is checked against) as OpenAPI components:
    `PlanSnapshot`, and `PlanSnapshot<Name>` for each of its `$defs`."""
    plan = json.loads(PLAN_SCHEMA_PATH.read_text())
    definitions = plan.pop("$defs", {})
    for key in ("$schema", "$id"):
        plan.pop(key, None)

    def component(name: str) -> str:
        return PLAN_COMPONENT + "".join(part.capitalize() for part in name.split("_"))

    def rewrite(mapping: dict[str, Any]) -> dict[str, Any]:
        ref = mapping.get("$ref", "")
        if ref.startswith("#/$defs/"):
            mapping["$ref"] = "#/components/schemas/" + component(ref.removeprefix("#/$defs/"))
        return mapping

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[PLAN_COMPONENT] = _walk(plan, rewrite)
    for name, definition in definitions.items():
        schemas[component(name)] = _walk(definition, rewrite)
    return result


class BoundedFilterExtension(DjangoFilterExtension):
    """django-filter's parameters as the server reads them: `maxLength` from a filter's
    `max_length`, no NUL character in free text (Django forms refuse it), and an empty value
    allowed for a choice (it means no filter), so the document and the form agree."""

    priority = 1

    def resolve_filter_field(
        self,
        auto_schema: Any,
        model: Any,
        filterset_class: Any,
        field_name: str,
        filter_field: Any,
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if "enum" in schema and "" not in schema["enum"] and not parameter.get("required"):
                # django-filter reads an empty value as "no filter", as HTML forms send it.
                schema["enum"] = [*schema["enum"], ""]
                schema.pop("minLength", None)
            if schema.get("type") != "string" or "enum" in schema:
                continue
            if filter_field.extra.get("max_length"):
                schema["maxLength"] = filter_field.extra["max_length"]
            schema.setdefault("pattern", NO_NUL)
        return parameters


def positive_path_ids(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: integer path parameters are database ids (or version numbers),
    1 to 2^63-1; the URL converter refuses a sign, so negatives are a 404, not a request."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 1)
                    schema.setdefault("maximum", 2**63 - 1)
    return result


def _html_page(operation_id: str, summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": (
                "A readable, printable French HTML page (not JSON), public once the plan is "
                "published; its JSON twin is under /api/v1/. 404 with the error body when "
                "the consultation or the version does not exist or is not visible."
            ),
            "tags": ["plan"],
            "parameters": parameters,
            "security": [{"cookieAuth": []}, {}],
            "responses": {
                "200": {
                    "description": "The page",
                    "headers": {"Content-Language": {"schema": {"type": "string", "const": "fr"}}},
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "404": {
                    "description": "Not found (not_found)",
                    "content": {"application/json": {"schema": ERROR_REF}},
                },
            },
        }
    }


def plan_html_pages(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the plan's HTML pages (plain Django views, outside /api/v1/)."""
    consultation = {
        "in": "path",
        "name": "consultation_id",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    }
    number = {**consultation, "name": "number", "description": "version number, from 1"}
    paths = result.setdefault("paths", {})
    paths["/consultations/{consultation_id}/plan/"] = _html_page(
        "plan_page", "The latest published plan as a French HTML page", [consultation]
    )
    paths["/consultations/{consultation_id}/plan/versions/{number}/"] = _html_page(
        "plan_version_page",
        "One published version of the plan as an HTML page",
        [consultation, number],
    )
    return result
