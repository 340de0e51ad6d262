"""OpenAPI pieces: the bearer-token scheme and the shared error responses."""

from typing import Any

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
        "details": {"type": "object", "additionalProperties": True},
    },
    "required": ["status", "code", "message"],
}

ERROR_RESPONSES = {
    "400": "Invalid request (validation_error, parse_error, ...)",
    "401": "Not signed in (not_authenticated, authentication_failed)",
    "403": "Not allowed (permission_denied)",
    "404": "Not found (not_found)",
    "409": "Conflicts with the current state (phase_closed, conflict, ...)",
    "413": "The request body is too large (request_too_large)",
    "429": "Too many requests (throttled)",
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
    """Postprocessing hook: the Error component and the error responses on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                if method == "get" and status == "409":
                    continue
                if method in {"get", "delete"} and status == "413":
                    continue
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
