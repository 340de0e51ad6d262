"""Contribution list pages: page numbers by default, an opaque keyset cursor for mobile apps."""

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from django.core.signing import BadSignature, Signer
from django.db.models import DateTimeField, F, Func, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from backend.core import errors
from backend.core.pagination import PageNumberPagination
from backend.proposals.models import Contribution

CURSOR_MODE = "cursor"
CURSOR_MAX_LENGTH = 200
LARGEST_ID = 2**63 - 1

# The same key as the selector's `recent` order, so the index serves both and a cursor walk
# meets the contributions in the order page numbers show them.
RECENT_AT = Coalesce("published_at", "created_at")


# Cursors are signed (HMAC of SECRET_KEY, this salt): a hand-built or altered one is refused.
# Rotating SECRET_KEY (without SECRET_KEY_FALLBACKS) invalidates cursors in flight: the client
# gets invalid_cursor and starts again from the first page.
_SIGNER = Signer(salt="backend.proposals.api.pagination.cursor", sep=".")


def cursor_encode(at: datetime, contribution_id: int) -> str:
    """An opaque position: url-safe base64 of the last item's (recent key, id), signed."""
    raw = json.dumps([at.isoformat(), contribution_id], separators=(",", ":"))
    return _SIGNER.sign(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def _invalid_cursor() -> errors.ValidationFailed:
    message = _("This cursor is not valid: use the next_cursor of a previous page.")
    return errors.ValidationFailed(
        fields={"cursor": [{"code": "invalid_cursor", "message": str(message)}]}
    )


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names; any tampering is a validation error, never a crash."""
    if not 0 < len(cursor) <= CURSOR_MAX_LENGTH:
        raise _invalid_cursor()
    try:
        payload = _SIGNER.unsign(cursor)
    except BadSignature as error:
        raise _invalid_cursor() from error
    try:
        raw = base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"-_", validate=True)
        at_text, contribution_id = json.loads(raw.decode())
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None or type(contribution_id) is not int:
            raise ValueError(cursor)
        at = at.astimezone(UTC)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, OverflowError) as error:
        raise _invalid_cursor() from error
    if not 0 < contribution_id <= LARGEST_ID:
        raise _invalid_cursor()
    return at, contribution_id


def _is_recent_order(request: Request) -> bool:
    return request.query_params.get("ordering") in (None, "", "recent")


class ContributionPagination(PageNumberPagination):
    """`?pagination=cursor` walks the `recent` order by keyset: no count query, no page
    drift when contributions are published meanwhile (they appear before the first page)."""

    cursor_query_param = "cursor"
    mode_query_param = "pagination"

    def __init__(self) -> None:
        super().__init__()
        self.cursor_mode = False
        self.next_cursor: str | None = None

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            cursor_decode(cursor)  # a malformed cursor is a 400 in every mode, never ignored
        mode = request.query_params.get(self.mode_query_param) or "page"
        if mode not in ("page", CURSOR_MODE):
            message = _("Use page (the default) or cursor.")
            raise errors.ValidationFailed(
                fields={
                    self.mode_query_param: [{"code": "invalid_choice", "message": str(message)}]
                }
            )
        if mode != CURSOR_MODE:
            if _is_recent_order(request):
                return super().paginate_queryset(queryset, request, view)
            return self._deferred_page(queryset, request, view)
        if not _is_recent_order(request):
            message = _("Cursor pagination follows the recent order only.")
            raise errors.ValidationFailed(
                fields={
                    self.mode_query_param: [
                        {"code": "cursor_needs_recent_order", "message": str(message)}
                    ]
                }
            )
        self.cursor_mode = True
        return self._cursor_page(queryset, request)

    def _deferred_page(self, queryset: Any, request: Request, view: Any) -> list[Any] | None:
        """Other orders read the page's ids first (endorsed and commented straight from their
        indexes on the stored counters; random sorts narrow rows), then the page's 20 full
        rows: sorting 100,000 joined wide rows was 10 times slower."""
        ids: list[Any] | None = super().paginate_queryset(
            queryset.values_list("pk", flat=True), request, view
        )
        if ids is None:
            return None
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    def _cursor_page(self, queryset: QuerySet[Contribution], request: Request) -> list[Any]:
        size = self.get_page_size(request) or self.page_size
        queryset = queryset.alias(recent_at=RECENT_AT).order_by(
            F("recent_at").desc(), F("id").desc()
        )
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            at, last_id = cursor_decode(cursor)
            # A row comparison, which PostgreSQL answers from the index in one range scan.
            queryset = queryset.filter(
                LessThan(
                    Func(F("recent_at"), F("id"), function="ROW", output_field=DateTimeField()),
                    Func(
                        Value(at, output_field=DateTimeField()),
                        Value(last_id),
                        function="ROW",
                        output_field=DateTimeField(),
                    ),
                )
            )
        rows = list(queryset[: size + 1])
        page = rows[:size]
        if len(rows) > size:
            last = page[-1]
            self.next_cursor = cursor_encode(last.published_at or last.created_at, last.pk)
        return page

    def get_paginated_response(self, data: Any) -> Response:
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        next_link = None
        if self.next_cursor is not None and self.request is not None:
            url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
            next_link = replace_query_param(url, self.cursor_query_param, self.next_cursor)
        return Response({"next": next_link, "next_cursor": self.next_cursor, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["next", "results"]
        paged["description"] = (
            "Page numbers: count, next, previous and results. With `pagination=cursor`: "
            "next, next_cursor and results (no count)."
        )
        paged["properties"]["count"]["description"] = "Page numbers only."
        paged["properties"]["next_cursor"] = {
            "type": "string",
            "nullable": True,
            "description": "Cursor mode only: send it as `cursor` for the next page; null on "
            "the last page.",
        }
        return paged

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.mode_query_param,
                "required": False,
                "in": "query",
                "description": "`page` (default: page numbers with a count) or `cursor` (for "
                "mobile apps: opaque keyset cursor, only with the recent order, no count, "
                "no duplicates or gaps when contributions are published meanwhile).",
                "schema": {"type": "string", "enum": ["page", CURSOR_MODE, ""]},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "With `pagination=cursor`: the `next_cursor` of the previous page "
                "(omit it for the first page). A cursor that was altered is refused "
                "(validation_error, field code invalid_cursor).",
                "schema": {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
            },
        ]
