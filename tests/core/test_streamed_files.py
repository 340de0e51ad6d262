"""A file response served over ASGI is read chunk by chunk while it is sent, not read whole
into memory first (Django's own ASGI handler does that, and warns)."""

import asyncio
import io
import warnings
from typing import Any

from asgiref.testing import ApplicationCommunicator
from django.http import FileResponse, HttpRequest
from django.test import override_settings
from django.urls import path

from backend.core.http_handler import PooledThreadASGIHandler

CONTENT = bytes(range(256)) * 4096  # 1 MiB: 16 chunks of Django's ASGI block size (64 KiB)


class CountingFile(io.BytesIO):
    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        return super().read(size)


OPENED: list[CountingFile] = []


def big_file(request: HttpRequest) -> FileResponse:
    file = CountingFile(CONTENT)
    OPENED.append(file)
    return FileResponse(file, content_type="application/octet-stream")


urlpatterns = [path("big/", big_file)]

SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/big/",
    "raw_path": b"/big/",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"testserver")],
    "client": ("127.0.0.1", 40000),
    "server": ("testserver", 80),
}


@override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"])
def test_a_file_is_read_while_it_is_sent() -> None:
    handler = PooledThreadASGIHandler()

    async def download() -> tuple[dict[str, Any], int, bytes]:
        communicator = ApplicationCommunicator(handler, SCOPE)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(30)
        first = await communicator.receive_output(30)
        reads_at_first_chunk = OPENED[-1].reads
        body = first["body"]
        while first.get("more_body"):
            first = await communicator.receive_output(30)
            body += first.get("body", b"")
        await communicator.wait(30)
        return start, reads_at_first_chunk, body

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, reads_at_first_chunk, body = asyncio.run(download())
    assert start["status"] == 200
    assert body == CONTENT
    # Whole-file reading would have made all 17 reads (16 chunks and the empty one) by then.
    assert reads_at_first_chunk <= 2
    assert OPENED[-1].reads == 17
    assert OPENED[-1].closed
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
