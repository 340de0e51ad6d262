"""Serving a stored artifact: streamed from storage with its ETag, length and digests."""

import base64

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from rest_framework import status

from backend.core.conditional import none_match_fails
from backend.plans.models import PublicationArtifact
from backend.plans.selectors.artifacts import artifact_open

# Larger files are streamed from storage; smaller ones are read whole (one read, a plain body).
STREAM_ABOVE_BYTES = 8 * 1024 * 1024


def artifact_response(
    request: HttpRequest, *, artifact: PublicationArtifact, attachment: bool = True
) -> HttpResponseBase:
    """The headers of `core.conditional.file_download` (strong ETag = SHA-256, X-Content-
    SHA256, Digest, Content-Disposition) plus Content-Length, large files streamed from
    storage; 304 when the client holds these bytes."""
    etag = f'"{artifact.sha256}"'
    if none_match_fails(request.headers.get("If-None-Match"), etag):
        not_modified = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
        not_modified["ETag"] = etag
        return not_modified
    file = artifact_open(artifact=artifact)
    if artifact.size > STREAM_ABOVE_BYTES:
        response: HttpResponseBase = FileResponse(file, content_type=artifact.content_type)
    else:
        with file:
            response = HttpResponse(file.read(), content_type=artifact.content_type)
    response["Content-Length"] = str(artifact.size)
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{artifact.filename}"'
    response["ETag"] = etag
    response["X-Content-SHA256"] = artifact.sha256
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(artifact.sha256)).decode()
    return response
