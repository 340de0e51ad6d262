"""Deterministic files: CSV text with fixed line endings and a ZIP whose bytes depend only on
its contents (sorted names, fixed timestamps and permissions), so its SHA-256 is stable."""

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from backend.core.csvfiles import csv_text

__all__ = ["FILE_MODE", "FIXED_ZIP_TIME", "Archive", "csv_text", "deterministic_zip", "sha256_hex"]

# The earliest date a ZIP entry can carry: no clock leaks into the archive.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


@dataclass(frozen=True)
class Archive:
    content: bytes
    sha256: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def deterministic_zip(files: Mapping[str, str | bytes]) -> Archive:
    """A ZIP of `files` (name -> text or bytes), entries in name order, deflated, with fixed
    dates and permissions: the same files always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            data = files[name]
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (FILE_MODE | 0o100000) << 16
            info.create_system = 3  # Unix, so the permissions above are read as such
            archive.writestr(
                info, data.encode("utf-8") if isinstance(data, str) else data, compresslevel=9
            )
    content = buffer.getvalue()
    return Archive(content=content, sha256=sha256_hex(content))
