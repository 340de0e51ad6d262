"""Embedded PostgreSQL (pgserver) for development and tests when no DATABASE_URL is set."""

import atexit
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / "var" / "pgdata"


@contextmanager
def quietly() -> Iterator[None]:
    """pgserver's import and start without their harmless warnings: platformdirs warns when
    XDG_RUNTIME_DIR is unset (CI, root shells), as pgserver reads its runtime folder at import."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def release(server: object) -> None:
    """Drop pgserver's handle on a server now, leaving the server running.

    pgserver releases its handles in an atexit hook that logs; at the exit of a pytest worker
    the stream it logs to is already closed ("--- Logging error ---" after the suite). Nothing
    here needs the handle once the URL is known (the server outlives the process on purpose)."""
    cleanup = getattr(server, "_cleanup", None)  # pgserver's own release
    if cleanup is not None:
        cleanup()
        atexit.unregister(cleanup)


def embedded_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """Start the embedded server if it is not running (or reuse it) and return its URL.

    The server outlives this process on purpose: `make run`, `make test` and the shell reuse
    it; `python -m backend.localdb stop` stops it.
    """
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with quietly():
        import pgserver

        server = pgserver.get_server(data_dir, cleanup_mode=None)
    uri = str(server.get_uri())
    port = server.get_postmaster_info().port
    release(server)
    # The port too (pgserver's URL names only the socket directory): a PGPORT in the
    # environment must not send anyone to another socket of the same directory.
    if port is not None and "?host=" in uri and "port=" not in uri:
        uri += f"&port={int(port)}"
    return uri


def stop(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    """Stop the embedded server if it runs (pg_ctl stop, fast mode)."""
    if not (data_dir / "postmaster.pid").exists():
        return
    with quietly():
        import pgserver
        from pgserver import _commands

        server = pgserver.get_server(data_dir, cleanup_mode=None)
    pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009  (built at import time, unseen by mypy)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=server.system_user)
    release(server)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "url"
    data_dir = Path(argv[2]).resolve() if len(argv) > 2 else DEFAULT_DATA_DIR
    if command == "url":
        print(embedded_database_url(data_dir))
    elif command == "stop":
        stop(data_dir)
    else:
        print("usage: python -m backend.localdb [url|stop] [DATA_DIR]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
