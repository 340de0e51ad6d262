"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request needs and
strings holding control characters or bidirectional overrides (backend.core.text)."""

import codecs
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser as DrfJSONParser

from backend.core import errors
from backend.core.text import unsafe_string_paths

# The deepest legitimate body (phases, ballots, snapshots) is a handful of levels.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests lists and objects deeper than `limit` (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(DrfJSONParser):
    """400 parse_error, never a 500, for malformed, too deeply nested or NUL-escaped bodies
    (a JSON nested 1,000 deep makes the decoder raise RecursionError)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=_no_constant)
        except RecursionError as exc:
            raise errors.ParseError(_("The JSON body is nested too deeply.")) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.ParseError() from exc
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise errors.ParseError(_("The JSON body is nested too deeply."))
        refused = unsafe_string_paths(data)
        if refused:
            raise errors.ValidationFailed(fields={path: [invalid_characters()] for path in refused})
        return data


def invalid_characters() -> dict[str, str]:
    return {
        "code": "invalid_characters",
        "message": _(
            "Control characters and bidirectional overrides are not allowed in this text."
        ),
    }


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (DRF refuses them too in strict mode)."""
    raise ValueError(f"{name} is not valid JSON")
