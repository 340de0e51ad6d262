"""Conditional GET: a strong ETag from the representation, 304 when If-None-Match matches."""

import base64
import hashlib
import json
import re
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')

IF_NONE_MATCH_HEADER = OpenApiParameter(
    name="If-None-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "The ETag of the representation the client holds (or a list of them, or `*`): "
        "when it still matches, the answer is 304 Not Modified with no body."
    ),
)
ETAG_HEADER = OpenApiParameter(
    name="ETag",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200, 304],
    description="Strong validator of the representation; send it back in If-None-Match.",
)
CONDITIONAL_PARAMETERS = [IF_NONE_MATCH_HEADER, ETAG_HEADER]
# What `file_download` sends: documented once for every file endpoint.
DOWNLOAD_PARAMETERS = [
    IF_NONE_MATCH_HEADER,
    ETAG_HEADER,
    OpenApiParameter(
        name="X-Content-SHA256",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="SHA-256 of the body, hex (also the ETag, quoted)",
    ),
    OpenApiParameter(
        name="Digest",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="`sha-256=` and the SHA-256 of the body in base64 (RFC 3230)",
    ),
    OpenApiParameter(
        name="Content-Disposition",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description='`attachment; filename="..."`: the name to save the file under',
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not modified: the client's copy is current (no body)")


def etag_for(data: Any) -> str:
    """A strong entity tag: the quoted sha256 of the canonical JSON of the representation."""
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest() + '"'


def none_match_fails(if_none_match: str | None, etag: str) -> bool:
    """True when If-None-Match names the current representation (weak comparison, RFC 9110)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(f'"{tag}"' == opaque for tag in ENTITY_TAG.findall(if_none_match))


def conditional_response(request: Request, data: Any) -> Response:
    """200 with the data and its ETag, or 304 with the ETag only when the client has it."""
    etag = etag_for(data)
    headers = {"ETag": etag}
    if none_match_fails(request.headers.get("If-None-Match"), etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(data, headers=headers)


def file_download(
    request: Request, *, content: bytes, content_type: str, filename: str
) -> HttpResponse:
    """A file download with its SHA-256 in `X-Content-SHA256` (hex) and `Digest` (base64),
    the digest as a strong ETag, and 304 when the client already holds these bytes."""
    digest = hashlib.sha256(content).hexdigest()
    etag = f'"{digest}"'
    if none_match_fails(request.headers.get("If-None-Match"), etag):
        response = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
        response["ETag"] = etag
        return response
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["X-Content-SHA256"] = digest
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(digest)).decode("ascii")
    return response
