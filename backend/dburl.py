"""DATABASE_URL to Django's DATABASES entry, libpq's query parameters included."""

from typing import Any

import dj_database_url


def database_settings(url: str, **kwargs: Any) -> dict[str, Any]:
    """`dj_database_url.parse`, with `?host=` and `?port=` read as the server's address.

    libpq lets a URL name a Unix socket directory and a port in its query string
    (`postgres://postgres@/npt?host=/var/run/npt&port=5433`; the embedded server's URL has this
    form). dj_database_url leaves them in OPTIONS, where psycopg obeys them but HOST and PORT
    stay empty, and every tool that rebuilds a URL from HOST/PORT (the tests' subprocesses,
    `createdb`-style helpers) would connect to the default socket instead. As in libpq, the
    query parameters win over the authority part.
    """
    database: dict[str, Any] = dict(dj_database_url.parse(url, **kwargs))
    options = database.get("OPTIONS", {})
    for key in ("host", "port"):
        value = options.pop(key, None)
        if value not in (None, ""):
            database[key.upper()] = str(value) if key == "host" else int(value)
    return database
